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
import threading
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, bench_env, gunicorn, load, percentile, request, scratch_database

DB = "tce_bench_registration"
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


def storm(base: str, path: str, headers: list[dict]) -> tuple[list[int], list[float]]:
    barrier = threading.Barrier(len(headers))
    statuses: list[int] = [0] * len(headers)
    latencies: list[float] = [0.0] * len(headers)

    def fire(i: int):
        barrier.wait()
        status, body, elapsed = request(base, "POST", path, headers=headers[i], body=b"")
        statuses[i], latencies[i] = status, elapsed
        if i == 0 and os.environ.get("BENCH_VERBOSE"):
            print("first response:", status, body[:300])

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(headers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter load phases")
    args = parser.parse_args()
    env = bench_env(DB)
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.db import connection

        from events.models import Registration
        from events.selectors import roster_for_session

        event, target, storm_users, one_user = populate(200, 2000, 500)
        csrf = secrets.token_hex(16)
        logged_in = auth_headers(cookie_for(one_user), csrf)
        storm_headers = [auth_headers(cookie_for(u), csrf) for u in storm_users]
        connection.close()
        seconds = 4 if args.quick else 8
        results: dict = {}

        with gunicorn(env, workers=2, threads=1) as base:
            for path in ("/bench/one-query", f"/events/{event.slug}/"):
                request(base, "GET", path)  # warm up (and fill the anonymous cache)
            base_rps = load(base, "/bench/one-query", seconds=seconds, clients=6)
            anon = load(base, f"/events/{event.slug}/", seconds=seconds, clients=6)
            personal = load(
                base, f"/events/{event.slug}/", seconds=seconds, clients=6, headers=logged_in
            )
        results["agenda"] = {"one_query": base_rps, "anonymous": anon, "logged_in": personal}
        print(
            f"agenda (200 sessions, 2,000 registrations): one-query view {base_rps['rps']:.0f} req/s; "
            f"anonymous agenda {anon['rps']:.0f} req/s = {anon['rps'] / base_rps['rps']:.2f}x; "
            f"logged-in agenda {personal['rps']:.0f} req/s = {personal['rps'] / base_rps['rps']:.2f}x "
            f"(p50 {personal['p50_ms']:.0f} ms); errors {base_rps['errors'] + anon['errors'] + personal['errors']}"
        )

        register_path = f"/events/{event.slug}/sessions/{target.pk}/register/"
        with gunicorn(env, workers=4, threads=8) as base:
            statuses, latencies = storm(base, register_path, storm_headers)
            roster = roster_for_session(session=target)
            confirmed = [r for r in roster if r.status == "confirmed"]
            waitlisted = [r for r in roster if r.status == "waitlisted"]
            positions = [r.position for r in waitlisted]
            ok = (
                len(confirmed) == 50
                and len(waitlisted) == 450
                and positions == list(range(1, 451))
                and all(s < 500 for s in statuses)
            )
            results["storm"] = {
                "requests": len(statuses),
                "confirmed": len(confirmed),
                "waitlisted": len(waitlisted),
                "positions_1_to_n": positions == list(range(1, 451)),
                "responses_5xx": sum(s >= 500 for s in statuses),
                "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))},
                "p50_ms": statistics.median(latencies) * 1000,
                "p95_ms": percentile(latencies, 0.95) * 1000,
                "max_ms": max(latencies) * 1000,
            }
            storm_result = results["storm"]
            print(
                f"storm: 500 trainees register for 50 seats at once -> {storm_result['confirmed']} confirmed, "
                f"{storm_result['waitlisted']} waitlisted, positions 1..450 without gaps: {storm_result['positions_1_to_n']}, "
                f"responses >= 500: {storm_result['responses_5xx']}; p50 {storm_result['p50_ms']:.0f} ms, "
                f"p95 {storm_result['p95_ms']:.0f} ms, max {storm_result['max_ms']:.0f} ms"
            )
            connection.close()
            by_user = {u.pk: h for u, h in zip(storm_users, storm_headers, strict=True)}
            cancellers = [by_user[r.user_id] for r in confirmed[:10]]
            first_waiting = {r.user_id for r in waitlisted[:10]}
            cancel_path = f"/events/{event.slug}/sessions/{target.pk}/cancel/"
            statuses, latencies = storm(base, cancel_path, cancellers)
            now = Registration.objects.filter(session=target)
            promoted = set(
                now.filter(status="confirmed", user_id__in=first_waiting).values_list(
                    "user_id", flat=True
                )
            )
            results["cancellations"] = {
                "requests": 10,
                "responses_5xx": sum(s >= 500 for s in statuses),
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


if __name__ == "__main__":
    sys.exit(main())
