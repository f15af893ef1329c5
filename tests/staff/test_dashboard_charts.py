"""The dashboard's charts beyond seats against demand: every number on the page equals a count
made here straight from the database, catering only for its permission, attendance only for
sessions that have started, and the same number of queries for 5 sessions or 50."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TRAINEE_STAGES, CareerPath, CareerStage, Profile
from events.models import LunchRotation, Registration, Session, TableSeat
from mentorship.models import Meeting, MentorOffer, ParticipationStatus, TraineeSignup
from tests.conftest import login_session_queries
from tests.factories import (
    EventFactory,
    LunchRotationFactory,
    LunchSessionFactory,
    LunchTableFactory,
    MeetingFactory,
    MentorOfferFactory,
    ProfileFactory,
    RegistrationFactory,
    SessionFactory,
    SpeedMentoringSessionFactory,
    SpeedMentoringSlotFactory,
    TableSeatFactory,
    TraineeSignupFactory,
    UserFactory,
    approve_mentor,
    staff_with,
)

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
DASHBOARD = reverse("staff:dashboard")
Status = Registration.Status
ACTIVE = [Status.CONFIRMED, Status.WAITLISTED]
# During the meeting: the morning talks (from 9:00) have started, the afternoon ones not.
DURING = dt.datetime(2030, 12, 6, 12, 30, tzinfo=NY)


def _person(stage=CareerStage.FELLOW, interests=(), dietary=""):
    user = UserFactory()
    profile = ProfileFactory(user=user, career_stage=stage, dietary_needs=dietary)
    profile.interests.set(interests)
    return user


def dashboard_world(event, *, sessions: int, people: int = 3):
    """Talks on three career paths with seats, waitlists, check-ins and places taken on
    different days (23:30 New York time, already the next day in UTC); a lunch with two
    rotations; a published Blood Buddies schedule with approved mentors; and what must never
    count: a listening session, a draft, cancelled places and meetings, a withdrawn trainee,
    an unpublished schedule."""
    paths = list(CareerPath.objects.order_by("order")[:3])
    staff = UserFactory(is_staff=True)
    for n in range(sessions):
        session = SessionFactory(
            event=event,
            title=f"Talk {n}",
            capacity=2 + n % 3,
            starts_at=dt.datetime(2030, 12, 6, 9 + n % 8, 0, tzinfo=NY),
            room__name=f"Grand ballroom salon {n}, level two, west wing of the convention center",
        )
        session.career_paths.set([paths[n % 3]])
        for k in range(people + n % 3):
            stage = CareerStage.EARLY_CAREER if k == 2 else CareerStage.RESIDENT
            user = _person(stage, interests=[paths[k % 3], paths[(k + n) % 3]])
            registration = RegistrationFactory(
                session=session,
                user=user,
                status=Status.CONFIRMED if k < session.capacity else Status.WAITLISTED,
                checked_in_at=DURING if k == 0 and n % 2 == 0 else None,
                checked_in_by=staff if k == 0 and n % 2 == 0 else None,
            )
            taken = dt.datetime(2030, 11, 1 + (k + n) % 4, 23, 30, tzinfo=NY)
            Registration.objects.filter(pk=registration.pk).update(created_at=taken)
        RegistrationFactory(session=session, status=Status.CANCELLED)

    lunch = LunchSessionFactory(event=event, title="Career lunch")
    rotations = [LunchRotationFactory(session=lunch, number=i) for i in (1, 2)]
    tables = [
        LunchTableFactory(session=lunch, career_path=paths[i % 2], seats=2)
        for i in range(1 + sessions // 10)
    ]
    for i in range(3 + sessions // 10):
        user = _person(dietary=["Vegetarian", "vegetarian ", "No nuts", ""][i % 4])
        RegistrationFactory(session=lunch, user=user)
        TableSeatFactory(
            table=tables[i % len(tables)],
            rotation=rotations[i % 2],
            user=user,
            status=TableSeat.Status.CONFIRMED
            if i < 2 * len(tables)
            else TableSeat.Status.WAITLISTED,
        )

    slot = SpeedMentoringSlotFactory(
        session=SpeedMentoringSessionFactory(event=event, title="Blood Buddies"),
        rounds=3,
        published_at=DURING,
    )
    mentors = []
    for i in range(2 + sessions // 10):
        mentor = _person(CareerStage.SENIOR)
        mentor.profile.expertise.set([paths[1]])
        approve_mentor(mentor)
        mentors.append(MentorOfferFactory(slot=slot, mentor=mentor, capacity=1 + i % 2))
    held = _person(CareerStage.SENIOR)  # not approved: no supply
    held.profile.expertise.set([paths[2]])
    MentorOfferFactory(slot=slot, mentor=held)
    for i in range(4 + sessions // 5):
        signup = TraineeSignupFactory(slot=slot, trainee=_person(interests=[paths[1]]))
        RegistrationFactory(session=slot.session, user=signup.trainee)
        for round_ in range(1, 1 + i % 3):
            MeetingFactory(signup=signup, offer=mentors[round_ % len(mentors)], round=round_)
    cancelled = TraineeSignupFactory(slot=slot)
    MeetingFactory(signup=cancelled, offer=mentors[0], status=Meeting.Status.CANCELLED)
    TraineeSignupFactory(slot=slot, status=ParticipationStatus.WITHDRAWN)
    unpublished = SpeedMentoringSlotFactory(
        session=SpeedMentoringSessionFactory(event=event, title="Later buddies")
    )
    TraineeSignupFactory(slot=unpublished)

    listening = SessionFactory(event=event, title="Listening circle", kind=Session.Kind.LISTENING)
    RegistrationFactory(session=listening, user=_person(interests=paths))
    draft = SessionFactory(event=event, title="Draft talk", is_published=False)
    RegistrationFactory(session=draft)
    # The lunch's and Blood Buddies' places were taken the week before the meeting.
    Registration.objects.filter(session__event=event, created_at__year__lt=2030).update(
        created_at=dt.datetime(2030, 11, 29, 10, 0, tzinfo=NY)
    )


def _shown(event):
    return Session.objects.filter(event=event, is_published=True).exclude(
        kind=Session.Kind.LISTENING
    )


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()


def _table(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption: the row header, then every cell, as text."""
    match = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    assert match, caption
    body = match.group(1).split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(_text(cell)) for cell in cells])
    return rows


@pytest.fixture
def world(event):
    dashboard_world(event, sessions=6)
    return event


def _page(client, event, *permissions: str) -> str:
    client.force_login(staff_with("events.view_registration", *permissions))
    with time_machine.travel(DURING, tick=False):
        response = client.get(DASHBOARD, {"event": event.slug})
    assert response.status_code == 200
    return response.content.decode()


def test_registrations_per_day_in_the_events_zone(client, world):
    html = _page(client, world)
    held = Registration.objects.filter(session__in=_shown(world), status__in=ACTIVE)
    per_day = Counter(r.created_at.astimezone(NY).date() for r in held)
    rows = _table(html, "New places per day, days in America/New_York")
    total = 0
    expected = []
    for day in sorted(per_day):
        total += per_day[day]
        expected.append([day.strftime("%a, %b %-d, %Y"), str(per_day[day]), str(total)])
    assert rows == expected
    # 23:30 in New York is the next day in UTC: the days are New York's.
    days = [r[0] for r in rows]
    assert "Fri, Nov 1, 2030" in days and "Mon, Nov 4, 2030" in days
    assert "Tue, Nov 5, 2030" not in days
    assert f"{held.count()} in all" in html


def test_waitlists_longest_first(client, world):
    rows = _table(_page(client, world), "Waitlist length per session")
    expected = sorted(
        (
            (s.registrations.filter(status=Status.WAITLISTED).count(), s.title, s.capacity)
            for s in _shown(world)
            if s.registrations.filter(status=Status.WAITLISTED).exists()
        ),
        key=lambda t: -t[0],
    )
    assert [(int(r[1]), r[0]) for r in rows] == [(n, title) for n, title, _ in expected]


def test_interests_against_the_offer_per_career_path(client, world):
    rows = {
        r[0].removesuffix(" short"): r
        for r in _table(
            _page(client, world),
            "Interests of registered trainees against the program's offer per career path",
        )
    }
    shown = _shown(world)
    for path in CareerPath.objects.all():
        interested = (
            Profile.objects.filter(
                interests=path,
                career_stage__in=TRAINEE_STAGES,
                user__registrations__session__in=shown,
                user__registrations__status__in=ACTIVE,
            )
            .distinct()
            .count()
        )
        talks = shown.filter(career_paths=path, registration_mode=Session.Mode.OPEN)
        lunch_tables = path.lunch_tables.filter(session__in=shown)
        offers = MentorOffer.objects.filter(
            slot__session__in=shown,
            status=ParticipationStatus.ACTIVE,
            mentor__mentor_approval__status="approved",
            mentor__profile__expertise=path,
        )
        places = sum(s.capacity for s in talks)
        places += sum(
            t.seats * LunchRotation.objects.filter(session=t.session).count() for t in lunch_tables
        )
        places += sum(o.capacity * o.slot.rounds for o in offers)
        row = rows[path.name]
        assert row[1:6] == [
            str(interested),
            str(places),
            str(talks.count()),
            str(lunch_tables.count()),
            str(offers.values("mentor").distinct().count()),
        ], path.name
        assert row[0].endswith(" short") == (places < interested), path.name
    assert any(r[0].endswith(" short") for r in rows.values())  # the world has a short path


def test_blood_buddies_coverage_counts_conversations_per_trainee(client, world):
    rows = _table(_page(client, world), "Trainees by number of Blood Buddies conversations")
    signups = TraineeSignup.objects.filter(
        slot__session__in=_shown(world),
        slot__published_at__isnull=False,
        status=ParticipationStatus.ACTIVE,
    )
    got = Counter(s.meetings.filter(status=Meeting.Status.SCHEDULED).count() for s in signups)
    assert [[str(n), str(got[n])] for n in range(max(got) + 1)] == [r[:2] for r in rows]
    assert got[0] >= 2  # the one whose meeting was cancelled counts as none


def test_lunch_seats_per_rotation(client, world):
    rows = _table(_page(client, world), "Lunch seats per rotation, times in America/New_York")
    lunch = Session.objects.get(event=world, title="Career lunch")
    seats = sum(t.seats for t in lunch.lunch_tables.all())
    expected = []
    for rotation in lunch.lunch_rotations.order_by("number"):
        picks = TableSeat.objects.filter(rotation=rotation)
        expected.append(
            [
                str(picks.filter(status=TableSeat.Status.CONFIRMED).count()),
                str(seats),
                str(picks.filter(status=TableSeat.Status.WAITLISTED).count()),
            ]
        )
    assert [r[1:4] for r in rows] == expected
    assert rows[0][0].startswith("Career lunch, rotation 1 Sat, Dec 7, 12:00 America/New_York")


def test_catering_needs_only_for_holders_of_its_permission(client, world):
    without = _page(client, world)
    assert "Catering needs" not in without and "Vegetarian" not in without
    html = _page(client, world, "events.view_catering_needs")
    lunch = Session.objects.get(event=world, title="Career lunch")
    confirmed = Registration.objects.filter(session=lunch, status=Status.CONFIRMED)
    needs = Counter(
        " ".join(r.user.profile.dietary_needs.split()).casefold()
        for r in confirmed
        if r.user.profile.dietary_needs.strip()
    )
    assert f"{confirmed.count()} meals" in html
    rows = _table(html, "Dietary needs at Career lunch")
    assert {(r[0].casefold(), int(r[1])) for r in rows} == set(needs.items())


def test_attendance_for_started_sessions_per_session_and_per_kind(client, world):
    html = _page(client, world)
    started = [
        s
        for s in _shown(world).order_by("starts_at", "title")
        if s.starts_at <= DURING and s.registrations.filter(status=Status.CONFIRMED).exists()
    ]
    expected = []
    for s in started:
        confirmed = s.registrations.filter(status=Status.CONFIRMED)
        checked = confirmed.filter(checked_in_at__isnull=False).count()
        rate = round(100 * checked / confirmed.count())
        expected.append(
            [s.title, str(checked), str(confirmed.count()), f"{rate}%", f"{100 - rate}%"]
        )
    assert sorted(r[:5] for r in _table(html, "Attendance per session")) == sorted(expected)
    assert "Talk 4" not in [r[0] for r in expected]  # starts at 13:00: not yet
    talks = [s for s in started if s.kind == Session.Kind.MICRO_LEARNING]
    confirmed = sum(s.registrations.filter(status=Status.CONFIRMED).count() for s in talks)
    checked = sum(
        s.registrations.filter(status=Status.CONFIRMED, checked_in_at__isnull=False).count()
        for s in talks
    )
    kinds = {r[0]: r[1:3] for r in _table(html, "Attendance per kind of session")}
    assert kinds["Micro-learning"] == [str(checked), str(confirmed)]


def test_attendance_waits_for_check_in(client, event):
    SessionFactory(event=event, starts_at=dt.datetime(2030, 12, 6, 9, 0, tzinfo=NY))
    RegistrationFactory(session=Session.objects.get(event=event))
    html = _page(client, event)
    assert "Check-in has not started" in html
    assert "Attendance per session" not in html


def test_nothing_of_listening_sessions_and_no_names(client, world):
    html = _page(client, world, "events.view_catering_needs")
    assert "Listening circle" not in html and "Draft talk" not in html
    assert "Later buddies" not in _text(html.split("coverage-heading", 1)[1])
    for user in Registration.objects.filter(session__event=world).select_related("user")[:50]:
        assert user.user.name not in html and user.user.email not in html


def _queries(client, event) -> int:
    with time_machine.travel(DURING, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(DASHBOARD, {"event": event.slug}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("catering", [False, True])
def test_page_queries_do_not_grow_with_the_event(client, catering):
    small, large = EventFactory(slug="small"), EventFactory(slug="large")
    dashboard_world(small, sessions=5, people=2)
    dashboard_world(large, sessions=50, people=2)
    permissions = ["events.view_catering_needs"] if catering else []
    client.force_login(staff_with("events.view_registration", *permissions))
    # The user, their permissions (user and group), the event, the sessions with their counts,
    # the career-stage mix; then lunch tables, rotations with their seats, mentor offers,
    # the places per day, the interests, the sessions' career paths, the paths, Blood Buddies
    # coverage; and the catering needs for holders of that permission.
    budget = login_session_queries() + 6 + 8 + catering
    assert _queries(client, small) == budget
    assert _queries(client, large) == budget
