"""A session's list of people is frozen from its start: no registration, waitlist place,
switch or cancellation, and no promotion from the waitlist; pages say so instead of offering
buttons. Time is the edge: `time_machine` sets "now"."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import user_delete
from events.lunch.services import lunch_rotations_generate, table_seat_take
from events.models import LunchRotation, LunchTable, Registration, Session
from events.services import (
    registration_cancel,
    registration_create,
    registration_create_matched,
    registration_switch,
    session_update,
)
from notifications.models import Notification
from tests.factories import NY, EventFactory, SessionFactory, UserFactory, career_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

Status = Registration.Status
# The event runs on Friday 6 and Saturday, December 7, 2030 in New York.
TALK_START = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)
BEFORE = TALK_START - dt.timedelta(days=7)
DURING = TALK_START + dt.timedelta(minutes=10)
LATER_THAT_DAY = TALK_START + dt.timedelta(hours=3)
AFTER_THE_EVENT = dt.datetime(2030, 12, 8, 9, 0, tzinfo=NY)

STARTED = "This session has already started."
ENDED = "This session has ended."
EVENT_ENDED = "This event has ended."


def active(session: Session) -> dict[int, str]:
    return dict(
        Registration.objects.filter(session=session)
        .exclude(status=Status.CANCELLED)
        .values_list("user_id", "status")
    )


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def card(response, session: Session) -> str:
    match = re.search(
        rf'<article class="session-card[^"]*" id="session-{session.pk}">(.*?)</article>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    assert match, f"no card for {session.title}"
    return match.group(1)


@pytest.fixture
def two_day_event():
    return EventFactory(starts_on=dt.date(2030, 12, 6), ends_on=dt.date(2030, 12, 7))


@pytest.fixture
def half_hour_talk(two_day_event):
    return SessionFactory(
        event=two_day_event,
        title="Giving a scientific talk",
        starts_at=TALK_START,
        ends_at=TALK_START + dt.timedelta(minutes=30),
        capacity=1,
    )


# --- the services refuse -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "message"),
    [(DURING, STARTED), (LATER_THAT_DAY, ENDED), (AFTER_THE_EVENT, EVENT_ENDED)],
    ids=["started", "ended", "event-ended"],
)
def test_registration_create_after_the_start_is_refused_and_writes_nothing(
    half_hour_talk, trainee, now, message
):
    with time_machine.travel(now, tick=False), pytest.raises(ValidationError) as caught:
        registration_create(session=half_hour_talk, user=trainee)

    assert caught.value.messages == [message]
    assert active(half_hour_talk) == {}
    assert not Notification.objects.exists()


def test_joining_the_waitlist_of_a_full_session_after_its_start_is_refused(half_hour_talk, trainee):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=UserFactory())

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        registration_create(session=half_hour_talk, user=trainee)

    assert caught.value.messages == [STARTED]
    assert trainee.pk not in active(half_hour_talk)


def test_switching_into_a_session_that_has_started_changes_nothing(
    two_day_event, half_hour_talk, trainee
):
    later = SessionFactory(event=two_day_event, starts_at=TALK_START + dt.timedelta(hours=2))
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=later, user=trainee)

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        registration_switch(session=half_hour_talk, replace=later, user=trainee)

    assert caught.value.messages == [STARTED]
    assert active(later) == {trainee.pk: Status.CONFIRMED}
    assert active(half_hour_talk) == {}


def test_switching_out_of_a_session_that_has_started_changes_nothing(
    two_day_event, half_hour_talk, trainee
):
    later = SessionFactory(event=two_day_event, starts_at=TALK_START + dt.timedelta(hours=2))
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        registration_switch(session=later, replace=half_hour_talk, user=trainee)

    assert caught.value.messages == [STARTED]
    assert active(half_hour_talk) == {trainee.pk: Status.CONFIRMED}
    assert active(later) == {}


@pytest.mark.parametrize("status", [Status.CONFIRMED, Status.WAITLISTED])
def test_cancelling_after_the_start_is_refused_and_the_registration_stays_on_record(
    half_hour_talk, trainee, status
):
    with time_machine.travel(BEFORE, tick=False):
        if status == Status.WAITLISTED:
            registration_create(session=half_hour_talk, user=UserFactory())
        registration_create(session=half_hour_talk, user=trainee)

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        registration_cancel(session=half_hour_talk, user=trainee)

    assert caught.value.messages == [STARTED]
    assert active(half_hour_talk)[trainee.pk] == status


def test_cancelling_before_the_start_still_works_after_the_registration_window_closed(
    half_hour_talk, trainee
):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)
    half_hour_talk.registration_closes_at = BEFORE + dt.timedelta(days=1)
    half_hour_talk.save()

    with time_machine.travel(TALK_START - dt.timedelta(hours=1), tick=False):
        registration_cancel(session=half_hour_talk, user=trainee)

    assert active(half_hour_talk) == {}


def test_more_seats_after_the_start_promote_nobody_from_the_waitlist(half_hour_talk, trainee):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=UserFactory())
        registration_create(session=half_hour_talk, user=trainee)

    with time_machine.travel(DURING, tick=False):
        session_update(session=half_hour_talk, changes={"capacity": 5})

    assert active(half_hour_talk)[trainee.pk] == Status.WAITLISTED
    assert not Notification.objects.filter(kind="waitlist_promoted").exists()


def test_a_lunch_table_seat_after_the_lunch_started_is_refused(two_day_event, trainee):
    lunch = SessionFactory(
        event=two_day_event,
        kind=Session.Kind.CAREER_LUNCH,
        registration_mode=Session.Mode.TABLES,
        capacity=None,
        starts_at=TALK_START,
        ends_at=TALK_START + dt.timedelta(hours=1),
    )
    lunch_rotations_generate(session=lunch, count=2, minutes=20)
    table = LunchTable.objects.create(
        session=lunch, number=1, career_path=career_path("industry"), seats=4
    )
    rotation = LunchRotation.objects.get(session=lunch, number=2)

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        table_seat_take(session=lunch, rotation=rotation, table=table, user=trainee)

    assert caught.value.messages == [STARTED]
    assert not lunch.registrations.exists()


def test_a_speed_mentoring_place_after_the_slot_started_is_refused(two_day_event, trainee):
    buddies = SessionFactory(
        event=two_day_event,
        kind=Session.Kind.SPEED_MENTORING,
        registration_mode=Session.Mode.MATCHED,
        capacity=20,
        starts_at=TALK_START,
        ends_at=TALK_START + dt.timedelta(hours=1),
    )

    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as caught:
        registration_create_matched(session=buddies, user=trainee)

    assert caught.value.messages == [STARTED]


def test_deleting_an_account_with_a_seat_in_a_past_session_still_works(half_hour_talk, trainee):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)

    with time_machine.travel(AFTER_THE_EVENT, tick=False):
        user_delete(user=trainee)

    assert active(half_hour_talk) == {}


# --- the pages say so ----------------------------------------------------------------------------


def test_agenda_card_of_a_started_session_shows_why_instead_of_a_register_button(
    client, two_day_event, half_hour_talk, trainee
):
    with time_machine.travel(DURING, tick=False):
        client.force_login(trainee)  # a login from today would have expired by then
        shown = card(client.get(two_day_event.get_absolute_url()), half_hour_talk)

    assert f'<p class="closed">{STARTED}</p>' in shown
    assert "<form" not in shown


def test_agenda_card_of_a_started_session_offers_no_cancel_to_a_person_with_a_seat(
    client, two_day_event, half_hour_talk, trainee
):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)
    with time_machine.travel(DURING, tick=False):
        client.force_login(trainee)  # a login from today would have expired by then
        shown = card(client.get(two_day_event.get_absolute_url()), half_hour_talk)

    assert "✓ You have a seat" in shown
    assert f'<p class="closed">{STARTED}</p>' in shown
    assert "Cancel my seat" not in shown


def test_my_agenda_offers_no_cancel_for_a_session_that_has_ended(client, half_hour_talk, trainee):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)
    with time_machine.travel(LATER_THAT_DAY, tick=False):
        client.force_login(trainee)
        content = client.get(reverse("events:my_agenda")).content.decode()

    assert ENDED in content
    assert "/cancel/" not in content


def test_register_post_after_the_start_says_why_and_writes_nothing(client, half_hour_talk, trainee):
    url = reverse(
        "events:session_register",
        kwargs={"slug": half_hour_talk.event.slug, "pk": half_hour_talk.pk},
    )

    with time_machine.travel(DURING, tick=False):
        client.force_login(trainee)
        response = client.post(url, follow=True)

    assert messages_on(response) == [STARTED]
    assert active(half_hour_talk) == {}


def test_cancel_post_after_the_start_says_why_and_keeps_the_seat(client, half_hour_talk, trainee):
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=half_hour_talk, user=trainee)
    url = reverse(
        "events:session_cancel", kwargs={"slug": half_hour_talk.event.slug, "pk": half_hour_talk.pk}
    )

    with time_machine.travel(DURING, tick=False):
        client.force_login(trainee)
        response = client.post(url, follow=True)

    assert response.status_code == 200
    assert messages_on(response) == [STARTED]
    assert active(half_hour_talk) == {trainee.pk: Status.CONFIRMED}


def test_agenda_of_an_event_that_has_ended_says_so(client, two_day_event, half_hour_talk):
    with time_machine.travel(AFTER_THE_EVENT, tick=False):
        content = client.get(two_day_event.get_absolute_url()).content.decode()

    assert "This event has ended: its agenda stays here for reference" in content


def test_a_visitor_of_an_ended_event_is_told_it_ended_not_asked_to_log_in(
    client, two_day_event, half_hour_talk
):
    with time_machine.travel(AFTER_THE_EVENT, tick=False):
        response = client.get(two_day_event.get_absolute_url())

    shown = card(response, half_hour_talk)
    assert f'<p class="closed">{EVENT_ENDED}</p>' in shown
    assert "Log in to register" not in shown
    assert "seat left" not in shown
    assert "to register for sessions" not in response.content.decode()
