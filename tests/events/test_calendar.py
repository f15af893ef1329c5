"""`/me/agenda.ics` and the private `/calendar/<token>.ics` feed, parsed with icalendar."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Profile
from events.services import registration_cancel, registration_create, session_update
from tests.factories import NY, RoomFactory, SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

MY_ICS = "/me/agenda.ics"


def vevents(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def feed_url(user) -> str:
    token = Profile.objects.get(user=user).calendar_token
    return reverse("events:calendar_feed", kwargs={"token": token})


@pytest.fixture
def grant_in_pod_a(event):
    return SessionFactory(
        event=event,
        title="Writing your first grant",
        room=RoomFactory(event=event, name="Learning Pod A"),
        starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 10, 30, tzinfo=NY),
    )


@pytest.fixture
def signed_in_trainee(client, trainee):
    client.force_login(trainee)
    return trainee


def test_my_agenda_ics_has_the_session_in_the_events_zone_with_room_and_link(
    client, grant_in_pod_a, signed_in_trainee
):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)

    (item,) = vevents(client.get(MY_ICS))

    assert str(item["SUMMARY"]) == "Writing your first grant"
    assert item["DTSTART"].params["TZID"] == "America/New_York"
    assert item["DTSTART"].to_ical() == b"20301206T100000"
    assert item.decoded("DTSTART") == grant_in_pod_a.starts_at
    assert item.decoded("DTEND") == grant_in_pod_a.ends_at
    assert str(item["LOCATION"]) == "Learning Pod A"
    assert str(item["URL"]) == settings.SITE_URL + grant_in_pod_a.get_absolute_url()


def test_calendar_carries_the_events_time_zone_definition(
    client, grant_in_pod_a, signed_in_trainee
):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)

    calendar = Calendar.from_ical(client.get(MY_ICS).content)

    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def test_my_agenda_ics_is_a_download(client, grant_in_pod_a, signed_in_trainee):
    response = client.get(MY_ICS)

    assert response["Content-Disposition"] == 'attachment; filename="my-agenda.ics"'


def test_only_confirmed_items_are_in_the_calendar(client, event, grant_in_pod_a, signed_in_trainee):
    full = SessionFactory(
        event=event, title="Full one", starts_at=grant_in_pod_a.ends_at, capacity=1
    )
    registration_create(session=full, user=UserFactory())
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)
    registration_create(session=full, user=signed_in_trainee)  # waitlisted

    summaries = [str(item["SUMMARY"]) for item in vevents(client.get(MY_ICS))]

    assert summaries == ["Writing your first grant"]


def test_uid_is_stable_across_fetches_and_feeds(client, grant_in_pod_a, signed_in_trainee):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)

    first = [str(item["UID"]) for item in vevents(client.get(MY_ICS))]
    second = [str(item["UID"]) for item in vevents(client.get(MY_ICS))]
    feed = [str(item["UID"]) for item in vevents(Client().get(feed_url(signed_in_trainee)))]

    assert first == second == feed
    assert len(first) == 1


def test_staff_moving_a_session_bumps_sequence_and_last_modified(
    client, grant_in_pod_a, signed_in_trainee
):
    with time_machine.travel(dt.datetime(2030, 11, 1, 9, 0, tzinfo=dt.UTC)):
        registration_create(session=grant_in_pod_a, user=signed_in_trainee)
    (before,) = vevents(client.get(MY_ICS))

    with time_machine.travel(dt.datetime(2030, 11, 2, 9, 0, tzinfo=dt.UTC)):
        session_update(
            session=grant_in_pod_a,
            changes={
                "starts_at": grant_in_pod_a.starts_at + dt.timedelta(hours=1),
                "ends_at": grant_in_pod_a.ends_at + dt.timedelta(hours=1),
            },
        )
    (after,) = vevents(client.get(MY_ICS))

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("LAST-MODIFIED") == dt.datetime(2030, 11, 2, 9, 0, tzinfo=dt.UTC)
    assert after["DTSTART"].to_ical() == b"20301206T110000"


def test_editing_the_description_does_not_bump_sequence(client, grant_in_pod_a, signed_in_trainee):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)
    (before,) = vevents(client.get(MY_ICS))

    session_update(session=grant_in_pod_a, changes={"description": "Now with examples."})
    (after,) = vevents(client.get(MY_ICS))

    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE")


def test_a_cancelled_seat_disappears_from_the_feed(grant_in_pod_a, signed_in_trainee):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)
    url = feed_url(signed_in_trainee)
    assert len(vevents(Client().get(url))) == 1

    registration_cancel(session=grant_in_pod_a, user=signed_in_trainee)

    assert vevents(Client().get(url)) == []


def test_feed_by_token_needs_no_login_and_matches_my_agenda(
    client, grant_in_pod_a, signed_in_trainee
):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)

    feed = vevents(Client().get(feed_url(signed_in_trainee)))
    mine = vevents(client.get(MY_ICS))

    assert [(str(i["UID"]), i.decoded("DTSTART")) for i in feed] == [
        (str(i["UID"]), i.decoded("DTSTART")) for i in mine
    ]


def test_wrong_and_revoked_tokens_get_the_same_404_as_a_never_issued_one(
    client, grant_in_pod_a, signed_in_trainee
):
    registration_create(session=grant_in_pod_a, user=signed_in_trainee)
    old_token = Profile.objects.get(user=signed_in_trainee).calendar_token
    client.post(reverse("events:calendar_revoke"))
    calendar_app = Client()
    new_token = Profile.objects.get(user=signed_in_trainee).calendar_token
    wrong_token = new_token[:-1] + ("A" if new_token[-1] != "A" else "B")

    revoked = calendar_app.get(reverse("events:calendar_feed", kwargs={"token": old_token}))
    wrong = calendar_app.get(reverse("events:calendar_feed", kwargs={"token": wrong_token}))
    never = calendar_app.get(reverse("events:calendar_feed", kwargs={"token": "never-issued"}))

    assert [revoked.status_code, wrong.status_code, never.status_code] == [404, 404, 404]
    assert revoked.content == wrong.content == never.content
    assert len(vevents(calendar_app.get(feed_url(signed_in_trainee)))) == 1
