"""Delivery through real parts: a real Celery worker subprocess on the real Redis, the test
PostgreSQL database and an SMTP server on loopback. The worker's clock cannot be mocked, so
due times are chosen relative to now."""

import datetime as dt
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Registration
from events.services import registration_create
from events.services.notices import session_context
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.conftest import free_port
from tests.factories import UserFactory
from tests.notifications.conftest import ROOT, subprocess_env, wait_until, worker_redis_url

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

Status = Notification.Status


def due_rows(session, users, count: int, *, kind="session_reminder") -> list[Notification]:
    """`count` reminders due a minute ago, spread over `users` (arranged in bulk)."""
    now = timezone.now()
    context = session_context(session)
    rows = [
        Notification(
            user=users[i % len(users)],
            kind=kind,
            category=Notification.Category.REMINDER,
            key=f"reminder:bulk:{i}",
            context={**context, "offset_minutes": 60},
            due_at=now - dt.timedelta(minutes=1),
            expires_at=session.starts_at,
        )
        for i in range(count)
    ]
    return Notification.objects.bulk_create(rows)


def message_ids(rows) -> set[str]:
    return {f"<notification-{row.pk}@127.0.0.1>" for row in rows}


def test_reminder_arrives_once_at_its_time_from_a_real_worker(
    worker_factory, mailbox, make_session
):
    # The worker is up first: on a loaded machine its start-up alone can outlast the 6 s.
    worker = worker_factory(mail_port=mailbox.port)
    worker.start()
    # A 1-minute reminder for a session starting in 66 s: due 6 s from now.
    session = make_session(starts_at=timezone.now() + dt.timedelta(seconds=66), offsets=[1])
    registration_create(session=session, user=UserFactory(name="Ada Okafor"))
    reminder = Notification.objects.get(kind="session_reminder")

    def reminders_arrived():
        return [s for s in mailbox.subjects() if s.startswith("Reminder")]

    # Beat's job, at a faster pace: trigger the dispatcher until the reminder is in.
    assert wait_until(reminders_arrived, timeout=40, interval=0.5, tick=worker.trigger_dispatch)
    for _ in range(4):  # more dispatcher runs send nothing more
        worker.trigger_dispatch()
    time.sleep(2)

    arrived = [
        m for m in mailbox.messages if m["message"]["Subject"].strip().startswith("Reminder")
    ]
    assert len(arrived) == 1
    assert mailbox.subjects().count(f"You're registered: {session.title}") == 1
    assert reminder.due_at <= arrived[0]["at"] <= reminder.due_at + dt.timedelta(seconds=6)
    reminder.refresh_from_db()
    assert reminder.status == Status.SENT
    assert reminder.sent_at >= reminder.due_at


def test_worker_killed_mid_batch_and_restarted_sends_every_message_exactly_once(
    worker_factory, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    rows = due_rows(session, UserFactory.create_batch(20), 200)
    mailbox.delay = 0.003  # a slightly slow mail server
    mailbox.hold_at = 80  # the 80th message is in flight when the worker dies
    worker = worker_factory(mail_port=mailbox.port)
    worker.start()

    worker.trigger_dispatch()
    assert mailbox.held.wait(60), worker.output()
    worker.kill()
    mailbox.release.set()

    assert wait_until(
        lambda: Notification.objects.filter(status=Status.SENT).count() == 79, timeout=5
    )
    assert mailbox.count() == 79  # the one in flight was never accepted
    assert Notification.objects.filter(status=Status.PENDING).count() == 121

    worker.start()
    everything_sent = lambda: not Notification.objects.filter(status=Status.PENDING).exists()  # noqa: E731
    # The killed worker's row lock goes when PostgreSQL notices the dead connection; the
    # next beat run (triggered here every 2 s) picks up whatever is still pending.
    assert wait_until(everything_sent, timeout=60, interval=2, tick=worker.trigger_dispatch)
    time.sleep(1)

    arrived = [m["message_id"] for m in mailbox.messages]
    assert len(arrived) == 200
    assert set(arrived) == message_ids(rows)
    assert Notification.objects.filter(status=Status.SENT).count() == 200


REGISTER = """
import sys, django
django.setup()
from accounts.models import User
from events.models import Session
from events.services import registration_create
registration = registration_create(
    session=Session.objects.get(pk=int(sys.argv[1])), user=User.objects.get(pk=int(sys.argv[2]))
)
print(registration.pk, registration.status)
"""


def test_registration_while_redis_is_down_succeeds_and_mail_goes_out_once_it_is_back(
    worker_factory, mailbox, make_session, redis_url
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    person = UserFactory()
    # The web process sees Redis down: its REDIS_URL points at a closed port.
    env = subprocess_env(redis=f"redis://127.0.0.1:{free_port()}/13", mail_port=mailbox.port)

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", REGISTER, str(session.pk), str(person.pk)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    elapsed = time.monotonic() - started

    assert done.returncode == 0, done.stderr
    registration = Registration.objects.get(user=person)
    assert done.stdout.split() == [str(registration.pk), "confirmed"]
    assert elapsed < 20
    confirmation = Notification.objects.get(kind="registration_confirmed")
    assert (confirmation.status, confirmation.attempts) == (Status.PENDING, 0)
    assert mailbox.count() == 0

    worker = worker_factory(mail_port=mailbox.port)  # Redis is back
    worker.start()
    arrived = lambda: mailbox.count() >= 1  # noqa: E731
    assert wait_until(arrived, timeout=30, interval=0.5, tick=worker.trigger_dispatch)
    time.sleep(1)

    assert mailbox.subjects() == [f"You're registered: {session.title}"]
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENT
    assert worker_redis_url(redis_url).endswith("/13")


def test_two_dispatchers_at_once_over_1000_due_reminders_send_each_exactly_once(
    postgres, mailbox, make_session
):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=2))
    rows = due_rows(session, UserFactory.create_batch(50), 1000)
    start = threading.Barrier(2)
    results: list[dict] = []
    errors: list[BaseException] = []

    def dispatcher():
        try:
            start.wait(10)
            results.append(notifications_dispatch_due())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert sum(r["sent"] for r in results) == 1000
    assert all(r["sent"] > 0 for r in results)  # both really worked at the same time
    arrived = [m["message_id"] for m in mailbox.messages]
    assert len(arrived) == 1000
    assert set(arrived) == message_ids(rows)
    assert Notification.objects.filter(status=Status.SENT).count() == 1000
