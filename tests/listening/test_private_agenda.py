"""The person's own agenda and calendar feed show their interview and group place as
"Private conversation"; nobody else's page or feed, and no public page, shows anything."""

import pytest
from django.urls import reverse

from accounts.models import Profile
from listening.services.interviews import interview_book
from tests.factories import GroupPlaceFactory, UserFactory
from tests.listening.booking_world import accepted, group, listening_event, slots

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def booked_world():
    event = listening_event()
    person = accepted(event, formats=["interview", "group"])
    slot = slots(event, count=1)[0]
    interview_book(slot_id=slot.pk, user=person)
    g = group(event, title="Belonging in the lab")
    GroupPlaceFactory(group=g, user=person)
    return event, person, slot, g


def test_my_agenda_shows_both_under_a_neutral_title_with_times_in_the_event_zone(client):
    _, person, slot, g = booked_world()
    client.force_login(person)

    page = client.get(reverse("events:my_agenda")).content.decode()

    assert "Private conversation" in page
    assert "Friday, December 6, 09:00–09:20 (America/New_York)" in page
    assert "Friday, December 6, 13:00–14:00 (America/New_York)" in page
    assert slot.meeting_url not in page
    assert g.title not in page


def test_the_feed_carries_them_as_private_conversations(client):
    _, person, slot, g = booked_world()
    client.force_login(person)

    ics = client.get(reverse("events:my_agenda_ics")).content.decode()
    token = Profile.objects.get(user=person).calendar_token
    feed = client.get(reverse("events:calendar_feed", kwargs={"token": token})).content.decode()

    for text in (ics, feed):
        assert text.count("SUMMARY:Private conversation") == 2
        assert "DTSTART;TZID=America/New_York:20301206T090000" in text
        assert slot.meeting_url not in text
        assert g.title not in text


def test_nobody_else_sees_a_trace(client):
    event, person, _, _ = booked_world()
    client.force_login(UserFactory())

    pages = [
        client.get(reverse("events:my_agenda")).content.decode(),
        client.get(reverse("events:my_agenda_ics")).content.decode(),
        client.get(event.get_absolute_url()).content.decode(),
    ]

    for page in pages:
        assert "Private conversation" not in page
        assert person.get_full_name() not in page
