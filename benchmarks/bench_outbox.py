"""Outbox throughput: 10,000 due reminders delivered to a local SMTP server by ONE real Celery
worker, each exactly once.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/14 \\
        uv run python benchmarks/bench_outbox.py [--count 10000]

With DATABASE_URL it creates (and finally drops) its own PostgreSQL database on that server,
`tce_bench_outbox`; without it, a SQLite file in a temporary folder. With REDIS_URL the worker
uses Redis (on a queue of its own), else kombu's filesystem broker in the temporary folder.
It migrates, starts an aiosmtpd server on a free loopback port, writes the reminder rows (one
per person, for a real session), starts one `celery -A config worker --pool=solo`, queues one
dispatcher run (what beat does every minute) and waits until every message has arrived.
Everything it started is stopped. Prints one summary line:

    outbox: 10000 reminders delivered by 1 worker in 41.2 s = 243 msg/s; arrived 10000, duplicates 0
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_outbox"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Counting:
    """aiosmtpd handler: counts every accepted message by its Message-ID."""

    def __init__(self):
        self.seen: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):
        message_id = ""
        for line in envelope.content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        with self.lock:
            self.seen[message_id] += 1
            self.last_at = time.monotonic()
        return "250 OK"

    def totals(self) -> tuple[int, int]:
        with self.lock:
            return sum(self.seen.values()), len(self.seen)


def start_counting_server():
    from aiosmtpd.controller import Controller

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler


def send_mass_mail_floor(port: int) -> float:
    """The floor for delivery: every sent row's message rendered first (not timed), then all
    of them over one SMTP connection, as `send_mass_mail` sends (it takes plain-text tuples;
    these carry the same HTML part and headers as the worker's). Seconds taken."""
    from django.core.mail import get_connection

    from notifications.models import Notification
    from notifications.services.delivery import message_render

    messages = []
    for row in Notification.objects.filter(status="sent").select_related("user").order_by("pk"):
        message = message_render(
            kind=row.kind,
            context=row.context,
            user=row.user,
            to_email=row.recipient,
            category=row.category,
            headers={"Message-ID": f"<floor-{row.pk}@bench>"},
        )
        messages.append(message)
    mail = get_connection(host="127.0.0.1", port=port)
    started = time.monotonic()
    mail.send_messages(messages)
    return time.monotonic() - started


def admin_url(database_url: str) -> str:
    return database_url.rsplit("/", 1)[0] + "/postgres"


def pg_execute(database_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        conn.execute(sql)


def populate(count: int) -> list[int]:
    from accounts.models import User
    from events.models import Event, Room, Session
    from events.services.notices import session_context
    from notifications.models import Notification

    now = dt.datetime.now(dt.UTC)
    event = Event.objects.create(
        slug="bench-outbox", name="Benchmark meeting", timezone="America/New_York",
        starts_on=(now + dt.timedelta(days=2)).date(), ends_on=(now + dt.timedelta(days=3)).date(),
    )  # fmt: skip
    room = Room.objects.create(event=event, name="W224", location="Level 2, west hall")
    session = Session.objects.create(
        event=event, title="Giving scientific presentations", kind="didactic",
        starts_at=now + dt.timedelta(days=2), ends_at=now + dt.timedelta(days=2, hours=1),
        room=room, capacity=None,
    )  # fmt: skip
    users = User.objects.bulk_create(
        [
            User(email=f"trainee{i}@bench.example.org", name=f"Trainee {i}", password="!")
            for i in range(count)
        ],
        batch_size=2000,
    )
    context = session_context(session)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind="session_reminder",
                category=Notification.Category.REMINDER,
                key=f"reminder:bench{i}:60",
                context={**context, "offset_minutes": 60},
                due_at=now - dt.timedelta(minutes=1),
                expires_at=session.starts_at,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    return [row.pk for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    tmp = Path(tempfile.mkdtemp(prefix="tce-bench-outbox-"))
    queue = f"bench-outbox-{uuid.uuid4().hex[:8]}"
    smtp_port = free_port()

    # This process and the worker share the same settings, read from the environment.
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CACHE_DIR"] = str(tmp / "cache")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
    )
    if database_url:
        bench_url = database_url.rsplit("/", 1)[0] + f"/{DB}"
        pg_execute(database_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        pg_execute(database_url, f'CREATE DATABASE "{DB}"')
        os.environ["DATABASE_URL"] = bench_url
        where = "PostgreSQL"
    else:
        os.environ["SQLITE_PATH"] = str(tmp / "db.sqlite3")
        where = "SQLite"
    if not redis_url:
        os.environ["CELERY_DATA_DIR"] = str(tmp / "celery")
    broker = "Redis" if redis_url else "filesystem broker"

    worker = None
    controller = None
    try:
        import django

        django.setup()
        from aiosmtpd.controller import Controller
        from django.core.management import call_command
        from django.db import connection

        from config.celery import app
        from notifications.models import Notification

        call_command("migrate", verbosity=0)
        handler = Counting()
        controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        populate(args.count)
        connection.close()

        log = open(tmp / "worker.log", "wb")  # noqa: SIM115 (closed with the folder)
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                "-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
            ],
            cwd=ROOT, env=dict(os.environ, LOG_LEVEL="INFO"), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while b" ready." not in (tmp / "worker.log").read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write((tmp / "worker.log").read_text(errors="replace"))
                raise SystemExit("the worker did not start")
            time.sleep(0.1)

        started = time.monotonic()
        app.send_task("notifications.tasks.notifications_dispatch_due_task", queue=queue)
        last_trigger = started
        while handler.totals()[1] < args.count:
            now = time.monotonic()
            if now - started > args.timeout:
                break
            if now - last_trigger > 60:  # what beat does every minute
                app.send_task("notifications.tasks.notifications_dispatch_due_task", queue=queue)
                last_trigger = now
            time.sleep(0.05)
        finished = handler.last_at
        time.sleep(2)  # anything arriving twice would arrive now
        arrived, unique = handler.totals()
        sent = Notification.objects.filter(status="sent").count()
        elapsed = finished - started
        print(
            f"outbox: {unique} reminders delivered by 1 worker in {elapsed:.1f} s = "
            f"{unique / elapsed:.0f} msg/s; arrived {arrived}, duplicates {arrived - unique} "
            f"({where}, {broker}; {sent} rows marked sent)"
        )
        floor_controller, floor_handler = start_counting_server()
        try:
            floor_seconds = send_mass_mail_floor(floor_controller.port)
        finally:
            floor_controller.stop()
        connection.close()
        floor_arrived, floor_unique = floor_handler.totals()
        floor_rate = floor_unique / floor_seconds
        ratio = (unique / elapsed) / floor_rate
        print(
            f"  the same {floor_unique} messages, rendered beforehand, sent as Django's "
            f"send_mass_mail does (one connection's send_messages): {floor_seconds:.1f} s = "
            f"{floor_rate:.0f} msg/s; arrived {floor_arrived}\n"
            f"  worker rate / send_mass_mail rate: {ratio:.2f}x (target >= 0.7) "
            f"{'met' if ratio >= 0.7 else 'NOT met'}"
        )
        exact = (unique, arrived, sent) == (args.count,) * 3
        return 0 if exact and (floor_unique, floor_arrived) == (args.count,) * 2 else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if controller is not None:
            controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if database_url:
            pg_execute(database_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"*{queue}*"):
                client.delete(key)
            client.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
