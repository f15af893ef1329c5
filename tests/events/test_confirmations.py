"""Giving a seat away takes a confirmation step: the agenda, the session page and My agenda
link to a plain page that says what will happen, whose button does the POST. The POST
endpoints stay as they are for scripts. A cancellation is confirmed by email, once."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Registration, Session
from events.services import notices, registration_cancel, registration_create, registration_switch
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.factories import NY, SessionFactory, UserFactory
from tests.smtp import header

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

Status = Registration.Status


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, 6, hour, minute, tzinfo=NY)


def url(name: str, session: Session) -> str:
    return reverse(name, kwargs={"slug": session.event.slug, "pk": session.pk})


def active(session: Session) -> dict[int, str]:
    return dict(
        Registration.objects.filter(session=session)
        .exclude(status=Status.CANCELLED)
        .values_list("user_id", "status")
    )


def card(response, session: Session) -> str:
    match = re.search(
        rf'<article class="session-card[^"]*" id="session-{session.pk}">(.*?)</article>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    assert match, f"no card for {session.title}"
    return match.group(1)


def text(response) -> str:
    """The page's main content as a person reads it: tags dropped, spaces collapsed."""
    main = re.search(r"<main.*?</main>", response.content.decode(), flags=re.DOTALL).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def one_seat_talk(event):
    return SessionFactory(
        event=event, title="Giving a scientific talk", starts_at=at(10), ends_at=at(11), capacity=1
    )


@pytest.fixture
def ada():
    return UserFactory(name="Ada Okafor")


@pytest.fixture
def logged_in(client, ada):
    client.force_login(ada)
    return client


# --- the buttons lead to the confirmation step -------------------------------------------------


def test_agenda_card_links_cancel_my_seat_to_the_confirmation_step_not_a_post(
    logged_in, event, one_seat_talk, ada
):
    registration_create(session=one_seat_talk, user=ada)

    shown = card(logged_in.get(event.get_absolute_url()), one_seat_talk)

    confirm = url("events:session_cancel_confirm", one_seat_talk)
    assert re.search(
        rf'<a class="button secondary" href="{confirm}\?next=[^"]+">Cancel my seat', shown
    )
    assert url("events:session_cancel", one_seat_talk) + '"' not in shown


def test_agenda_card_links_switch_to_this_session_to_the_confirmation_step(
    logged_in, event, one_seat_talk, ada
):
    clashing = SessionFactory(event=event, title="Careers in industry", starts_at=at(10, 30))
    registration_create(session=one_seat_talk, user=ada)

    shown = card(logged_in.get(event.get_absolute_url()), clashing)

    confirm = url("events:session_switch_confirm", clashing)
    assert re.search(
        rf'<a class="button" href="{confirm}\?replace={one_seat_talk.pk}&amp;next=[^"]+">Switch to this session',
        shown,
    )
    assert "<form" not in shown


def test_my_agenda_links_each_item_to_its_confirmation_step(logged_in, event, one_seat_talk, ada):
    full = SessionFactory(event=event, title="Grant clinic", starts_at=at(13), capacity=1)
    registration_create(session=full, user=UserFactory())
    registration_create(session=full, user=ada)
    registration_create(session=one_seat_talk, user=ada)

    content = logged_in.get(reverse("events:my_agenda")).content.decode()

    assert re.search(
        rf'href="{url("events:session_cancel_confirm", one_seat_talk)}\?next=/me/agenda/%23registration-\d+">Cancel my seat',
        content,
    )
    assert re.search(
        rf'href="{url("events:session_cancel_confirm", full)}\?next=[^"]+">Leave the waitlist',
        content,
    )
    assert '/cancel/"' not in content


# --- the confirmation step says what will happen and changes nothing ----------------------------


def test_cancel_step_for_a_seat_says_it_goes_to_the_next_person_waiting(
    logged_in, one_seat_talk, ada
):
    registration_create(session=one_seat_talk, user=ada)
    registration_create(session=one_seat_talk, user=UserFactory())  # waiting

    response = logged_in.get(
        url("events:session_cancel_confirm", one_seat_talk) + "?next=/me/agenda/"
    )

    shown = text(response)
    assert "Cancel your seat?" in shown
    assert "Giving a scientific talk Friday, December 6, 10:00 – 11:00 (America/New_York)" in shown
    assert "Your seat goes to the next person waiting." in shown
    form = re.search(
        r'<form method="post" action="([^"]+)" class="confirm-actions">.*?</form>',
        response.content.decode(),
        re.DOTALL,
    )
    assert form.group(1) == url("events:session_cancel", one_seat_talk)
    assert '<input type="hidden" name="next" value="/me/agenda/">' in form.group(0)
    assert '<button type="submit" class="danger">Cancel my seat</button>' in form.group(0)
    assert '<a href="/me/agenda/">Keep my seat</a>' in form.group(0)
    assert active(one_seat_talk)[ada.pk] == Status.CONFIRMED


def test_cancel_step_for_a_waitlist_place_names_the_place_in_line(logged_in, event, ada):
    clinic = SessionFactory(event=event, title="Grant clinic", capacity=1)
    for user in UserFactory.create_batch(3):
        registration_create(session=clinic, user=user)
    registration_create(session=clinic, user=ada)  # third in line

    response = logged_in.get(url("events:session_cancel_confirm", clinic))

    shown = text(response)
    assert "Leave the waitlist?" in shown
    assert "You lose your place #3 in line." in shown
    assert (
        '<button type="submit" class="danger">Leave the waitlist</button>'
        in response.content.decode()
    )
    assert active(clinic)[ada.pk] == Status.WAITLISTED


def test_switch_step_names_both_sessions_and_who_gets_the_seat(
    logged_in, event, one_seat_talk, ada
):
    clashing = SessionFactory(event=event, title="Careers in industry", starts_at=at(10, 30))
    registration_create(session=one_seat_talk, user=ada)
    registration_create(session=one_seat_talk, user=UserFactory())  # waiting for the talk

    response = logged_in.get(
        url("events:session_switch_confirm", clashing) + f"?replace={one_seat_talk.pk}"
    )

    shown = text(response)
    assert (
        "You give up your seat in “Giving a scientific talk” and take one in “Careers in "
        "industry”; your seat in “Giving a scientific talk” goes to the next person waiting."
    ) in shown
    content = response.content.decode()
    assert f'action="{url("events:session_register", clashing)}"' in content
    assert f'<input type="hidden" name="replace" value="{one_seat_talk.pk}">' in content
    assert '<button type="submit">Switch</button>' in content
    assert active(one_seat_talk)[ada.pk] == Status.CONFIRMED
    assert active(clashing) == {}


def test_confirmed_switch_moves_the_seat_and_returns_to_the_page_it_came_from(
    event, one_seat_talk, ada
):
    clashing = SessionFactory(event=event, title="Careers in industry", starts_at=at(10, 30))
    registration_create(session=one_seat_talk, user=ada)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    step = client.get(
        url("events:session_switch_confirm", clashing)
        + f"?replace={one_seat_talk.pk}&next=/events/ash-2030/%23session-{clashing.pk}"
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step.content.decode()).group(1)

    response = client.post(
        url("events:session_register", clashing),
        {
            "csrfmiddlewaretoken": token,
            "replace": one_seat_talk.pk,
            "next": f"/events/ash-2030/#session-{clashing.pk}",
        },
    )

    assert response["Location"] == f"/events/ash-2030/#session-{clashing.pk}"
    assert active(one_seat_talk) == {}
    assert active(clashing) == {ada.pk: Status.CONFIRMED}


def test_cancel_step_without_a_registration_sends_back_to_the_session(logged_in, one_seat_talk):
    response = logged_in.get(url("events:session_cancel_confirm", one_seat_talk), follow=True)

    assert response.redirect_chain == [(one_seat_talk.get_absolute_url(), 302)]
    assert messages_on(response) == ["You have no seat or waitlist place in this session."]


def test_cancel_step_ignores_a_return_address_on_another_site(logged_in, one_seat_talk, ada):
    registration_create(session=one_seat_talk, user=ada)

    response = logged_in.get(
        url("events:session_cancel_confirm", one_seat_talk) + "?next=https://evil.example/"
    )

    assert "evil.example" not in response.content.decode()
    assert (
        f'<a href="{one_seat_talk.get_absolute_url()}">Keep my seat</a>'
        in response.content.decode()
    )


def test_confirmation_steps_ask_an_anonymous_visitor_to_log_in(client, one_seat_talk):
    response = client.get(url("events:session_cancel_confirm", one_seat_talk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


# --- the cancellation email ---------------------------------------------------------------------


def test_cancelling_a_seat_emails_what_was_given_up_with_the_time_zone(
    logged_in, one_seat_talk, ada, mailbox
):
    registration_create(session=one_seat_talk, user=ada)

    logged_in.post(url("events:session_cancel", one_seat_talk))
    notifications_dispatch_due()

    message = next(
        m["message"] for m in mailbox.messages if header(m["message"], "Subject").startswith("Seat")
    )
    assert header(message, "Subject") == "Seat cancelled: Giving a scientific talk"
    assert header(message, "To") == ada.email
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "You cancelled your seat in:" in body
    assert "Friday, December 6, 2030, 10:00–11:00 (America/New_York)" in body
    assert "Your seat goes to the next person waiting, or to whoever registers next." in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Friday, December 6, 2030, 10:00–11:00 (America/New_York)" in html


def test_leaving_a_waitlist_emails_the_place_that_was_given_up(event, ada, mailbox):
    clinic = SessionFactory(event=event, title="Grant clinic", capacity=1)
    for user in UserFactory.create_batch(2):
        registration_create(session=clinic, user=user)
    registration_create(session=clinic, user=ada)  # second in line

    registration_cancel(session=clinic, user=ada)
    notifications_dispatch_due()

    (message,) = [
        m["message"]
        for m in mailbox.messages
        if m["to"] == [ada.email] and header(m["message"], "Subject").startswith("You left")
    ]
    assert header(message, "Subject") == "You left the waitlist: Grant clinic"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "You were number 2 in line" in body


def test_a_cancellation_is_emailed_once(one_seat_talk, ada):
    registration_create(session=one_seat_talk, user=ada)
    registration = registration_cancel(session=one_seat_talk, user=ada)

    notices.registration_cancellation(registration, gave_up="seat", position=None)

    rows = Notification.objects.filter(user=ada, kind="registration_cancelled")
    assert [row.key for row in rows] == [f"reg:{registration.pk}:registration_cancelled"]


def test_a_switch_sends_no_cancellation_email(event, one_seat_talk, ada):
    clashing = SessionFactory(event=event, starts_at=at(10, 30))
    registration_create(session=one_seat_talk, user=ada)

    registration_switch(session=clashing, replace=one_seat_talk, user=ada)

    assert not Notification.objects.filter(kind="registration_cancelled").exists()
