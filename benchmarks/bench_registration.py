"""Agenda throughput and registration storms over real HTTP against gunicorn + PostgreSQL.

    DEBUG=1 uv run python benchmarks/bench_registration.py [--quick]

1. Agenda: 200 sessions, 2,000 registrations. Requests per second of the agenda page
   (anonymous, cached per event; and logged in, personal) as a ratio to a minimal Django view
   doing one query, served by the same gunicorn in the same run.
2. Storm: 500 distinct logged-in trainees POST register for one 50-seat session at once.
   Expect exactly 50 confirmed, 450 waitlisted with positions 1..450, no response >= 500.
3. 10 concurrent cancellations of confirmed seats: expect exactly 10 promotions.

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432); creates and drops
its own database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, bench_env, gunicorn, load, request, rush, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_registration"
NY = zoneinfo.ZoneInfo("America/New_York")


def populate(sessions: int, registrations: int, storm: int):
    from allauth.account.models import EmailAddress

    from accounts.models import CareerPath, Profile, User
    from events.models import Event, Registration, Room, Session

    event = Event.objects.create(
        slug="bench", name="Benchmark meeting", timezone="America/New_York", city="Orlando",
        starts_on=dt.date(2030, 12, 5), ends_on=dt.date(2030, 12, 8),
    )  # fmt: skip
    rooms = [Room.objects.create(event=event, name=f"Room {i}") for i in range(10)]
    paths = list(CareerPath.objects.all())
    objs = []
    for i in range(sessions):
        day, slot = divmod(i, 50)
        start = dt.datetime(2030, 12, 5 + day, 8, 0, tzinfo=NY) + dt.timedelta(minutes=10 * slot)
        objs.append(
            Session(
                event=event, title=f"Session {i}", kind="micro_learning", starts_at=start,
                ends_at=start + dt.timedelta(minutes=30), room=rooms[i % 10], capacity=25,
                registration_mode="open", description="A benchmark session.",
            )
        )  # fmt: skip
    objs = Session.objects.bulk_create(objs)
    through = Session.career_paths.through
    through.objects.bulk_create(
        [through(session=s, careerpath=paths[i % len(paths)]) for i, s in enumerate(objs)]
        + [through(session=s, careerpath=paths[(i + 3) % len(paths)]) for i, s in enumerate(objs)]
    )
    users = [
        User(email=f"trainee{i}@bench.example.org", name=f"Trainee {i}")
        for i in range(registrations + storm)
    ]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    Profile.objects.bulk_create(
        [
            Profile(user=u, career_stage="fellow", calendar_token=secrets.token_urlsafe(24))
            for u in users
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    regs = []
    for i, user in enumerate(users[:registrations]):
        session = objs[i % len(objs)]
        status = "confirmed" if i // len(objs) < 8 else "waitlisted"
        regs.append(Registration(session=session, user=user, status=status))
    # The person whose agenda is measured (users[0], already in session 0) holds 6 seats and
    # 2 waitlist places; sessions 10 minutes apart overlap, so other cards clash with them.
    regs += [Registration(session=objs[n], user=users[0]) for n in (10, 20, 30, 40, 60)]
    regs += [Registration(session=objs[n], user=users[0], status="waitlisted") for n in (70, 80)]
    Registration.objects.bulk_create(regs)
    target = Session.objects.create(
        event=event, title="Storm: 50 seats", kind="blood_drop",
        starts_at=dt.datetime(2030, 12, 8, 18, 0, tzinfo=NY), ends_at=dt.datetime(2030, 12, 8, 19, 0, tzinfo=NY),
        capacity=50, registration_mode="open",
    )  # fmt: skip
    return event, target, users[registrations:], users[0]


def cookie_for(user) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def auth_headers(session_key: str, csrf: str) -> dict[str, str]:
    return {
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def ratio_line(label: str, value: float, target: str, ok: bool) -> str:
    return f"  {label}: {value:.2f}x (target {target}) {'met' if ok else 'NOT met'}"


def storm_check(target, statuses: list[int]) -> dict:
    from events.selectors import roster_for_session

    roster = roster_for_session(session=target)
    confirmed = [r for r in roster if r.status == "confirmed"]
    waitlisted = [r for r in roster if r.status == "waitlisted"]
    positions = [r.position for r in waitlisted]
    return {
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "exact": len(confirmed) == 50
        and len(waitlisted) == 450
        and positions == list(range(1, 451))
        and all(200 <= s < 400 for s in statuses),
        "positions_1_to_n": positions == list(range(1, 451)),
        "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }


def run_rush(base: str, event, target, storm_headers: list[dict], label: str) -> tuple[bool, dict]:
    """The same 500 logged-in POSTs, first to a view that writes one row with no lock, then
    to the session's register URL; exact seats, and the time of one against the other."""
    from django.db import connection

    from benchmarks.urls import write_table_count, write_table_create

    write_table_create()
    connection.close()
    floor = rush(base, "/bench/write-one-row", storm_headers)
    written = write_table_count()
    connection.close()
    register_path = f"/events/{event.slug}/sessions/{target.pk}/register/"
    storm = rush(base, register_path, storm_headers)
    check = storm_check(target, storm["statuses"])
    connection.close()
    floor_ok = written == len(storm_headers) and all(s == 200 for s in floor["statuses"])
    ratio = storm["seconds"] / floor["seconds"]
    print(
        f"rush ({label}): 500 logged-in trainees POST register for 50 seats at once, from 4 "
        f"client processes -> {len(check['confirmed'])} confirmed, {len(check['waitlisted'])} "
        f"waitlisted, positions 1..450 without gaps: {check['positions_1_to_n']}, statuses "
        f"{check['status_counts']}; {storm['seconds']:.2f} s, p50 {storm['p50_ms']:.0f} ms, "
        f"p95 {storm['p95_ms']:.0f} ms\n"
        f"  the same 500 POSTs to a view writing one row, no lock: {floor['seconds']:.2f} s, "
        f"p50 {floor['p50_ms']:.0f} ms, p95 {floor['p95_ms']:.0f} ms, {written} rows written"
    )
    print(ratio_line("rush time / unlocked write time", ratio, "<= 1.5", ratio <= 1.5))
    result = {
        "seconds": storm["seconds"],
        "p50_ms": storm["p50_ms"],
        "p95_ms": storm["p95_ms"],
        "floor_seconds": floor["seconds"],
        "floor_p50_ms": floor["p50_ms"],
        "floor_p95_ms": floor["p95_ms"],
        "ratio": ratio,
        "confirmed": len(check["confirmed"]),
        "waitlisted": len(check["waitlisted"]),
        "status_counts": check["status_counts"],
    }
    return check["exact"] and floor_ok, {**result, "_check": check}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter load phases")
    parser.add_argument(
        "--sqlite", action="store_true", help="only the rush, on the SQLite default"
    )
    parser.add_argument(
        "--agenda",
        action="store_true",
        help="only the throughput rounds: the stack's floor and the agenda (no rush)",
    )
    args = parser.parse_args()
    if args.sqlite:
        return main_sqlite()
    env = bench_env(DB)
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.db import connection

        from events.models import Registration

        event, target, storm_users, one_user = populate(200, 2000, 500)
        csrf = secrets.token_hex(16)
        logged_in = auth_headers(cookie_for(one_user), csrf)
        storm_headers = [auth_headers(cookie_for(u), csrf) for u in storm_users]
        connection.close()
        seconds = 4 if args.quick else 8
        results: dict = {}

        with gunicorn(env, workers=2, threads=1) as base:
            agenda = f"/events/{event.slug}/"
            for path in ("/bench/one-query", agenda):
                request(base, "GET", path)  # warm up (and fill the anonymous cache)
                request(base, "GET", path, headers=logged_in)
            # Alternating short rounds: other work on a shared machine hits both sides alike.
            rounds = {"floor": [], "floor_in": [], "anon": [], "personal": []}
            for _ in range(3):
                rounds["floor"].append(
                    load(base, "/bench/one-query", seconds=seconds / 2, clients=6)
                )
                rounds["floor_in"].append(
                    load(
                        base, "/bench/one-query", seconds=seconds / 2, clients=6, headers=logged_in
                    )
                )
                rounds["anon"].append(load(base, agenda, seconds=seconds / 2, clients=6))
                rounds["personal"].append(
                    load(base, agenda, seconds=seconds / 2, clients=6, headers=logged_in)
                )
        rps = {name: sum(r["rps"] for r in runs) / len(runs) for name, runs in rounds.items()}
        errors = sum(r["errors"] for runs in rounds.values() for r in runs)
        p50 = statistics.median(r["p50_ms"] for r in rounds["personal"])
        results["agenda"] = {"rounds": rounds, "mean_rps": rps}
        print(
            f"one-query view: anonymous {rps['floor']:.0f} req/s, logged in {rps['floor_in']:.0f} req/s; "
            f"agenda (200 sessions, 2,000 registrations): anonymous {rps['anon']:.0f} req/s, "
            f"logged in {rps['personal']:.0f} req/s (p50 {p50:.0f} ms); errors {errors} "
            f"(means of 3 alternating rounds of {seconds / 2:.0f} s, wrk, 2 sync workers)"
        )
        stack = rps["floor_in"] / rps["floor"]
        anon_ratio = rps["anon"] / rps["floor"]
        personal_ratio = rps["personal"] / rps["floor_in"]
        print(
            ratio_line(
                "the stack's floor: logged-in / anonymous one-query view",
                stack,
                ">= 0.5",
                stack >= 0.5,
            )
        )
        print(
            ratio_line(
                "anonymous agenda / anonymous one-query view",
                anon_ratio,
                ">= 0.5",
                anon_ratio >= 0.5,
            )
        )
        print(
            ratio_line(
                "logged-in agenda / logged-in one-query view",
                personal_ratio,
                ">= 0.5",
                personal_ratio >= 0.5,
            )
        )
        ok = errors == 0
        if args.agenda:
            connection.close()
            for name, runs in rounds.items():
                kinds = [(r.get("non_2xx", 0), r.get("socket_errors", 0)) for r in runs]
                print(f"  {name}: errors per round (non-2xx, socket incl. timeouts) {kinds}")
            print("registration benchmark (throughput only):", "OK" if ok else "FAILED")
            return 0 if ok else 1

        with gunicorn(env, workers=4, threads=8) as base:
            rush_ok, results["rush"] = run_rush(base, event, target, storm_headers, "PostgreSQL")
            check = results["rush"].pop("_check")
            ok = ok and rush_ok
            confirmed, waitlisted = check["confirmed"], check["waitlisted"]
            by_user = {u.pk: h for u, h in zip(storm_users, storm_headers, strict=True)}
            cancellers = [by_user[r.user_id] for r in confirmed[:10]]
            first_waiting = {r.user_id for r in waitlisted[:10]}
            cancel_path = f"/events/{event.slug}/sessions/{target.pk}/cancel/"
            cancel = rush(base, cancel_path, cancellers, processes=2)
            now = Registration.objects.filter(session=target)
            promoted = set(
                now.filter(status="confirmed", user_id__in=first_waiting).values_list(
                    "user_id", flat=True
                )
            )
            results["cancellations"] = {
                "requests": 10,
                "responses_5xx": sum(s >= 500 for s in cancel["statuses"]),
                "promotions": len(promoted),
                "confirmed_after": now.filter(status="confirmed").count(),
                "waitlisted_after": now.filter(status="waitlisted").count(),
            }
            c = results["cancellations"]
            ok = (
                ok
                and c["promotions"] == 10
                and c["confirmed_after"] == 50
                and c["responses_5xx"] == 0
            )
            print(
                f"cancellations: 10 at once -> {c['promotions']} promotions (the first 10 in line), "
                f"{c['confirmed_after']} confirmed, {c['waitlisted_after']} waitlisted, responses >= 500: {c['responses_5xx']}"
            )
            connection.close()

    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "registration.json").write_text(json.dumps(results, indent=2))
    print("registration benchmark:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def main_sqlite() -> int:
    """The same rush on the embedded default (a SQLite file, IMMEDIATE transactions)."""
    import tempfile

    from benchmarks.common import manage

    with tempfile.TemporaryDirectory(prefix="tce-bench-sqlite-") as tmp:
        env = bench_env("unused", DATABASE_URL="", SQLITE_PATH=f"{tmp}/db.sqlite3")
        os.environ.update(env)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        import django

        django.setup()
        from django.db import connection

        event, target, storm_users, _ = populate(20, 0, 500)
        csrf = secrets.token_hex(16)
        storm_headers = [auth_headers(cookie_for(u), csrf) for u in storm_users]
        connection.close()
        # SQLite has one writer at a time; as `make run`, 2 sync workers keep the queue in the
        # listen backlog (no timeout) instead of in SQLite's 20 s busy wait.
        with gunicorn(env, workers=2, threads=1) as base:
            ok, result = run_rush(
                base, event, target, storm_headers, "SQLite, 2 sync workers as make run serves it"
            )
        result.pop("_check")
        connection.close()
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "registration-sqlite.json").write_text(json.dumps(result, indent=2))
    print("registration benchmark (SQLite):", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
