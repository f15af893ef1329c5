"""The outbox itself: rows written in the caller's transaction, delivered once over real SMTP,
permanent failures recorded, temporary ones retried later, nothing sent late."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import (
    MAX_ATTEMPTS,
    REASON_EXPIRED,
    REASON_REMINDERS_OFF,
    notification_deliver,
    notification_enqueue,
    notification_resend,
    notifications_dispatch_due,
    reminders_set,
)
from tests.conftest import free_port
from tests.factories import UserFactory
from tests.smtp import header

pytestmark = pytest.mark.django_db

Status = Notification.Status


def enqueue(user, key="k1", kind="registration_waitlisted", **extra) -> Notification:
    context = {
        "session_title": "Giving scientific presentations",
        "when": "Friday, December 6, 2030, 10:00–10:45 (America/New_York)",
        "room": "W224",
        "session_url": "http://testserver/s/1/",
        "agenda_url": "http://testserver/me/agenda/",
    }
    return notification_enqueue(user=user, kind=kind, key=key, context=context, **extra)


def test_enqueue_with_the_same_key_twice_writes_one_row():
    user = UserFactory()

    first = enqueue(user, key="reg:1:confirmed")
    second = enqueue(user, key="reg:1:confirmed")

    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks, scheduled):
    user = UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(user)
        raise RuntimeError("the change that caused the email failed")

    assert not Notification.objects.exists()
    assert callbacks == []
    assert scheduled["deliveries"] == []


def test_committed_due_row_is_handed_to_a_worker_once_and_a_future_row_is_not(
    django_capture_on_commit_callbacks, scheduled
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        now_row = enqueue(user, key="now")
        enqueue(user, key="now")
        enqueue(user, key="later", due_at=timezone.now() + dt.timedelta(hours=1))

    assert scheduled["deliveries"] == [now_row.pk]


def test_deliver_sends_over_smtp_once_and_records_it(mailbox):
    user = UserFactory(name="Ada Okafor", email="ada@example.org")
    row = enqueue(user)

    outcomes = [notification_deliver(notification_id=row.pk) for _ in range(3)]

    assert outcomes == ["sent", "skipped", "skipped"]
    assert mailbox.count() == 1
    delivered = mailbox.messages[0]
    assert delivered["to"] == ["ada@example.org"]
    assert (
        header(delivered["message"], "Subject")
        == "You're on the waitlist: Giving scientific presentations"
    )
    assert delivered["message_id"] == f"<notification-{row.pk}@127.0.0.1>"
    text = delivered["message"].get_body(preferencelist=("plain",)).get_content()
    html = delivered["message"].get_body(preferencelist=("html",)).get_content()
    assert "Dear Ada Okafor," in text
    assert "Dear Ada Okafor," in html
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.sent_at is not None


def test_plain_text_part_is_not_html_escaped(mailbox):
    user = UserFactory(name="Zoë O'Brien & co")

    notification_deliver(notification_id=enqueue(user).pk)

    text = mailbox.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "Dear Zoë O'Brien & co," in text


def test_dispatch_sends_due_rows_oldest_first_and_leaves_future_rows(mailbox):
    user = UserFactory()
    now = timezone.now()
    later = enqueue(user, key="later", due_at=now + dt.timedelta(minutes=5))
    second = enqueue(user, key="second", due_at=now - dt.timedelta(minutes=1))
    first = enqueue(user, key="first", due_at=now - dt.timedelta(minutes=2))

    counts = notifications_dispatch_due()

    assert counts == {"sent": 2, "failed": 0, "cancelled": 0, "retry": 0}
    assert [m["message_id"] for m in mailbox.messages] == [
        f"<notification-{first.pk}@127.0.0.1>",
        f"<notification-{second.pk}@127.0.0.1>",
    ]
    later.refresh_from_db()
    assert later.status == Status.PENDING


def test_refused_address_fails_that_row_with_the_reason_and_the_rest_are_sent(mailbox):
    good = UserFactory.create_batch(2)
    bad = UserFactory(email="gone@example.org")
    mailbox.refuse["gone@example.org"] = "550 5.1.1 <gone@example.org>: mailbox unavailable"
    rows = [enqueue(person, key=f"k{i}") for i, person in enumerate([good[0], bad, good[1]])]

    counts = notifications_dispatch_due()

    assert (counts["sent"], counts["failed"]) == (2, 1)
    assert sorted(m["to"][0] for m in mailbox.messages) == sorted(u.email for u in good)
    failed = Notification.objects.get(pk=rows[1].pk)
    assert failed.status == Status.FAILED
    assert "SMTPRecipientsRefused" in failed.last_error
    assert "550" in failed.last_error
    assert notifications_dispatch_due()["failed"] == 0  # never retried


def test_temporary_refusal_retries_with_backoff_then_fails_for_good(mailbox):
    user = UserFactory(email="busy@example.org")
    mailbox.refuse["busy@example.org"] = "451 4.2.0 mailbox busy, try later"
    row = enqueue(user)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.due_at == start + dt.timedelta(seconds=30)
    assert "451" in row.last_error

    moment = start
    for _ in range(MAX_ATTEMPTS - 1):
        moment += dt.timedelta(hours=2)
        with time_machine.travel(moment, tick=False):
            notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert mailbox.count() == 0


def test_mail_server_down_keeps_rows_pending_and_stops_the_dispatcher(no_mail_server):
    user = UserFactory()
    rows = [enqueue(user, key=f"k{i}") for i in range(3)]

    counts = notifications_dispatch_due()

    assert counts["retry"] == 1
    statuses = {r.pk: (r.status, r.attempts) for r in Notification.objects.all()}
    assert statuses[rows[0].pk] == (Status.PENDING, 1)
    assert statuses[rows[1].pk] == (Status.PENDING, 0)  # not even tried: the server is down
    first = Notification.objects.get(pk=rows[0].pk)
    assert first.due_at > timezone.now()
    assert "Connection" in first.last_error or "refused" in first.last_error


def test_server_outage_never_fails_a_row_and_delivery_resumes(mailbox, settings):
    settings.EMAIL_PORT = free_port()  # the server is down for a long time
    row = enqueue(UserFactory())
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        with time_machine.travel(moment, tick=False):
            assert notification_deliver(notification_id=row.pk) == "retry"
        moment += dt.timedelta(hours=1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, MAX_ATTEMPTS + 2)

    settings.EMAIL_PORT = mailbox.port  # back
    with time_machine.travel(moment, tick=False):
        assert notification_deliver(notification_id=row.pk) == "sent"
    assert mailbox.count() == 1


@pytest.mark.parametrize(
    ("templates", "error"),
    [
        ({}, "TemplateDoesNotExist"),
        (
            {"emails/broken_subject.txt": "{% if %}oops", "emails/broken_body.txt": "x"},
            "TemplateSyntaxError",
        ),
    ],
    ids=["missing-template", "syntax-error"],
)
def test_broken_template_fails_the_row_with_the_reason_and_others_still_go(
    mailbox, settings, tmp_path, templates, error
):
    for name, text in templates.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    user = UserFactory()
    broken = enqueue(
        user, key="broken", kind="broken", due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    fine = enqueue(user, key="fine")

    first = notifications_dispatch_due()
    second = notifications_dispatch_due()

    assert (first["failed"], first["sent"]) == (1, 1)
    assert second == {"sent": 0, "failed": 0, "cancelled": 0, "retry": 0}  # no crash loop
    broken.refresh_from_db()
    assert broken.status == Status.FAILED
    assert broken.last_error.startswith(error)
    fine.refresh_from_db()
    assert fine.status == Status.SENT
    assert mailbox.count() == 1


def test_row_past_its_expiry_is_cancelled_not_sent_late(mailbox):
    row = enqueue(
        UserFactory(),
        due_at=timezone.now() - dt.timedelta(hours=3),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )

    counts = notifications_dispatch_due()

    assert counts["cancelled"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error, row.sent_at) == (Status.CANCELLED, REASON_EXPIRED, None)
    assert mailbox.count() == 0


def test_reminders_off_cancels_reminders_but_transactional_mail_still_goes(mailbox):
    user = UserFactory()
    reminders_set(user=user, enabled=False)
    reminder = enqueue(user, key="reminder", kind="registration_waitlisted", category="reminder")
    transactional = enqueue(user, key="tx")

    notifications_dispatch_due()

    reminder.refresh_from_db()
    transactional.refresh_from_db()
    assert (reminder.status, reminder.last_error) == (Status.CANCELLED, REASON_REMINDERS_OFF)
    assert transactional.status == Status.SENT
    assert mailbox.count() == 1


def test_resend_of_a_failed_row_tries_the_same_row_again(
    mailbox, django_capture_on_commit_callbacks, scheduled
):
    user = UserFactory(email="later-fixed@example.org")
    mailbox.refuse["later-fixed@example.org"] = "550 no such user"
    row = enqueue(user)
    notification_deliver(notification_id=row.pk)
    mailbox.refuse.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = notification_resend(notification=row)

    assert again.pk == row.pk
    assert scheduled["deliveries"][-1] == row.pk
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert Notification.objects.count() == 1
    assert mailbox.count() == 1


def test_resend_of_a_sent_row_queues_a_copy_with_a_new_key_and_keeps_the_original(mailbox):
    row = enqueue(UserFactory(), key="reg:7:registration_confirmed")
    notification_deliver(notification_id=row.pk)

    copy = notification_resend(notification=row)
    second_copy = notification_resend(notification=row)

    assert (copy.key, second_copy.key) == (f"resend:{row.pk}:1", f"resend:{row.pk}:2")
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert notification_deliver(notification_id=row.pk) == "skipped"
    notifications_dispatch_due()
    assert mailbox.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped_not_sent_twice(postgres, mailbox):
    row = enqueue(UserFactory())
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert notification_deliver(notification_id=row.pk) == "skipped"
        assert notifications_dispatch_due()["sent"] == 0
    finally:
        release.set()
        thread.join()

    assert notification_deliver(notification_id=row.pk) == "sent"
    assert mailbox.count() == 1
