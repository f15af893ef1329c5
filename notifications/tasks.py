"""Thin Celery tasks: they take ids, re-read the rows and call the services.

Both are idempotent: a duplicated, retried or redelivered message (acks_late after a killed
worker) sends nothing twice, because delivery claims each row under a lock. Neither retries
through the broker: a temporary failure pushes the row's due time back in the database and
the dispatcher (on beat, every minute) picks it up; nothing is ever scheduled with an ETA.

The services publish these tasks (`services.broker`), so each task imports its service when it
runs: the import graph stays one-way, services → tasks.
"""

from celery import shared_task

# One dispatcher run stops after this many seconds; beat's next run carries on.
DISPATCH_TIME_BUDGET = 240.0


@shared_task(acks_late=True, ignore_result=True)
def notification_deliver_task(notification_id: int) -> str:
    from .services.delivery import notification_deliver  # noqa: PLC0415 — services publish tasks

    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, ignore_result=True)
def notifications_dispatch_due_task() -> dict[str, int]:
    from .services.delivery import notifications_dispatch_due  # noqa: PLC0415 — as above

    return notifications_dispatch_due(time_budget=DISPATCH_TIME_BUDGET)
