"""Writing rows: every email is a row written in the caller's transaction, so a rolled-back
change queues nothing. A unique `key` per notice means the same notice is never queued twice.
Due times live in this table, never in the broker; a row due now is handed to a worker after
commit (`broker`), the rest waits for the dispatcher.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ..models import Notification
from .broker import delivery_after_commit, dispatch_after_commit
from .delivery import RAW, notification_deliver
from .types import Context, Person, user_column

Status = Notification.Status
Category = Notification.Category


def notification_enqueue(
    *,
    user: Person | None = None,
    kind: str,
    key: str,
    context: Context,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    category: str = Category.TRANSACTIONAL,
    to_email: str = "",
    schedule: bool = True,
) -> Notification:
    """Queues one email in the caller's transaction; a second call with the same key is a no-op.

    A row due now is handed to a worker after commit (a rolled-back change queues nothing);
    a row due later waits in the table for the dispatcher. `schedule=False` leaves even a due
    row to the dispatcher (for batches: see `notifications_dispatch_soon`).
    """
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "user": user_column(user),
            "to_email": to_email,
            "kind": kind,
            "category": category,
            "context": context,
            "due_at": due_at or timezone.now(),
            "expires_at": expires_at,
        },
    )
    if created and schedule and notification.due_at <= timezone.now():
        # A broker that is down only delays the mail: the dispatcher picks up every due row.
        delivery_after_commit(notification.pk)
    return notification


def notifications_dispatch_soon() -> None:
    """After commit, asks one worker to run the dispatcher (one message for a whole batch)."""
    dispatch_after_commit()


def notification_enqueue_email(
    *, message: EmailMessage, user: Person | None = None, deliver_now: bool = False
) -> list[Notification]:
    """Queues an already rendered message (allauth's account mail), one row per recipient.

    `deliver_now` sends it in this process right away (a person waits for the link on the
    page); a failure leaves the row to the dispatcher's retries like any other.
    """
    html = next(
        (
            body
            for body, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    rows = []
    for address in message.to:
        context: Context = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
        }
        if html is not None:
            context["html"] = str(html)
        if message.extra_headers:
            context["headers"] = {k: str(v) for k, v in message.extra_headers.items()}
        owner = user if user is not None and user.email.lower() == address.lower() else None
        rows.append(
            notification_enqueue(
                user=owner,
                to_email="" if owner is not None else address,
                kind=RAW,
                key=f"raw:{uuid.uuid4().hex}",
                context=context,
                schedule=not deliver_now,
            )
        )
    if deliver_now:
        for row in rows:
            notification_deliver(notification_id=row.pk)
    return rows


def notifications_cancel(*, key_prefix: str, reason: str) -> int:
    """Cancels the pending rows whose key starts with `key_prefix` (e.g. every reminder of a
    cancelled registration). A row being sent right now finishes first and stays sent."""
    return Notification.objects.filter(key__startswith=key_prefix, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error=reason
    )


def notification_cancel(*, notification: Notification, reason: str) -> None:
    Notification.objects.filter(pk=notification.pk, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error=reason
    )


@dataclass(frozen=True)
class Planned:
    """One row a caller wants scheduled: `notifications_plan` makes the table match."""

    key: str
    user: Person | None
    kind: str
    context: Context
    due_at: datetime
    expires_at: datetime | None = None
    category: str = Category.REMINDER


def notifications_plan(*, planned: Iterable[Planned], passed_reason: str) -> dict[str, int]:
    """Brings scheduled rows in line with a plan, in the caller's transaction.

    Missing rows due in the future are created; a row whose moment has already passed is
    never created (never sent late). Pending rows are re-timed and refreshed; a pending row
    whose new moment has passed is cancelled with `passed_reason`, and revived if a later
    plan moves its moment into the future again. Sent and failed rows are history.
    """
    plans = list(planned)
    now = timezone.now()
    counts = {"created": 0, "updated": 0, "cancelled": 0, "revived": 0}
    existing = {
        row.key: row
        for row in Notification.objects.select_for_update().filter(key__in=[p.key for p in plans])
    }
    for plan in plans:
        row = existing.get(plan.key)
        is_future = plan.due_at > now
        if row is None:
            if is_future:
                notification_enqueue(
                    user=plan.user,
                    kind=plan.kind,
                    key=plan.key,
                    context=plan.context,
                    due_at=plan.due_at,
                    expires_at=plan.expires_at,
                    category=plan.category,
                )
                counts["created"] += 1
            continue
        revivable = row.status == Status.CANCELLED and row.last_error == passed_reason
        if row.status != Status.PENDING and not (revivable and is_future):
            continue
        if not is_future:
            row.status, row.last_error = Status.CANCELLED, passed_reason
            row.save(update_fields=["status", "last_error"])
            counts["cancelled"] += 1
            continue
        if revivable:
            row.status, row.last_error = Status.PENDING, ""
            counts["revived"] += 1
        elif (row.due_at, row.expires_at, row.context) == (
            plan.due_at,
            plan.expires_at,
            plan.context,
        ):
            continue
        else:
            counts["updated"] += 1
        row.due_at, row.expires_at, row.context = plan.due_at, plan.expires_at, plan.context
        row.save(update_fields=["status", "last_error", "due_at", "expires_at", "context"])
    return counts


def notification_coalesce(
    *,
    key_prefix: str,
    key: str,
    user: Person | None,
    kind: str,
    context: Context,
    initial: Context | None = None,
    due_at: datetime,
    expires_at: datetime | None = None,
    category: str = Category.TRANSACTIONAL,
) -> Notification:
    """Several quick changes make one notice: merges `context` into the pending row whose key
    starts with `key_prefix` (keeping its due time), else queues a new row with
    `{**initial, **context}`. A row already sent, or being sent right now, is left alone."""
    row = (
        Notification.objects.select_for_update()
        .filter(key__startswith=key_prefix, status=Status.PENDING, sent_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if row is not None:
        row.context = {**row.context, **context}
        row.expires_at = expires_at
        row.save(update_fields=["context", "expires_at"])
        return row
    return notification_enqueue(
        user=user,
        kind=kind,
        key=key,
        context={**(initial or {}), **context},
        due_at=due_at,
        expires_at=expires_at,
        category=category,
    )


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification | None:
    """Staff "resend". A failed row goes back to pending for a fresh round of attempts (it was
    never delivered). A sent row stays as it is, history: a copy with a new key is queued, so
    the original's exactly-once record is never undone. Other rows: None."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    now = timezone.now()
    if row.status == Status.FAILED:
        row.status, row.due_at, row.attempts, row.last_error = Status.PENDING, now, 0, ""
        row.save(update_fields=["status", "due_at", "attempts", "last_error"])
        delivery_after_commit(row.pk)
        return row
    if row.status != Status.SENT:
        return None
    number = Notification.objects.filter(key__startswith=f"resend:{row.pk}:").count() + 1
    return notification_enqueue(
        user=row.user,
        to_email=row.to_email,
        kind=row.kind,
        key=f"resend:{row.pk}:{number}",
        context=row.context,
        expires_at=row.expires_at,
        category=row.category,
    )
