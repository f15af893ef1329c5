"""The outbox and people in admin say which zone their times are in: the event's for an email
about a session, UTC for the rest (issue 9, item 1)."""

import datetime as dt

import pytest

from events.services import registration_create
from notifications.models import Notification
from notifications.services import notification_enqueue
from tests.admin_form import form_data, page_text
from tests.factories import NY, EventFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/notifications/notification/"


@pytest.fixture
def reminder() -> Notification:
    """The 24-hour reminder of a seat at 10:00 on Friday in Orlando: due Thursday 10:00."""
    event = EventFactory(city="Orlando", reminder_offsets=[24 * 60])
    session = SessionFactory(event=event, starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY))
    registration = registration_create(session=session, user=UserFactory())
    return Notification.objects.get(key=f"reminder:{registration.pk}:1440")


def account_mail(**fields) -> Notification:
    row = notification_enqueue(
        to_email="someone@example.org", kind="raw", key="raw:1", context={"subject": "Hi"}
    )
    Notification.objects.filter(pk=row.pk).update(**fields)
    return row


def test_the_outbox_lists_a_session_reminder_due_in_the_event_zone(staff_client, reminder):
    page = page_text(staff_client.get(OUTBOX, {"kind": "session_reminder"}))

    assert "Thu, Dec 5, 2030, 10:00 EST" in page


def test_the_outbox_lists_mail_about_no_event_in_utc(staff_client):
    account_mail(due_at=dt.datetime(2030, 12, 5, 15, 0, tzinfo=dt.UTC))

    page = page_text(staff_client.get(OUTBOX))

    assert "Thu, Dec 5, 2030, 15:00 UTC" in page


def test_an_outbox_row_shows_due_and_sent_in_the_event_zone(staff_client, reminder):
    Notification.objects.filter(pk=reminder.pk).update(
        status="sent", sent_at=dt.datetime(2030, 12, 5, 15, 0, 42, tzinfo=dt.UTC)
    )

    response = staff_client.get(f"{OUTBOX}{reminder.pk}/change/")

    page = page_text(response)
    assert "Due: Thu, Dec 5, 2030, 10:00 EST" in page
    assert "Sent: Thu, Dec 5, 2030, 10:00 EST" in page
    assert "Expires: Fri, Dec 6, 2030, 10:00 EST" in page


def test_a_persons_dates_in_admin_say_utc(staff_client):
    person = UserFactory(date_joined=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC))

    page = page_text(staff_client.get(f"/admin/accounts/user/{person.pk}/change/"))

    assert "Date joined: Wed, Jan 2, 2030, 03:04 UTC" in page


def test_an_outbox_row_is_a_record_without_inputs(staff_client, reminder):
    response = staff_client.get(f"{OUTBOX}{reminder.pk}/change/")

    inputs = form_data(response.content.decode(), "notification_form")
    assert sorted(inputs) == ["csrfmiddlewaretoken"]
