"""A mentor's My agenda and calendar feed: their Blood Buddies tables (published or to come)
and the lunch tables they host, and the empty text only when there is truly nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from events.models import TableHost
from mentorship.services import schedule_draft, schedule_publish
from tests.events.lunch.conftest import lunch_make
from tests.factories import approve_mentor

from .conftest import make_mentor, make_trainee, offer_for, signup_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

NOTHING = "Nothing on your agenda yet."


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def my_agenda(user) -> str:
    return logged_in(user).get(reverse("events:my_agenda")).content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def feed(user) -> Calendar:
    token = user.profile.calendar_token
    return Calendar.from_ical(logged_in(user).get(f"/calendar/{token}.ics").content)


def host(lunch, user, number: int = 1) -> None:
    table = lunch.lunch_tables.get(number=number)
    TableHost.objects.filter(table=table).update(user=user)
    approve_mentor(user)


# --- the empty text ---------------------------------------------------------------------------


def test_mentor_with_published_rounds_and_no_registration_is_not_told_nothing_is_on(slot):
    offer = offer_for(slot)
    signup_for(slot, trainee=make_trainee("Tina Trainee"))
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)

    page = my_agenda(offer.mentor)

    assert NOTHING not in page and "Tina Trainee" in page


def test_mentor_signed_up_before_publishing_sees_the_slot_on_my_agenda(slot):
    offer = offer_for(slot, capacity=2)

    page = text(my_agenda(offer.mentor))

    assert NOTHING not in page
    assert (
        "Blood Buddies 1 — Friday, December 6, 10:00–11:00 (America/New_York) (you mentor)" in page
    )
    assert (
        "You mentor at a table, 2 trainees at once. Your table and trainees come by email once "
        "staff publish the schedule." in page
    )


def test_person_with_nothing_is_told_nothing_is_on_their_agenda(slot):
    assert NOTHING in my_agenda(make_trainee())


# --- the lunch host ---------------------------------------------------------------------------


def test_lunch_host_sees_the_table_and_rotations_on_my_agenda(event):
    mentor = make_mentor("Dr. Host")
    lunch = lunch_make(event=event, title="Career lunch")
    host(lunch, mentor, number=2)

    page = my_agenda(mentor)
    shown = text(page)

    assert NOTHING not in page
    assert "Lunch tables you host" in shown
    assert "Career lunch — Saturday, December 7, 12:00–13:30 (America/New_York)" in shown
    assert "Table 2: Table talk 2 (Clinical hematology — malignant)" in shown
    assert "(America/New_York): 1: 12:00–12:20 · 2: 12:20–12:40 · 3: 12:40–13:00" in shown
    assert lunch.room.name in shown


def test_lunch_host_finds_the_tables_guest_list_from_my_agenda(event):
    mentor = make_mentor()
    lunch = lunch_make(event=event)
    host(lunch, mentor)
    table = lunch.lunch_tables.get(number=1)
    guests = reverse(
        "events:lunch_table_guests",
        kwargs={"slug": event.slug, "pk": lunch.pk, "table_id": table.pk},
    )

    page = my_agenda(mentor)

    assert f'href="{guests}"' in page
    assert logged_in(mentor).get(guests).status_code == 200


def test_lunch_host_duty_is_in_the_calendar_feed(event):
    mentor = make_mentor()
    lunch = lunch_make(event=event, title="Career lunch")
    host(lunch, mentor, number=3)

    (item,) = feed(mentor).walk("VEVENT")

    description = str(item["DESCRIPTION"])
    assert str(item["SUMMARY"]) == "Career lunch (host, table 3)"
    assert item["DTSTART"].dt.isoformat() == "2030-12-07T12:00:00-05:00"
    assert str(item["LOCATION"]) == lunch.room.name
    assert "You host Table 3: Table talk 3 (Industry)." in description
    assert (
        "Guests move between tables at each rotation:\nRotation 1, 12:00–12:20 EST" in description
    )


def test_lunch_host_duty_is_in_the_downloaded_agenda(event):
    mentor = make_mentor()
    lunch = lunch_make(event=event, title="Career lunch")
    host(lunch, mentor)

    calendar = Calendar.from_ical(logged_in(mentor).get(reverse("events:my_agenda_ics")).content)

    assert [str(item["SUMMARY"]) for item in calendar.walk("VEVENT")] == [
        "Career lunch (host, table 1)"
    ]


def test_my_agenda_shows_mentoring_and_hosting_in_time_order(event, slot):
    offer = offer_for(slot)  # Friday, December 6
    host(lunch_make(event=event), offer.mentor)  # Saturday, December 7

    page = my_agenda(offer.mentor)

    assert page.index("Blood Buddies speed mentoring") < page.index("Lunch tables you host")


def test_mentor_calendar_feed_has_the_slot_before_publishing(slot):
    offer = offer_for(slot)

    (item,) = feed(offer.mentor).walk("VEVENT")

    assert str(item["SUMMARY"]) == "Blood Buddies 1 (mentor)"
    assert "once staff publish the schedule" in str(item["DESCRIPTION"])
