"""Two staff checking in 300 people at one door through the real view, over real HTTP against
gunicorn + PostgreSQL.

    DEBUG=1 uv run python benchmarks/bench_checkin.py

A session with 300 confirmed people. Two staff members, each in a client process of their
own (the server's processes are others), work through the whole list from opposite ends, as
two people at one door who both tap whoever reaches them: a tap is what the phone does —
search the person's email, POST "Check in" with the search kept, follow the redirect to the
filtered list and read the message. They meet in the middle, so 600 taps: 300 make a mark and
300 find it made ("already checked in; nothing changed"). Time per tap (POST + the page after
it) p50/p95. Afterwards: each of the 300 marked exactly once — one tap said "is checked in",
the row holds that staff member as its marker — and nobody else changed.

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432); creates and drops
its own database.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_registration import cookie_for
from benchmarks.common import ROOT, bench_env, gunicorn, percentile, request, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_checkin"
PEOPLE = 300


def populate():
    import zoneinfo

    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from accounts.models import Profile, User
    from events.models import Event, Registration, Room, Session

    tz = zoneinfo.ZoneInfo("America/New_York")
    today = timezone.now().astimezone(tz).date()
    event = Event.objects.create(
        slug="bench", name="Benchmark meeting", timezone="America/New_York", city="Orlando",
        starts_on=today, ends_on=today + dt.timedelta(days=2),
    )  # fmt: skip
    room = Room.objects.create(event=event, name="Hall A", capacity=400)
    start = timezone.now() + dt.timedelta(minutes=10)
    session = Session.objects.create(
        event=event, title="Giving a scientific talk", kind="didactic", room=room,
        starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=PEOPLE,
        registration_mode="open",
    )  # fmt: skip
    other = Session.objects.create(
        event=event, title="Another talk", kind="didactic", room=room,
        starts_at=start + dt.timedelta(hours=2), ends_at=start + dt.timedelta(hours=3),
        capacity=50, registration_mode="open",
    )  # fmt: skip
    users = [
        User(email=f"attendee{i:03d}@bench.example.org", name=f"Attendee {i:03d}")
        for i in range(PEOPLE + 20)
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
    Registration.objects.bulk_create(
        [Registration(session=session, user=u, status="confirmed") for u in users[:PEOPLE]]
        + [Registration(session=session, user=u, status="waitlisted") for u in users[PEOPLE:]]
        + [Registration(session=other, user=u, status="confirmed") for u in users[:20]]
    )
    permission = Permission.objects.get(
        content_type__app_label="events", codename="change_registration"
    )
    staff = []
    for name in ("Door A", "Door B"):
        user = User.objects.create_user(
            email=f"{name.lower().replace(' ', '')}@bench.example.org", password=None, name=name
        )
        user.is_staff = True
        user.save()
        user.user_permissions.add(permission)
        staff.append(user)
    people = list(
        Registration.objects.filter(session=session, status="confirmed")
        .select_related("user")
        .order_by("user__email")
        .values_list("pk", "user__email")
    )
    return session, staff, people


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]
    return jar


def _door(job) -> list[tuple[int, str, float]]:
    """One staff member's phone: for each person in `order`, search, tap "Check in", follow
    the redirect; returns (registration id, what the page said, seconds) per tap."""
    host, port, session_id, session_key, order, start_at = job
    csrf = secrets.token_hex(16)
    cookies = {"sessionid": session_key, "csrftoken": csrf}
    conn = http.client.HTTPConnection(host, port, timeout=60)
    results = []
    time.sleep(max(0.0, start_at - time.time()))
    for registration_id, email in order:
        started = time.perf_counter()
        body = urlencode({"attended": "1", "q": email, "csrfmiddlewaretoken": csrf})
        conn.request(
            "POST",
            f"/staff/checkin/{session_id}/{registration_id}/",
            body=body,
            headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{host}:{port}/staff/checkin/{session_id}/",
            },
        )
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            results.append((registration_id, f"POST {response.status}", 0.0))
            continue
        cookies.update(_cookies(response))  # the message travels in a cookie
        location = response.getheader("Location") or ""
        conn.request(
            "GET",
            urlsplit(location)._replace(scheme="", netloc="").geturl(),
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        )
        page = conn.getresponse()
        text = page.read().decode()
        cookies.update(_cookies(page))
        cookies = {k: v for k, v in cookies.items() if v not in ("", '""')}  # spent message
        elapsed = time.perf_counter() - started
        message = re.search(r'<li class="message[^"]*">(.*?)</li>', text, re.S)
        said = html.unescape(message.group(1)) if message else f"GET {page.status}, no message"
        results.append((registration_id, said, elapsed))
    conn.close()
    return results


def main() -> int:
    env = bench_env(DB)
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.db import connection

        from events.models import Registration

        session, staff, people = populate()
        keys = [cookie_for(user) for user in staff]
        before_other = list(
            Registration.objects.exclude(session=session)
            .order_by("pk")
            .values_list("pk", "status", "checked_in_at")
        )
        connection.close()
        with gunicorn(env, workers=2, threads=4) as base:
            parts = urlsplit(base)
            request(base, "GET", f"/staff/checkin/{session.pk}/")  # warm up
            start_at = time.time() + 2.0
            orders = [people, list(reversed(people))]  # two ends of the line
            jobs = [
                (parts.hostname, parts.port, session.pk, key, order, start_at)
                for key, order in zip(keys, orders, strict=True)
            ]
            started = time.perf_counter()
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                answers = pool.map(_door, jobs)
            wall = time.perf_counter() - started - 2.0

        taps = [tap for answer in answers for tap in answer]
        marked_by: dict[int, list[int]] = {}
        already = other = 0
        for door, answer in enumerate(answers):
            for registration_id, said, _ in answer:
                if said.endswith("is checked in."):
                    marked_by.setdefault(registration_id, []).append(staff[door].pk)
                elif "was already checked in; nothing changed." in said:
                    already += 1
                else:
                    other += 1
        rows = dict(
            Registration.objects.filter(session=session, status="confirmed").values_list(
                "pk", "checked_in_by_id"
            )
        )
        in_db = Registration.objects.filter(session=session, checked_in_at__isnull=False).count()
        waitlisted_marked = Registration.objects.filter(
            session=session, status="waitlisted", checked_in_at__isnull=False
        ).count()
        after_other = list(
            Registration.objects.exclude(session=session)
            .order_by("pk")
            .values_list("pk", "status", "checked_in_at")
        )
        connection.close()

    times = [t for _, _, t in taps if t]
    exactly_once = (
        len(marked_by) == PEOPLE
        and all(len(by) == 1 for by in marked_by.values())
        and all(rows[pk] == by[0] for pk, by in marked_by.items())
        and in_db == PEOPLE
    )
    ok = (
        exactly_once
        and already == PEOPLE
        and other == 0
        and waitlisted_marked == 0
        and before_other == after_other
    )
    per_door = [
        sum(1 for _, said, _ in answer if said.endswith("is checked in.")) for answer in answers
    ]
    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    print(
        f"check-in: 2 staff, one door, {PEOPLE} confirmed people, from 2 client processes "
        f"against gunicorn (2 workers × 4 threads): {len(taps)} taps (search, POST, the page "
        f"after it) in {wall:.1f} s; per tap p50 {p50:.0f} ms, p95 {p95:.0f} ms; marks made "
        f"{sum(per_door)} (door A {per_door[0]}, door B {per_door[1]}), 'already checked in' "
        f"{already}, anything else {other}; in the database {in_db} marked, each exactly once "
        f"by the staff member whose tap made it: {exactly_once}; other sessions unchanged: "
        f"{before_other == after_other}"
    )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "checkin.json").write_text(
        json.dumps(
            {
                "people": PEOPLE,
                "taps": len(taps),
                "seconds": wall,
                "p50_ms": p50,
                "p95_ms": p95,
                "marks": per_door,
                "already": already,
                "other": other,
                "exactly_once": exactly_once,
            },
            indent=2,
        )
    )
    print("check-in benchmark:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
