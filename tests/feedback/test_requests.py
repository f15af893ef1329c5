"""After each session ends, everyone checked in (and only them) is asked once, by email."""

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection

from events.models import Event, Registration, Session
from feedback.models import SessionFeedback
from feedback.services import REQUEST_KIND, feedback_requests_send
from feedback.tasks import feedback_requests_send_task
from notifications.models import Notification
from notifications.services import notifications_dispatch_due, reminders_set
from tests.factories import RegistrationFactory, SessionFactory, SessionFeedbackFactory

from .conftest import AFTER, DURING, came, checked_rating, stayed_away

pytestmark = pytest.mark.django_db

Status = Notification.Status


def requests() -> list[tuple[int, int]]:
    """(session id, user id) of every feedback request in the outbox."""
    return sorted(
        (row.context["session_id"], row.user_id)
        for row in Notification.objects.filter(kind=REQUEST_KIND)
    )


def test_only_the_checked_in_are_asked_once_when_the_task_runs_twice(talk):
    ada, ben = came(talk, name="Ada Okafor"), came(talk, name="Ben Ito")
    stayed_away(talk)  # confirmed, never came through the door
    RegistrationFactory(session=talk, status=Registration.Status.WAITLISTED)

    with time_machine.travel(AFTER, tick=False):
        first = feedback_requests_send_task()
        second = feedback_requests_send_task()

    assert (first, second) == (2, 0)
    assert requests() == sorted([(talk.pk, ada.user_id), (talk.pk, ben.user_id)])
    assert Notification.objects.filter(kind=REQUEST_KIND).count() == 2


def test_nobody_is_asked_before_the_session_ends(talk):
    came(talk)

    with time_machine.travel(DURING, tick=False):
        assert feedback_requests_send() == 0

    assert requests() == []


def test_someone_checked_in_late_is_asked_by_the_next_run(talk):
    came(talk)
    with time_machine.travel(AFTER, tick=False):
        feedback_requests_send()
    late = came(talk, name="Late Comer")

    with time_machine.travel(AFTER + dt.timedelta(minutes=5), tick=False):
        assert feedback_requests_send() == 1

    assert (talk.pk, late.user_id) in requests()


def test_sessions_that_ended_more_than_two_days_ago_are_not_asked_about(talk):
    came(talk)

    with time_machine.travel(talk.ends_at + dt.timedelta(days=2, minutes=1), tick=False):
        assert feedback_requests_send() == 0


def _draft(session):
    Session.objects.filter(pk=session.pk).update(is_published=False)


def _draft_event(session):
    Event.objects.filter(pk=session.event_id).update(is_published=False)


def _cancelled(session):
    Session.objects.filter(pk=session.pk).update(cancelled_at=session.starts_at)


def _kind(kind):
    return lambda session: Session.objects.filter(pk=session.pk).update(kind=kind)


@pytest.mark.parametrize(
    "change",
    [_draft, _draft_event, _cancelled, _kind("speed_mentoring"), _kind("listening")],
    ids=["draft", "draft-event", "cancelled", "blood-buddies", "listening"],
)
def test_drafts_cancelled_blood_buddies_and_listening_sessions_never_ask(talk, change):
    came(talk)
    change(talk)

    with time_machine.travel(AFTER, tick=False):
        assert feedback_requests_send() == 0

    assert requests() == []


def test_someone_who_already_gave_feedback_is_not_asked(talk):
    registration = came(talk)
    SessionFeedbackFactory(session=talk, user=registration.user)

    with time_machine.travel(AFTER, tick=False):
        assert feedback_requests_send() == 0


def test_a_run_that_finds_nothing_new_costs_one_query(talk, django_assert_num_queries):
    for _ in range(5):
        came(talk)
    with time_machine.travel(AFTER, tick=False):
        feedback_requests_send()

        with django_assert_num_queries(3):  # savepoint, the one read, release
            assert feedback_requests_send() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_queue_each_request_once(postgres, event):
    talk = SessionFactory(event=event)
    people = [came(talk).user_id for _ in range(30)]
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait(10)
            results.append(feedback_requests_send())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(AFTER, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert errors == []
    assert requests() == sorted((talk.pk, user_id) for user_id in people)


# --- the email, through the outbox and a real SMTP server on loopback -----------------------


def test_the_email_arrives_once_with_five_rating_links_that_save_nothing_when_opened(
    talk, mailbox, client
):
    ada = came(talk, name="Ada Okafor", email="ada@example.org")
    stayed_away(talk, email="absent@example.org")

    with time_machine.travel(AFTER, tick=False):
        feedback_requests_send()
        feedback_requests_send()
        notifications_dispatch_due()
        notifications_dispatch_due()

    assert mailbox.subjects() == ["How was Giving a scientific talk?"]
    message = mailbox.messages[0]
    assert message["to"] == ["ada@example.org"]
    text = message["message"].get_body(preferencelist=("plain",)).get_content()
    assert "Friday, December 6, 10:00–10:30 (America/New_York)" in text
    text = text.replace("\r\n", "\n")
    links = re.findall(r"^  (\d) — [a-z ]+: (\S+)$", text, flags=re.M)
    assert [rating for rating, _ in links] == ["1", "2", "3", "4", "5"]
    assert all(url.endswith(f"?rating={n}") for n, (_, url) in enumerate(links, start=1))
    assert "add a comment" in text

    path = re.sub(r"^https?://[^/]+", "", links[3][1])
    for _ in range(3):  # a mail scanner opening the link, then the person
        page = client.get(path)
        assert page.status_code == 200
    assert SessionFeedback.objects.count() == 0
    assert checked_rating(page) == "4"

    sent = client.post(path, {"rating": "4", "comment": "Clear and practical."})

    assert sent.status_code == 200
    saved = SessionFeedback.objects.get()
    assert (saved.session_id, saved.user_id, saved.rating, saved.comment) == (
        talk.pk,
        ada.user_id,
        4,
        "Clear and practical.",
    )


def test_someone_who_turned_reminders_off_gets_no_feedback_request(talk, mailbox):
    quiet = came(talk, email="quiet@example.org")
    came(talk, email="keen@example.org")
    reminders_set(user=quiet.user, enabled=False)

    with time_machine.travel(AFTER, tick=False):
        feedback_requests_send()
        notifications_dispatch_due()

    assert [m["to"] for m in mailbox.messages] == [["keen@example.org"]]
    row = Notification.objects.get(user=quiet.user, kind=REQUEST_KIND)
    assert row.status == Status.CANCELLED
