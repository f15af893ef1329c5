"""The page a feedback link opens: no login, a GET records nothing, one POST saves, once."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from events.models import Event, Session
from feedback.models import SessionFeedback
from feedback.tokens import feedback_token
from notifications.services import unsubscribe_token
from tests.factories import SessionFeedbackFactory

from .conftest import AFTER, came, checked_rating, stayed_away

pytestmark = pytest.mark.django_db


def link(registration, *, rating: int | None = None) -> str:
    token = feedback_token(session_id=registration.session_id, user_id=registration.user_id)
    url = reverse("feedback:respond", kwargs={"token": token})
    return f"{url}?rating={rating}" if rating is not None else url


def saved() -> list[tuple[int, int, int, str]]:
    return list(SessionFeedback.objects.values_list("session", "user", "rating", "comment"))


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_each_link_opens_the_form_with_its_rating_chosen_and_saves_nothing(client, talk, rating):
    registration = came(talk)

    page = client.get(link(registration, rating=rating))

    assert page.status_code == 200
    assert checked_rating(page) == str(rating)
    assert "How was Giving a scientific talk?" in page.content.decode()
    assert saved() == []


@pytest.mark.parametrize("rating", ["0", "6", "x", "", "4.0"])
def test_a_link_with_an_odd_rating_chooses_nothing(client, talk, rating):
    page = client.get(link(came(talk)) + f"?rating={rating}")

    assert page.status_code == 200
    assert checked_rating(page) is None


def test_the_page_says_when_in_the_events_zone(client, talk):
    text = client.get(link(came(talk))).content.decode()

    assert "Friday, December 6, 10:00" in text
    assert "10:30" in text
    assert "(America/New_York)" in text


def test_send_saves_the_rating_and_comment_without_a_login(talk):
    registration = came(talk)
    anonymous = Client(enforce_csrf_checks=True)
    form = anonymous.get(link(registration, rating=5))
    token = form.cookies["csrftoken"].value

    response = anonymous.post(
        link(registration),
        {"rating": "5", "comment": "Best hour of the day.", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 200
    assert "Thank you for your feedback" in response.content.decode()
    assert saved() == [(talk.pk, registration.user_id, 5, "Best hour of the day.")]


def test_a_post_without_the_csrf_token_is_refused(talk):
    registration = came(talk)

    response = Client(enforce_csrf_checks=True).post(link(registration), {"rating": "5"})

    assert response.status_code == 403
    assert saved() == []


def test_a_reused_link_says_feedback_was_sent_and_changes_nothing(client, talk):
    registration = came(talk)
    client.post(link(registration), {"rating": "2", "comment": "Too fast."})

    again = client.post(link(registration), {"rating": "5", "comment": "Changed my mind."})
    opened = client.get(link(registration, rating=5))

    for response in (again, opened):
        assert response.status_code == 200
        text = response.content.decode()
        assert "You already sent feedback for this session, thank you" in text
        assert 'name="rating"' not in text
    assert saved() == [(talk.pk, registration.user_id, 2, "Too fast.")]


@pytest.mark.parametrize(
    "data",
    [{"rating": "0"}, {"rating": "6"}, {"rating": "x"}, {"rating": "-1"}, {}, {"rating": "4.5"}],
    ids=["0", "6", "x", "-1", "missing", "4.5"],
)
def test_a_rating_outside_1_to_5_gets_a_clear_message_and_nothing_is_saved(client, talk, data):
    response = client.post(link(came(talk)), {**data, "comment": "Kept."})

    assert response.status_code == 400
    assert "Choose a rating from 1 to 5; nothing was saved." in response.content.decode()
    assert "Kept." in response.content.decode()  # the comment is still in its box
    assert saved() == []


def test_a_comment_over_the_limit_is_refused_and_nothing_is_saved(client, talk):
    response = client.post(link(came(talk)), {"rating": "4", "comment": "x" * 1001})

    assert response.status_code == 400
    assert "1000" in response.content.decode() or "1,000" in response.content.decode()
    assert saved() == []


def _tampered_signature(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _tampered_payload(token: str) -> str:
    payload, rest = token.split(":", 1)
    return payload[:-2] + ("x" if payload[-2] != "x" else "y") + payload[-1] + ":" + rest


@pytest.mark.parametrize(
    "spoil",
    [_tampered_signature, _tampered_payload, lambda t: t.split(":")[0], lambda t: "x" * 40],
    ids=["signature", "payload", "unsigned", "made-up"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_a_404_and_saves_nothing(client, talk, spoil, method):
    registration = came(talk)
    token = feedback_token(session_id=talk.pk, user_id=registration.user_id)
    url = reverse("feedback:respond", kwargs={"token": spoil(token)})

    response = getattr(client, method)(url, {"rating": "5"})

    assert response.status_code == 404
    assert saved() == []


def test_another_signed_value_of_the_site_is_not_a_feedback_link(client, talk):
    registration = came(talk)
    url = reverse("feedback:respond", kwargs={"token": unsubscribe_token(user=registration.user)})

    assert client.get(url).status_code == 404


def test_an_expired_link_says_so_and_saves_nothing(client, talk):
    registration = came(talk)
    with time_machine.travel(AFTER, tick=False):
        url = link(registration)

    with time_machine.travel(AFTER + dt.timedelta(days=31), tick=False):
        opened = client.get(url)
        sent = client.post(url, {"rating": "5"})

    for response in (opened, sent):
        assert response.status_code == 410
        assert "This feedback link has expired" in response.content.decode()
    assert saved() == []


def _draft(session):
    Session.objects.filter(pk=session.pk).update(is_published=False)


def _draft_event(session):
    Event.objects.filter(pk=session.event_id).update(is_published=False)


def _cancelled(session):
    Session.objects.filter(pk=session.pk).update(cancelled_at=session.starts_at)


def _listening(session):
    Session.objects.filter(pk=session.pk).update(kind=Session.Kind.LISTENING)


@pytest.mark.parametrize(
    "change", [_draft, _draft_event, _cancelled, _listening], ids=lambda f: f.__name__
)
def test_a_link_to_a_draft_cancelled_or_listening_session_is_a_404(client, talk, change):
    registration = came(talk)
    change(talk)

    assert client.get(link(registration)).status_code == 404
    assert client.post(link(registration), {"rating": "5"}).status_code == 404
    assert saved() == []


def test_a_signed_link_for_someone_who_was_not_checked_in_is_a_404(client, talk):
    registration = stayed_away(talk)

    assert client.get(link(registration)).status_code == 404
    assert client.post(link(registration), {"rating": "5"}).status_code == 404
    assert saved() == []


def test_the_link_counts_for_its_own_person_whoever_is_signed_in(client, talk):
    ada, ben = came(talk, name="Ada Okafor"), came(talk, name="Ben Ito")
    client.force_login(ben.user)

    client.post(link(ada), {"rating": "3"})

    assert saved() == [(talk.pk, ada.user_id, 3, "")]


def test_feedback_someone_gave_already_shows_as_sent(client, talk):
    registration = came(talk)
    SessionFeedbackFactory(session=talk, user=registration.user, rating=1)

    response = client.get(link(registration, rating=5))

    assert "You already sent feedback for this session, thank you" in response.content.decode()
    assert "1 out of 5" in response.content.decode()
