"""What registration_create prepares before it takes the session's lock (the session's details
for the email, the calendar's time zone) is the same as what it used to build under it."""

import datetime as dt

import pytest
from icalendar import Calendar, Timezone

from events.calendar import agenda_ics
from events.models import Session
from events.services import registration_create, session_update
from notifications.models import Notification
from tests.factories import NY, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def confirmation(user) -> Notification:
    return Notification.objects.get(user=user, kind="registration_confirmed")


def test_registration_create_email_tells_the_time_of_a_move_made_after_the_page_read_it():
    session = SessionFactory(starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY))
    read_by_the_page = Session.objects.select_related("event", "room").get(pk=session.pk)
    session_update(
        session=session,
        changes={
            "starts_at": dt.datetime(2030, 12, 6, 14, 0, tzinfo=NY),
            "ends_at": dt.datetime(2030, 12, 6, 14, 30, tzinfo=NY),
        },
    )
    user = UserFactory()

    registration_create(session=read_by_the_page, user=user)

    assert confirmation(user).context["when"] == (
        "Friday, December 6, 2030, 14:00–14:30 (America/New_York)"
    )


def test_registration_create_email_tells_the_session_as_read_when_nothing_changed():
    session = SessionFactory(starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY))
    user = UserFactory()

    registration_create(session=session, user=user)

    context = confirmation(user).context
    assert context["when"] == "Friday, December 6, 2030, 10:00–10:30 (America/New_York)"
    assert context["room"] == session.room.name


def test_agenda_ics_time_zone_is_the_one_icalendar_builds_each_time():
    session = SessionFactory()
    user = UserFactory()
    registration = registration_create(session=session, user=user)

    first = Calendar.from_ical(agenda_ics(registrations=[registration]))
    second = Calendar.from_ical(agenda_ics(registrations=[registration]))

    expected = Timezone.from_tzid("America/New_York").to_ical()
    assert [tz.to_ical() for tz in first.timezones] == [expected]
    assert [tz.to_ical() for tz in second.timezones] == [expected]
