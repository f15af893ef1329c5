"""The sessions list in admin reads like a program (issue 13, admin part): day and time in the
event's zone, room, kind, seats taken of the capacity, waitlist length; filters by day in the
event's zone, room and audience; search by speaker; the same queries for 10 rows or 500;
Celery beat's tables for superusers only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Registration, Session
from tests.admin_form import page_text
from tests.factories import (
    NY,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    UserFactory,
    staff_with,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/events/session/"


def titles(response) -> list[str]:
    return sorted(row.title for row in response.context["cl"].result_list)


def test_each_row_shows_time_in_the_event_zone_room_kind_seats_and_waitlist(staff_client, event):
    session = SessionFactory(
        event=event,
        title="Giving talks",
        capacity=2,
        room=RoomFactory(event=event, name="W204"),
        starts_at=dt.datetime(2030, 12, 6, 13, 0, tzinfo=NY),
    )
    RegistrationFactory.create_batch(2, session=session)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    text = page_text(staff_client.get(LIST))

    assert "Giving talks Fri, Dec 6, 2030, 13:00–13:30 EST W204 Micro-learning 2 / 2 1 " in text


def test_the_day_filter_counts_days_in_the_event_zone(staff_client, event):
    late = SessionFactory(
        event=event, title="Late", starts_at=dt.datetime(2030, 12, 6, 23, 30, tzinfo=NY)
    )
    SessionFactory(event=event, title="Next day", starts_at=dt.datetime(2030, 12, 7, 9, tzinfo=NY))

    response = staff_client.get(LIST, {"event__id__exact": event.pk, "day": "2030-12-06"})

    assert titles(response) == [late.title]
    assert "Fri, Dec 6, 2030" in page_text(response)


def test_the_audience_filter_keeps_sessions_open_to_that_stage(staff_client, event):
    SessionFactory(event=event, title="Fellows", audience=["fellow"])
    SessionFactory(event=event, title="Everyone", audience=[])
    SessionFactory(event=event, title="Residents", audience=["resident"])

    response = staff_client.get(LIST, {"open_to": "fellow"})

    assert titles(response) == ["Everyone", "Fellows"]


def test_the_room_filter_and_the_speaker_search(staff_client, event):
    room = RoomFactory(event=event, name="W204")
    SessionFactory(event=event, title="In W204", room=room)
    SessionFactory(event=event, title="Okafor's talk", speakers=["Dr. Amara Okafor"])
    SessionFactory(event=event, title="Other")

    assert titles(staff_client.get(LIST, {"room__id__exact": room.pk})) == ["In W204"]
    assert titles(staff_client.get(LIST, {"q": "okafor"})) == ["Okafor's talk"]


def test_the_list_costs_the_same_queries_for_10_rows_and_500(staff_client, event):
    room = RoomFactory(event=event)
    start = dt.datetime(2030, 12, 6, 8, tzinfo=NY)

    def add(count: int) -> None:
        Session.objects.bulk_create(
            Session(
                event=event,
                title=f"Talk {Session.objects.count() + n}",
                kind=Session.Kind.MICRO_LEARNING,
                starts_at=start + dt.timedelta(minutes=n),
                ends_at=start + dt.timedelta(minutes=n + 30),
                room=room,
                capacity=20,
            )
            for n in range(count)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(LIST).status_code == 200
        return len(captured)

    add(10)
    small = queries()
    add(490)
    RegistrationFactory.create_batch(3, session=Session.objects.first())

    assert queries() == small


def test_the_roster_inline_shows_email_status_and_waitlist_position(staff_client, event):
    session = SessionFactory(event=event, capacity=1)
    RegistrationFactory(session=session, user=UserFactory(email="seated@example.org"))
    for email in ("first@example.org", "second@example.org"):
        RegistrationFactory(
            session=session,
            user=UserFactory(email=email),
            status=Registration.Status.WAITLISTED,
        )

    text = page_text(staff_client.get(f"{LIST}{session.pk}/change/"))

    assert "seated@example.org Confirmed" in text
    assert "first@example.org Waitlisted 1" in text
    assert "second@example.org Waitlisted 2" in text


def test_admin_carries_the_site_name(staff_client):
    assert "Trainee Career Events — staff" in page_text(staff_client.get("/admin/"))


def test_celery_beat_tables_are_for_superusers_only(client, staff_client):
    holder = staff_with(
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_solarschedule",
    )
    client.force_login(holder)

    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403
    assert client.get("/admin/django_celery_beat/solarschedule/").status_code == 403
    assert "Periodic tasks" not in page_text(client.get("/admin/"))
    assert staff_client.get("/admin/django_celery_beat/periodictask/").status_code == 200
    assert "Periodic tasks" in page_text(staff_client.get("/admin/"))
