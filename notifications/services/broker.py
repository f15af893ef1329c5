"""The seam between the outbox and Celery: after commit, the outbox asks the broker to deliver
one row or to run the dispatcher once. Nothing else in the outbox talks to Celery.

The broker is an edge: tests replace it with `broker_use(...)` (a recorder) instead of
pushing into a queue other runs share; the real-worker tests keep the Celery one.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from django.db import transaction

from notifications.tasks import notification_deliver_task, notifications_dispatch_due_task

logger = logging.getLogger(__name__)

# When a publish fails, this process stops trying for a while: with the broker down each
# attempt costs seconds (the Redis client retries), and the dispatcher on beat sends the
# rows anyway once the broker is back. Only the latency of those rows suffers.
BROKER_PAUSE_SECONDS = 30.0


class Broker(Protocol):
    def deliver(self, notification_id: int) -> None:
        """Asks a worker to deliver one row now."""

    def dispatch(self) -> None:
        """Asks a worker to run the dispatcher once (every due row)."""


class CeleryBroker:
    """Publishes the outbox's tasks; a broker that is down only delays the mail, because the
    dispatcher on beat picks up every due row."""

    def __init__(self, *, pause_seconds: float = BROKER_PAUSE_SECONDS) -> None:
        self.pause_seconds = pause_seconds
        self._down_until = 0.0

    def deliver(self, notification_id: int) -> None:
        self._publish(notification_deliver_task, args=[notification_id])

    def dispatch(self) -> None:
        self._publish(notifications_dispatch_due_task)

    def _publish(self, task: Any, **options: Any) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            task.apply_async(retry=False, **options)
        except Exception as exc:
            self._down_until = time.monotonic() + self.pause_seconds
            logger.warning(
                "outbox: broker unreachable (%s); the dispatcher will send the mail", exc
            )


_broker: Broker = CeleryBroker()


def broker_use(broker: Broker) -> Broker:
    """Makes `broker` the one the outbox publishes to; returns the one it replaces (to put
    back)."""
    global _broker
    previous, _broker = _broker, broker
    return previous


def broker_get() -> Broker:
    return _broker


def delivery_after_commit(notification_id: int) -> None:
    """After the caller's transaction commits, a worker delivers the row (a rolled-back change
    publishes nothing)."""
    transaction.on_commit(lambda: _broker.deliver(notification_id), robust=True)


def dispatch_after_commit() -> None:
    """After commit, one worker runs the dispatcher (one message for a whole batch)."""
    transaction.on_commit(lambda: _broker.dispatch(), robust=True)
