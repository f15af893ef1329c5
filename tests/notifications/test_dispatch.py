"""The dispatcher on PostgreSQL, as a worker runs it (outside any transaction, so each row's
lock, check, send and outcome go in one round trip per message: `claims.PipelinedClaims`).
Every row is still checked when it is sent, committed right after the server's answer, sent
once by concurrent dispatchers, and recovered after a crash mid-batch."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Registration
from events.services import registration_cancel, registration_create
from events.services.notices import (
    REASON_DRAFT_HELD,
    REASON_REGISTRATION_CANCELLED,
    session_context,
)
from notifications.models import Notification
from notifications.services import (
    REASON_EXPIRED,
    REASON_REMINDERS_OFF,
    notification_enqueue,
    notifications_dispatch_due,
    reminders_set,
)
from notifications.services.delivery import DISPATCH_BATCH
from notifications.services.hooks import SendChecks
from tests.factories import UserFactory
from tests.notifications.conftest import ROOT, subprocess_env, wait_until, worker_redis_url
from tests.notifications.test_worker import due_rows, message_ids
from tests.smtp import header

pytestmark = [pytest.mark.django_db(transaction=True)]

Status = Notification.Status


def run_dispatchers(count: int) -> list[dict[str, int]]:
    """`count` dispatchers at once, each on its own database connection."""
    start = threading.Barrier(count)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def dispatcher():
        try:
            start.wait(10)
            results.append(notifications_dispatch_due())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert errors == []
    return results


def test_three_dispatchers_at_once_across_several_batches_send_each_message_once(
    postgres, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    count = DISPATCH_BATCH * 2 + 50  # each dispatcher reads candidates several times
    rows = due_rows(session, UserFactory.create_batch(30), count)
    mailbox.delay = 0.001  # a server that takes a moment, so the dispatchers interleave

    results = run_dispatchers(3)

    assert sum(r["sent"] for r in results) == count
    assert sum(1 for r in results if r["sent"] > 0) >= 2  # they really worked side by side
    arrived = [m["message_id"] for m in mailbox.messages]
    assert len(arrived) == count
    assert set(arrived) == message_ids(rows)
    assert Notification.objects.filter(status=Status.SENT, sent_at__isnull=False).count() == count


@pytest.mark.parametrize("claims", ["pipelined", "atomic"])
def test_each_outcome_is_recorded_alike_whichever_way_rows_are_claimed(
    postgres, mailbox, make_session, claims
):
    """Outside a transaction the run pipelines its claims; inside one (a caller's) it takes
    a Django transaction per row. Both must leave the same record."""
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    draft = make_session(starts_at=timezone.now() + dt.timedelta(days=2), is_published=False)
    quiet = UserFactory()
    reminders_set(user=quiet, enabled=False)
    gone = UserFactory(email="gone@example.org")
    busy = UserFactory(email="busy@example.org")
    mailbox.refuse["gone@example.org"] = "550 5.1.1 <gone@example.org>: mailbox unavailable"
    mailbox.refuse["busy@example.org"] = "451 4.2.0 mailbox busy, try later"
    now = timezone.now()
    context = {**session_context(session), "offset_minutes": 60}

    def row(key, user, *, kind="session_reminder", **extra):
        extra.setdefault("context", context)
        return notification_enqueue(
            user=user, kind=kind, key=key, category=Notification.Category.REMINDER,
            due_at=now - dt.timedelta(minutes=1), schedule=False, **extra,
        )  # fmt: skip

    rows = {
        "sent": row("sent", UserFactory(name="Ada Okafor")),
        "refused": row("refused", gone),
        "busy": row("busy", busy),
        "expired": row("expired", UserFactory(), expires_at=now - dt.timedelta(seconds=1)),
        "reminders off": row("off", quiet),
        "no template": row("broken", UserFactory(), kind="no_such_kind"),
        "draft": row("draft", UserFactory(), context=session_context(draft)),
    }

    if claims == "pipelined":
        counts = notifications_dispatch_due()
    else:
        with transaction.atomic():
            counts = notifications_dispatch_due()

    assert counts == {"sent": 1, "failed": 2, "cancelled": 2, "retry": 2}
    found = {name: Notification.objects.get(pk=r.pk) for name, r in rows.items()}
    assert {name: (r.status, r.attempts) for name, r in found.items()} == {
        "sent": (Status.SENT, 1),
        "refused": (Status.FAILED, 1),
        "busy": (Status.PENDING, 1),
        "expired": (Status.CANCELLED, 0),
        "reminders off": (Status.CANCELLED, 0),
        "no template": (Status.FAILED, 1),
        "draft": (Status.PENDING, 0),
    }
    assert found["sent"].sent_at is not None and found["sent"].last_error == ""
    assert found["refused"].last_error.startswith("SMTPRecipientsRefused")
    assert "451" in found["busy"].last_error
    assert now + dt.timedelta(seconds=30) < found["busy"].due_at  # the first backoff
    assert found["busy"].due_at <= timezone.now() + dt.timedelta(seconds=30)
    assert found["expired"].last_error == REASON_EXPIRED
    assert found["reminders off"].last_error == REASON_REMINDERS_OFF
    assert found["no template"].last_error.startswith("TemplateDoesNotExist")
    assert found["draft"].last_error == REASON_DRAFT_HELD
    assert found["draft"].due_at > now
    assert [m["to"] for m in mailbox.messages] == [[found["sent"].user.email]]
    assert mailbox.messages[0]["message_id"] == f"<notification-{found['sent'].pk}@127.0.0.1>"
    assert (
        "Dear Ada Okafor,"
        in mailbox.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    )


def test_a_run_costs_one_database_round_trip_per_message_on_postgresql(
    postgres, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    users = UserFactory.create_batch(5)
    outbox, session_checks = [], []
    for count in (15, 30):
        Notification.objects.all().delete()
        due_rows(session, users, count)
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            assert notifications_dispatch_due()["sent"] == count
        elapsed = time.monotonic() - started
        sql = [query["sql"] for query in queries.captured_queries]
        outbox.append(len([q for q in sql if "events_session" not in q]))
        checks = len([q for q in sql if "events_session" in q])
        session_checks.append((checks, 1 + int(elapsed / SendChecks.MAX_AGE)))
    # Per message one call: the previous row's outcome, COMMIT, BEGIN and this row's claim.
    # Per run: BEGIN, the candidates (twice: the second read, with the last row's outcome
    # before it, finds nothing left) and the final COMMIT.
    assert outbox == [15 + 4, 30 + 4]
    # Whether the session is published: asked once for all its rows, again once the answer
    # is older than SendChecks.MAX_AGE (a slow machine), never once per row.
    assert all(1 <= checks <= most for checks, most in session_checks)


def registered_with_due_reminder(session, name):
    user = UserFactory(name=name)
    registration = registration_create(session=session, user=user)
    assert registration.status == Registration.Status.CONFIRMED
    return user, registration


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_changes_while_a_batch_goes_out_are_checked_when_each_row_is_sent(
    postgres, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(hours=2), offsets=[60])
    first, first_registration = registered_with_due_reminder(session, "Ada Okafor")
    quiet, _ = registered_with_due_reminder(session, "Bea Lindqvist")
    leaving, _ = registered_with_due_reminder(session, "Caio Mendes")
    Notification.objects.exclude(kind="session_reminder").delete()  # the confirmations
    Notification.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    reminder = {
        person: Notification.objects.get(user=person, kind="session_reminder")
        for person in (first, quiet, leaving)
    }
    mailbox.hold_at = 1  # the first reminder is on the wire while the others wait their turn
    run = threading.Thread(target=run_dispatchers, args=(1,))
    run.start()
    assert mailbox.held.wait(30)

    reminders_set(user=quiet, enabled=False)
    registration_cancel(session=session, user=leaving)
    # Cancelling the seat whose reminder is on the wire waits for that row's lock.
    cancel_first = threading.Thread(
        target=lambda: (registration_cancel(session=session, user=first), connection.close())
    )
    cancel_first.start()
    assert wait_until(lambda: lock_waiters() == 1, timeout=10)
    mailbox.release.set()
    run.join(60)
    cancel_first.join(30)

    reminders = [
        m for m in mailbox.messages if header(m["message"], "Subject").startswith("Remind")
    ]
    assert [m["to"] for m in reminders] == [[first.email]]
    states = {
        person.name: Notification.objects.values_list("status", "last_error").get(pk=row.pk)
        for person, row in reminder.items()
    }
    assert states == {
        "Ada Okafor": (Status.SENT, ""),  # on the wire when cancelled: it went, and says so
        "Bea Lindqvist": (Status.CANCELLED, REASON_REMINDERS_OFF),
        "Caio Mendes": (Status.CANCELLED, REASON_REGISTRATION_CANCELLED),
    }
    first_registration.refresh_from_db()
    assert first_registration.status == Registration.Status.CANCELLED


DISPATCH = """
import django
django.setup()
from notifications.services import notifications_dispatch_due
notifications_dispatch_due()
"""


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_the_next_run_sends_the_rest_once(
    postgres, redis_url, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    rows = due_rows(session, UserFactory.create_batch(20), DISPATCH_BATCH + 50)
    held = DISPATCH_BATCH + 30  # in the second batch of candidates
    mailbox.hold_at = held
    env = subprocess_env(redis=worker_redis_url(redis_url), mail_port=mailbox.port)
    process = subprocess.Popen([sys.executable, "-c", DISPATCH], cwd=ROOT, env=env)
    try:
        assert mailbox.held.wait(120)
        os.kill(process.pid, signal.SIGKILL)  # no chance to write or roll back anything
    finally:
        process.wait(30)
    mailbox.release.set()

    # Every message the server accepted is recorded as sent; the one on the wire is not.
    assert mailbox.count() == held - 1
    assert Notification.objects.filter(status=Status.SENT).count() == held - 1
    assert Notification.objects.filter(status=Status.PENDING).count() == len(rows) - held + 1

    def everything_sent():
        notifications_dispatch_due()  # the next beat run (the dead session's lock goes soon)
        return not Notification.objects.filter(status=Status.PENDING).exists()

    assert wait_until(everything_sent, timeout=30, interval=0.5)
    arrived = [m["message_id"] for m in mailbox.messages]
    assert len(arrived) == len(rows)
    assert set(arrived) == message_ids(rows)
