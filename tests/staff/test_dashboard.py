"""The staff dashboard and its CSV: numbers counted from the database, who may open them, and
a query count that does not grow with the event."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CareerStage
from events.models import Registration, Session
from tests.conftest import login_session_queries
from tests.factories import (
    EventFactory,
    ProfileFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    UserFactory,
    staff_with,
)

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
DASHBOARD = reverse("staff:dashboard")
CSV_URL = reverse("staff:dashboard_csv")
COLUMNS = "session_id,title,starts_at,room,capacity,confirmed,waitlisted,checked_in"
Status = Registration.Status


@pytest.fixture
def holder_client(client):
    client.force_login(staff_with("events.view_registration"))
    return client


def _programme(event, *, sessions: int = 3, people: int = 4):
    """Sessions with different demand, some checked in, a cancelled place, a listening session
    with registrations that must never show, and a draft session."""
    staff = UserFactory(is_staff=True)
    made = []
    for n in range(sessions):
        session = SessionFactory(
            event=event,
            title=f"Talk {n}",
            capacity=2 + n,
            starts_at=dt.datetime(2030, 12, 6, 9 + n % 8, 0, tzinfo=NY),
        )
        for k in range(people + n):
            user = UserFactory()
            ProfileFactory(
                user=user, career_stage=[CareerStage.RESIDENT, CareerStage.FELLOW][k % 2]
            )
            status = Status.CONFIRMED if k < session.capacity else Status.WAITLISTED
            RegistrationFactory(
                session=session,
                user=user,
                status=status,
                checked_in_at=timezone.now() if k == 0 else None,
                checked_in_by=staff if k == 0 else None,
            )
        RegistrationFactory(session=session, status=Status.CANCELLED)
        made.append(session)
    listening = SessionFactory(event=event, title="Listening circle", kind=Session.Kind.LISTENING)
    RegistrationFactory(session=listening)
    draft = SessionFactory(event=event, title="Draft talk", is_published=False)
    RegistrationFactory(session=draft)
    return made


def _expected_rows(event) -> dict[int, dict]:
    """The counts straight from the database, one query per session (no shared code with the
    selector)."""
    rows = {}
    for session in Session.objects.filter(event=event, is_published=True).exclude(
        kind=Session.Kind.LISTENING
    ):
        regs = Registration.objects.filter(session=session)
        rows[session.pk] = {
            "title": session.title,
            "capacity": session.capacity,
            "confirmed": regs.filter(status=Status.CONFIRMED).count(),
            "waitlisted": regs.filter(status=Status.WAITLISTED).count(),
            "checked_in": regs.filter(status=Status.CONFIRMED, checked_in_at__isnull=False).count(),
            "starts_at": session.starts_at.astimezone(NY).isoformat(),
            "room": session.room.name,
        }
    return rows


def test_csv_numbers_equal_the_database_sorted_by_demand(holder_client, event):
    _programme(event)
    response = holder_client.get(CSV_URL, {"event": event.slug})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert lines[0] == COLUMNS
    got = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = _expected_rows(event)
    assert {int(row["session_id"]) for row in got} == set(expected)
    for row in got:
        want = expected[int(row["session_id"])]
        assert row["title"] == want["title"]
        assert row["starts_at"] == want["starts_at"]
        assert row["starts_at"].endswith("-05:00")  # New York in December
        assert row["room"] == want["room"]
        assert int(row["capacity"]) == want["capacity"]
        assert int(row["confirmed"]) == want["confirmed"]
        assert int(row["waitlisted"]) == want["waitlisted"]
        assert int(row["checked_in"]) == want["checked_in"]
    demand = [(int(r["confirmed"]) + int(r["waitlisted"])) / int(r["capacity"]) for r in got]
    assert demand == sorted(demand, reverse=True)
    assert "Listening circle" not in response.content.decode()
    assert "Draft talk" not in response.content.decode()


def test_page_shows_the_same_numbers_and_the_stage_mix(holder_client, event):
    _programme(event)
    response = holder_client.get(DASHBOARD, {"event": event.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Listening circle" not in html and "Draft talk" not in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<svg" in html and "times in America/New_York" in html
    for pk, want in _expected_rows(event).items():
        row = re.search(
            rf"<th scope=\"row\">{re.escape(want['title'])}</th>(.*?)</tr>", html, re.S
        ).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert [c.strip() for c in cells[2:6]] == [
            str(want["capacity"]),
            str(want["confirmed"]),
            str(want["waitlisted"]),
            str(want["checked_in"]),
        ]
    # Career stages: everyone with a seat or waitlist place on a shown session, once.
    shown = Session.objects.filter(event=event, is_published=True).exclude(
        kind=Session.Kind.LISTENING
    )
    mix = dict(
        Registration.objects.filter(
            session__in=shown, status__in=[Status.CONFIRMED, Status.WAITLISTED]
        )
        .values_list("user__profile__career_stage")
        .annotate(n=Count("user", distinct=True))
    )
    assert mix[CareerStage.RESIDENT] > 0 and mix[CareerStage.FELLOW] > 0
    for stage, label in [(CareerStage.RESIDENT, "Resident"), (CareerStage.FELLOW, "Fellow")]:
        assert re.search(rf"<th scope=\"row\">{label}</th>\s*<td[^>]*>{mix[stage]}</td>", html), (
            label
        )
    assert response.context["dashboard"].people == sum(mix.values())


def test_session_above_capacity_is_marked_and_first(holder_client, event):
    calm = SessionFactory(event=event, title="Calm talk", capacity=10)
    busy = SessionFactory(event=event, title="Busy talk", capacity=1)
    RegistrationFactory(session=calm)
    RegistrationFactory(session=busy)
    RegistrationFactory(session=busy, status=Status.WAITLISTED)
    html = holder_client.get(DASHBOARD).content.decode()
    assert html.index("Busy talk") < html.index("Calm talk")
    assert "200% <strong>over capacity</strong>" in html
    # The bar: waitlisted to 200% of the seats, confirmed to 100%, on a 200% wide scale.
    assert 'viewBox="0 0 200 14"' in html
    assert 'width="200" fill="#9bb8e0"' in html


def test_current_event_by_default_and_another_by_slug(holder_client, event):
    other = EventFactory(slug="older", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 2))
    SessionFactory(event=event, title="Coming talk")
    SessionFactory(event=other, title="Old talk")
    html = holder_client.get(DASHBOARD).content.decode()
    assert "Coming talk" in html and "Old talk" not in html
    html = holder_client.get(DASHBOARD, {"event": "older"}).content.decode()
    assert "Old talk" in html and "Coming talk" not in html
    assert holder_client.get(DASHBOARD, {"event": "no-such"}).status_code == 404
    assert holder_client.get(CSV_URL, {"event": "no-such"}).status_code == 404


def test_a_session_without_seats_has_no_demand_and_goes_last(holder_client, event):
    room = RoomFactory(event=event, capacity=None)
    SessionFactory(
        event=event,
        title="Reception",
        capacity=None,
        room=room,
        registration_mode=Session.Mode.DROP_IN,
    )
    SessionFactory(event=event, title="Talk")
    got = list(csv.DictReader(io.StringIO(holder_client.get(CSV_URL).content.decode())))
    assert [r["title"] for r in got] == ["Talk", "Reception"]
    assert got[1]["capacity"] == ""


@pytest.mark.parametrize("url", [DASHBOARD, CSV_URL])
def test_anonymous_is_sent_to_log_in(client, event, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [DASHBOARD, CSV_URL])
def test_staff_without_the_permission_get_403(client, event, url):
    client.force_login(staff_with("events.view_session"))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, CSV_URL])
def test_holder_of_the_permission_gets_200(holder_client, event, url):
    SessionFactory(event=event)
    assert holder_client.get(url).status_code == 200
    assert holder_client.post(url).status_code == 405


def _queries(client, url, event) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"event": event.slug}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [DASHBOARD, CSV_URL])
def test_query_count_does_not_grow_with_the_event(holder_client, url):
    small, large = EventFactory(slug="small"), EventFactory(slug="large")
    _programme(small, sessions=2, people=2)
    _programme(large, sessions=12, people=6)
    # Reading the login session (none when it is cached), the user, their permissions (user and
    # group), the event, the sessions with their counts, the career-stage mix; the page adds
    # its eight chart queries (tests/staff/test_dashboard_charts.py lists them, at 5 and 50
    # sessions with lunch seats and Blood Buddies meetings).
    budget = login_session_queries() + 6 + (8 if url == DASHBOARD else 0)
    assert _queries(holder_client, url, small) == budget
    assert _queries(holder_client, url, large) == budget
