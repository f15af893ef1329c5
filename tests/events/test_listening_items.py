"""Listening sessions (registration mode `request`) are information only until people can ask
to take part: no seat, no button, and never a clash, on their own cards or on others."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from events.models import Registration, Session
from events.services import registration_create
from tests.factories import NY, SessionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

HOW_TO_TAKE_PART = (
    "Information only: there is nothing to book here. These are private, virtual "
    "conversations. To take part, send a request on the listening sessions page; "
    "reviewers read each request and email the details to those accepted."
)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, 6, hour, minute, tzinfo=NY)


def card(response, session: Session) -> str:
    match = re.search(
        rf'<article class="session-card[^"]*" id="session-{session.pk}">(.*?)</article>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    assert match, f"no card for {session.title}"
    return match.group(1)


@pytest.fixture
def interviews(event):
    """The demo's all-day block of one-on-one interviews."""
    return SessionFactory(
        event=event,
        title="Listening sessions: one-on-one interviews",
        kind=Session.Kind.LISTENING,
        registration_mode=Session.Mode.REQUEST,
        capacity=None,
        starts_at=at(9),
        ends_at=at(17),
    )


@pytest.fixture
def lunch_talk(event):
    return SessionFactory(event=event, title="Lunch talk", starts_at=at(12), ends_at=at(13))


def test_listening_card_says_how_to_take_part_and_offers_no_button(client, event, interviews):
    client.force_login(UserFactory())

    shown = card(client.get(event.get_absolute_url()), interviews)

    assert HOW_TO_TAKE_PART in shown
    assert "<form" not in shown
    assert "staff review." not in shown.replace(HOW_TO_TAKE_PART, "")


def test_listening_session_page_says_how_to_take_part_and_takes_no_registration(client, interviews):
    client.force_login(UserFactory())

    content = client.get(interviews.get_absolute_url()).content.decode()

    assert HOW_TO_TAKE_PART in content
    assert "/register/" not in content
    assert "<dt>Registration</dt><dd>Information only, no seats</dd>" in content


def test_listening_block_is_not_shown_as_clashing_with_a_seat_the_person_holds(
    client, event, interviews, lunch_talk, trainee
):
    registration_create(session=lunch_talk, user=trainee)
    client.force_login(trainee)

    shown = card(client.get(event.get_absolute_url()), interviews)

    assert "Clashes with" not in shown


def test_an_item_on_a_listening_block_never_makes_other_cards_clash(
    client, event, interviews, lunch_talk, trainee
):
    # Held from before the rule, e.g. added by staff in admin.
    Registration.objects.create(
        session=interviews, user=trainee, status=Registration.Status.CONFIRMED
    )
    client.force_login(trainee)

    response = client.get(event.get_absolute_url())

    assert "Clashes with" not in card(response, lunch_talk)
    assert '<button type="submit">Register' in card(response, lunch_talk)


def test_an_item_on_a_listening_block_does_not_refuse_an_overlapping_seat(
    interviews, lunch_talk, trainee
):
    Registration.objects.create(
        session=interviews, user=trainee, status=Registration.Status.CONFIRMED
    )

    registration = registration_create(session=lunch_talk, user=trainee)

    assert registration.status == Registration.Status.CONFIRMED


def test_my_agenda_shows_no_clash_with_a_listening_block(client, interviews, lunch_talk, trainee):
    Registration.objects.create(
        session=interviews, user=trainee, status=Registration.Status.CONFIRMED
    )
    registration_create(session=lunch_talk, user=trainee)
    client.force_login(trainee)

    content = client.get(reverse("events:my_agenda")).content.decode()

    assert "Clashes with" not in content


def test_a_listening_item_that_has_taken_place_says_so_instead_of_how_to_take_part(
    client, interviews
):
    with time_machine.travel(at(18), tick=False):
        content = client.get(interviews.get_absolute_url()).content.decode()

    assert '<p class="closed">This session has ended.</p>' in content
    assert HOW_TO_TAKE_PART not in content
