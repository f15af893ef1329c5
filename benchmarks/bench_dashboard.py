"""The staff dashboard of a big meeting, rendered by the real view: wall time per render over
real HTTP against gunicorn + PostgreSQL, next to the logged-in one-query view of the same run,
and the page's query count.

    DEBUG=1 uv run python benchmarks/bench_dashboard.py [--quick]

200 sessions and 10,000 registrations (2,500 trainees with career stages and interests, places
taken over 30 days, half of the seats checked in), a career lunch of 20 tables × 3 rotations
with 480 seats taken, and a published Blood Buddies schedule (30 mentors, 240 trainees, 6
rounds). The viewer holds `events.view_registration` and `events.view_catering_needs`, so
every chart is drawn. Requests come one at a time from this process (the server's are
others): the figure is what one staff member waits, not throughput.

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_registration import auth_headers, cookie_for
from benchmarks.common import ROOT, bench_env, gunicorn, percentile, request, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_dashboard"
SESSIONS = 200
REGISTRATIONS = 10_000
TRAINEES = 2_500
# The page's queries, as tests/staff/test_dashboard_charts.py counts them (the login session
# comes from Redis): user, permissions (user and group), event, sessions, stages, 8 charts
# and the catering needs.
EXPECTED_QUERIES = 6 + 8 + 1


def populate():
    """The meeting started yesterday in its own zone, so every session has started and the
    attendance charts are drawn too."""
    import zoneinfo

    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.utils import timezone

    from accounts.models import CareerPath, MentorApproval, Profile, User
    from events.models import (
        Event,
        LunchRotation,
        LunchTable,
        Registration,
        Room,
        Session,
        TableSeat,
    )
    from mentorship.models import Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup

    tz = zoneinfo.ZoneInfo("America/New_York")
    first_day = timezone.now().astimezone(tz).date() - dt.timedelta(days=1)
    event = Event.objects.create(
        slug="bench", name="Benchmark meeting", timezone="America/New_York", city="Orlando",
        starts_on=first_day, ends_on=first_day + dt.timedelta(days=3),
    )  # fmt: skip
    start_of = dt.datetime.combine(first_day, dt.time(8, 0), tzinfo=tz)
    rooms = [
        Room.objects.create(event=event, name=f"Room W{200 + i}", capacity=40) for i in range(10)
    ]
    paths = list(CareerPath.objects.all())
    kinds = ["micro_learning", "blood_drop", "didactic"]
    sessions = Session.objects.bulk_create(
        [
            Session(
                event=event, title=f"Session {i}", kind=kinds[i % 3],
                starts_at=start_of + dt.timedelta(minutes=10 * (i % 50)),
                ends_at=start_of + dt.timedelta(minutes=10 * (i % 50) + 30),
                room=rooms[i % 10], capacity=[30, 40, 60][i % 3], registration_mode="open",
            )
            for i in range(SESSIONS - 2)
        ]
    )  # fmt: skip
    through = Session.career_paths.through
    through.objects.bulk_create(
        [through(session=s, careerpath=paths[i % len(paths)]) for i, s in enumerate(sessions)]
    )
    lunch = Session.objects.create(
        event=event, title="Career lunch", kind="career_lunch", registration_mode="tables",
        starts_at=start_of + dt.timedelta(hours=4), ends_at=start_of + dt.timedelta(hours=5, minutes=30),
    )  # fmt: skip
    buddies = Session.objects.create(
        event=event, title="Blood Buddies", kind="speed_mentoring", registration_mode="matched",
        starts_at=start_of + dt.timedelta(hours=6), ends_at=start_of + dt.timedelta(hours=7), capacity=240,
    )  # fmt: skip

    users = [User(email=f"t{i}@bench.example.org", name=f"Trainee {i}") for i in range(TRAINEES)]
    users += [User(email=f"m{i}@bench.example.org", name=f"Mentor {i}") for i in range(30)]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    trainees, mentors = users[:TRAINEES], users[TRAINEES:]
    stages = ["medical_student", "resident", "fellow", "graduate_postdoc", "early_career"]
    profiles = Profile.objects.bulk_create(
        [
            Profile(
                user=u, career_stage=stages[i % 5] if i < TRAINEES else "senior",
                dietary_needs=["", "", "Vegetarian", "Gluten-free", "vegan"][i % 5],
                calendar_token=secrets.token_urlsafe(24),
            )
            for i, u in enumerate(users)
        ]
    )  # fmt: skip
    Profile.interests.through.objects.bulk_create(
        [
            Profile.interests.through(profile=p, careerpath=paths[(i + k) % len(paths)])
            for i, p in enumerate(profiles[:TRAINEES])
            for k in (0, 3)
        ]
    )
    Profile.expertise.through.objects.bulk_create(
        [
            Profile.expertise.through(profile=p, careerpath=paths[i % len(paths)])
            for i, p in enumerate(profiles[TRAINEES:])
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    now = timezone.now()
    MentorApproval.objects.bulk_create(
        [MentorApproval(user=m, status="approved", decided_at=now) for m in mentors]
    )

    # 10,000 places: each trainee on 4 sessions (the lunch and Blood Buddies among them for
    # some); the first seats of a session are confirmed, the rest waitlisted.
    taken: dict[int, int] = {}
    registrations = []
    for n in range(REGISTRATIONS - 480 - 240):
        user = trainees[n % TRAINEES]
        session = sessions[(n // TRAINEES * 37 + n) % len(sessions)]
        taken[session.pk] = taken.get(session.pk, 0) + 1
        confirmed = taken[session.pk] <= session.capacity
        registrations.append(
            Registration(
                session=session, user=user, status="confirmed" if confirmed else "waitlisted",
                checked_in_at=now if confirmed and n % 2 else None,
            )
        )  # fmt: skip
    registrations += [
        Registration(session=lunch, user=u, status="confirmed") for u in trainees[:480]
    ]
    buddy_regs = Registration.objects.bulk_create(
        [Registration(session=buddies, user=u, status="confirmed") for u in trainees[480:720]]
    )
    Registration.objects.bulk_create(registrations)
    with connection.cursor() as cursor:  # places taken over the 30 days before the meeting
        cursor.execute(
            "UPDATE events_registration SET created_at = %s - (id %% 30) * interval '1 day'",
            [start_of - dt.timedelta(days=1)],
        )

    tables = LunchTable.objects.bulk_create(
        [
            LunchTable(session=lunch, number=i + 1, career_path=paths[i % len(paths)], seats=8)
            for i in range(20)
        ]
    )
    rotations = LunchRotation.objects.bulk_create(
        [
            LunchRotation(
                session=lunch, number=r + 1,
                starts_at=lunch.starts_at + dt.timedelta(minutes=25 * r),
                ends_at=lunch.starts_at + dt.timedelta(minutes=25 * (r + 1)),
            )
            for r in range(3)
        ]
    )  # fmt: skip
    TableSeat.objects.bulk_create(
        [
            TableSeat(
                rotation=rotations[r], table=tables[(i + 7 * r) % 20], user=u,
                status="confirmed" if i < 160 else "waitlisted",
            )
            for r in range(3)
            for i, u in enumerate(trainees[:170])
        ]
    )  # fmt: skip

    slot = SpeedMentoringSlot.objects.create(
        session=buddies, rounds=6, minutes_per_round=10, tables=30, published_at=now
    )
    offers = MentorOffer.objects.bulk_create(
        [
            MentorOffer(slot=slot, mentor=m, capacity=1 + i % 3, table=i + 1)
            for i, m in enumerate(mentors)
        ]
    )
    signups = TraineeSignup.objects.bulk_create(
        [TraineeSignup(slot=slot, trainee=r.user, registration=r) for r in buddy_regs]
    )
    meetings = []
    for i, signup in enumerate(signups):
        for round_ in range(1, 1 + i % 5):
            offer = offers[(i + round_) % len(offers)]
            meetings.append(
                Meeting(slot=slot, round=round_, table=offer.table, signup=signup, offer=offer)
            )
    Meeting.objects.bulk_create(meetings)

    staff = User.objects.create_user(email="staff@bench.example.org", password=None, name="Staff")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="events",
            codename__in=["view_registration", "view_catering_needs"],
        )
    )
    return event, staff, Registration.objects.filter(session__event=event).count()


def count_queries(event, staff) -> tuple[int, int, float]:
    """The real view in this process through Django's test client: its queries and size."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get("/staff/dashboard/", {"event": event.slug})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), len(response.content), elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer renders")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only a pyinstrument profile of 5 renders, in process",
    )
    args = parser.parse_args()
    renders = 10 if args.quick else 30
    env = bench_env(DB)
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.db import connection

        event, staff, registrations = populate()
        if args.profile:
            from django.test import Client

            from benchmarks.profile import timed

            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(staff)
            timed("dashboard", lambda: client.get(f"/staff/dashboard/?event={event.slug}"), 5)
            return 0
        queries, size, in_process = count_queries(event, staff)
        headers = auth_headers(cookie_for(staff), secrets.token_hex(16))
        connection.close()
        path = f"/staff/dashboard/?event={event.slug}"
        times, floor, statuses = [], [], []
        with gunicorn(env, workers=2, threads=1) as base:
            for _ in range(3):  # warm up both workers
                request(base, "GET", path, headers=headers)
                request(base, "GET", "/bench/one-query", headers=headers)
            for _ in range(renders):  # alternating: other load on the machine hits both alike
                status, _, elapsed = request(base, "GET", path, headers=headers)
                statuses.append(status)
                times.append(elapsed)
                status, _, elapsed = request(base, "GET", "/bench/one-query", headers=headers)
                statuses.append(status)
                floor.append(elapsed)

    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    floor_p50 = statistics.median(floor) * 1000
    ok = all(s == 200 for s in statuses) and queries == EXPECTED_QUERIES
    print(
        f"dashboard ({SESSIONS} sessions, {registrations:,} registrations, lunch 20 tables × 3 "
        f"rotations, Blood Buddies 240 trainees × 30 mentors; every chart, catering included): "
        f"{queries} queries (expected {EXPECTED_QUERIES}), {size / 1024:.0f} KiB of HTML; "
        f"over HTTP, one request at a time, {renders} renders: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"mean {statistics.mean(times) * 1000:.0f} ms; the logged-in one-query view in the same "
        f"run: p50 {floor_p50:.1f} ms; in process (test client, first render) {in_process * 1000:.0f} ms"
    )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "dashboard.json").write_text(
        json.dumps(
            {
                "sessions": SESSIONS,
                "registrations": registrations,
                "queries": queries,
                "html_bytes": size,
                "p50_ms": p50,
                "p95_ms": p95,
                "floor_p50_ms": floor_p50,
                "renders": renders,
            },
            indent=2,
        )
    )
    print("dashboard benchmark:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
