"""Soak: mixed traffic against gunicorn + one Celery worker + beat on PostgreSQL and Redis.

    SOAK_SECONDS=600 DEBUG=1 uv run python benchmarks/bench_soak.py

200 logged-in trainees, from 4 client processes, load the agenda, session pages and My
agenda, register and cancel, while reminders fall due and the worker mails them to an SMTP
server on loopback. Expect 0 errors (no response >= 500, no failed connection), the memory
(RSS) of every process about flat (printed at the start and the end), exact seats at the
end (never more confirmed than capacity, waitlists numbered 1..n) and every mail once.
`make bench` runs it for SOAK_SECONDS (default 30); the README's figure is a 600 s run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_outbox import Counting, free_port
from benchmarks.bench_registration import auth_headers, cookie_for, populate
from benchmarks.common import ROOT, bench_env, gunicorn, request, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_soak"
USERS = 200


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree(pid: int) -> list[int]:
    """The process and its children (gunicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [pid, *kids]


def client(job) -> tuple[int, int, dict]:
    """One client process, three connections at a time: its trainees, in turn, until the
    end time. (requests, errors, statuses seen)."""
    import threading

    totals = [0, 0, {}]
    lock = threading.Lock()

    def loop(seed: int) -> None:
        done, errors, seen = _client_loop((*job[:-1], seed))
        with lock:
            totals[0] += done
            totals[1] += errors
            for k, v in seen.items():
                totals[2][k] = totals[2].get(k, 0) + v

    threads = [threading.Thread(target=loop, args=(job[-1] * 10 + i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals[0], totals[1], totals[2]


def _client_loop(job) -> tuple[int, int, dict]:
    import http.client

    host, port, slug, session_ids, headers, until, seed = job
    rng = random.Random(seed)
    done = errors = 0
    seen: dict[str, int] = {}
    while time.time() < until:
        h = rng.choice(headers)
        sid = rng.choice(session_ids)
        method, path = rng.choice(
            [
                ("GET", f"/events/{slug}/"),
                ("GET", f"/events/{slug}/sessions/{sid}/"),
                ("GET", "/me/agenda/"),
                ("POST", f"/events/{slug}/sessions/{sid}/register/"),
                ("POST", f"/events/{slug}/sessions/{sid}/cancel/"),
            ]
        )
        try:
            conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request(method, path, body=b"" if method == "POST" else None, headers=h)
            status = conn.getresponse().status
            conn.close()
        except OSError:
            status = 0
        done += 1
        errors += status == 0 or status >= 500
        seen[str(status)] = seen.get(str(status), 0) + 1
    return done, errors, seen


def main() -> int:
    import multiprocessing

    seconds = float(os.environ.get("SOAK_SECONDS", "30"))
    smtp_port = free_port()
    env = bench_env(
        DB,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        CACHE_KEY_PREFIX=f"soak{secrets.token_hex(4)}",
        LOG_LEVEL="ERROR",  # a cancel of a seat one does not hold is an expected 404
    )
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from aiosmtpd.controller import Controller
        from django.db import connection

        from events.models import Registration, Session
        from events.selectors import roster_for_session
        from events.services.notices import session_context
        from notifications.models import Notification

        handler = Counting()
        smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        event, target, users, _ = populate(40, 0, USERS)
        sessions = list(Session.objects.filter(event=event).select_related("event", "room"))
        for s in sessions:
            s.capacity = 10
        Session.objects.bulk_update(sessions, ["capacity"])
        now = dt.datetime.now(dt.UTC)
        # Reminders falling due through the soak, a few every second.
        Notification.objects.bulk_create(
            [
                Notification(
                    user=u,
                    kind="session_reminder",
                    category=Notification.Category.REMINDER,
                    key=f"reminder:soak{i}:60",
                    context={**session_context(target), "offset_minutes": 60},
                    due_at=now + dt.timedelta(seconds=seconds * i / (4 * USERS)),
                    expires_at=target.starts_at,
                )
                for i, u in enumerate(users * 4)
            ]
        )
        csrf = secrets.token_hex(16)
        headers = [auth_headers(cookie_for(u), csrf) for u in users]
        session_ids = [s.pk for s in sessions]
        connection.close()

        (ROOT / "bench-results").mkdir(exist_ok=True)
        log = open(ROOT / "bench-results" / "soak-celery.log", "wb")  # noqa: SIM115
        celery = [
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for args in (
                ["worker", "--pool=solo", "--loglevel=WARNING", "-n", f"soak{smtp_port}@%h"],
                [
                    "beat",
                    "--loglevel=WARNING",
                    "--schedule",
                    str(ROOT / "bench-results" / "soak-beat"),
                ],
            )
        ]
        try:
            pids: list[int] = []
            with gunicorn(env, workers=2, threads=4, pids=pids) as base:
                host, port = base.removeprefix("http://").split(":")
                # Start figures after a warm-up: every process has loaded the app once.
                for _ in range(6):
                    for path in (f"/events/{event.slug}/", "/me/agenda/"):
                        request(base, "GET", path, headers=headers[0])
                time.sleep(5)
                gunicorn_pid = pids[0]
                procs = {"gunicorn master": gunicorn_pid}
                for i, pid in enumerate(tree(gunicorn_pid)[1:]):
                    procs[f"gunicorn worker {i + 1}"] = pid
                procs["celery worker"] = celery[0].pid
                procs["celery beat"] = celery[1].pid
                start_rss = {name: rss_mib(pid) for name, pid in procs.items()}
                until = time.time() + seconds
                jobs = [
                    (host, int(port), event.slug, session_ids, headers[i::4], until, i)
                    for i in range(4)
                ]
                with multiprocessing.get_context("spawn").Pool(4) as pool:
                    answers = pool.map(client, jobs)
                end_rss = {name: rss_mib(pid) for name, pid in procs.items()}
            deadline = time.time() + 120
            while time.time() < deadline:  # what is due by now goes out within a beat run
                pending = Notification.objects.filter(
                    status="pending", due_at__lte=dt.datetime.now(dt.UTC)
                ).count()
                if pending == 0:
                    break
                time.sleep(2)
            time.sleep(2)
        finally:
            for proc in celery:
                proc.terminate()
            for proc in celery:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            smtp.stop()

        requests = sum(a[0] for a in answers)
        errors = sum(a[1] for a in answers)
        statuses: dict[str, int] = {}
        for a in answers:
            for k, v in a[2].items():
                statuses[k] = statuses.get(k, 0) + v
        exact = True
        for s in sessions:
            roster = roster_for_session(session=s)
            confirmed = sum(r.status == "confirmed" for r in roster)
            positions = [r.position for r in roster if r.status == "waitlisted"]
            exact = (
                exact
                and confirmed <= s.capacity
                and positions == list(range(1, len(positions) + 1))
            )
        active_count = (
            Registration.objects.filter(session__event=event).exclude(status="cancelled").count()
        )
        sent = Notification.objects.filter(status="sent").count()
        arrived, unique = handler.totals()
        pending = Notification.objects.filter(
            status="pending", due_at__lte=dt.datetime.now(dt.UTC)
        ).count()
        connection.close()

    print(
        f"soak: {seconds:.0f} s of mixed traffic from 200 trainees (4 client processes x 3 connections) against "
        f"gunicorn (2 workers x 4 threads) + 1 worker + beat: {requests} requests "
        f"({requests / seconds:.0f}/s), errors {errors}, statuses {statuses}"
    )
    for name in procs:
        print(
            f"  RSS {name}: {start_rss[name]:.0f} MiB at the start, {end_rss[name]:.0f} MiB at the end"
        )
    print(
        f"  seats exact at the end: {exact} ({active_count} active registrations in {len(sessions)} sessions); "
        f"mail: {sent} rows sent, {arrived} arrived, {arrived - unique} duplicates, {pending} due and unsent"
    )
    ok = errors == 0 and exact and arrived == unique == sent and pending == 0
    print("soak:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
