"""The outbox: every email is a row written in the transaction that causes it; delivery claims
a due row under a lock and sends it once.

Exactly once, in practice:
- a unique `key` per notice, so the same notice is never queued twice;
- delivery claims a row with `SELECT … FOR UPDATE SKIP LOCKED` and `sent_at IS NULL` and
  marks it sent in the same transaction, so two dispatchers, a duplicated task or a retried
  task never send it twice; a worker killed mid-send leaves its transaction uncommitted, the
  row stays pending and the next dispatcher sends it;
- due times live in this table, never in the broker (no ETA tasks: Redis redelivers those
  after its visibility timeout). Beat runs `notifications_dispatch_due` every minute.

This module knows no other app's models: callers hand it plain data.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Announcement, Notification, NotificationPreference

logger = logging.getLogger(__name__)

Status = Notification.Status
Category = Notification.Category

RAW = "raw"  # prerendered mail (allauth's): subject, body, html in the context
MAX_ATTEMPTS = 8  # per-message temporary refusals (4xx) before the row fails for good
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
OUTAGE_RETRY_MAX = timedelta(minutes=10)
UNSUBSCRIBE_SALT = "notifications.unsubscribe"

REASON_EXPIRED = "not sent late: its moment passed before it could go out"

# kind -> callables `fn(context: dict) -> dict` that other apps register (in AppConfig.ready)
# to add details known only at send time, e.g. the tables or rounds a reminder lists. This
# is how the outbox stays free of other apps' models: they hand it functions.
_context_providers: dict[str, list] = {}


def register_context_provider(kind: str, provider) -> None:
    _context_providers.setdefault(kind, []).append(provider)


REASON_REMINDERS_OFF = "the recipient turned reminders off"


# ---------------------------------------------------------------------------------------------
# Writing rows


def notification_enqueue(
    *,
    user=None,
    kind: str,
    key: str,
    context: dict,
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
            "user": user,
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
        transaction.on_commit(lambda: _schedule(notification.pk), robust=True)
    return notification


# When a publish fails, this process stops trying for a while: with the broker down each
# attempt costs seconds (the Redis client retries), and the dispatcher on beat sends the
# rows anyway once the broker is back. Only the latency of those rows suffers.
BROKER_PAUSE_SECONDS = 30.0
_broker_down_until = 0.0


def _publish(task, **options) -> None:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return
    try:
        task.apply_async(retry=False, **options)
    except Exception as exc:
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("outbox: broker unreachable (%s); the dispatcher will send the mail", exc)


def _schedule(notification_id: int) -> None:
    from .tasks import notification_deliver_task

    _publish(notification_deliver_task, args=[notification_id])


def _dispatch_soon() -> None:
    from .tasks import notifications_dispatch_due_task

    _publish(notifications_dispatch_due_task)


def notifications_dispatch_soon() -> None:
    """After commit, asks one worker to run the dispatcher (one message for a whole batch)."""
    transaction.on_commit(_dispatch_soon, robust=True)


def notification_enqueue_email(
    *, message: EmailMessage, user=None, deliver_now: bool = False
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
        context = {
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
    user: Any
    kind: str
    context: dict
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
    planned = list(planned)
    now = timezone.now()
    counts = {"created": 0, "updated": 0, "cancelled": 0, "revived": 0}
    existing = {
        row.key: row
        for row in Notification.objects.select_for_update().filter(key__in=[p.key for p in planned])
    }
    for plan in planned:
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
    user,
    kind: str,
    context: dict,
    initial: dict | None = None,
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
        transaction.on_commit(lambda: _schedule(row.pk), robust=True)
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


ANNOUNCEMENT = "announcement"


def announcement_context(
    *, subject: str, body: str, target: str, target_url: str = "", context: dict | None = None
) -> dict:
    """What an announcement's templates read: the staff's subject and text, and whom it is for
    (the greeting "Dear <name>," is the template's, never the staff's)."""
    return {
        **(context or {}),
        "subject": subject,
        "body": body,
        "target": target,
        "target_url": target_url,
    }


def announcement_recipients(recipients: Iterable) -> list:
    """Each person once, in the order given."""
    return list({person.pk: person for person in recipients}.values())


@transaction.atomic
def announcement_send(
    *,
    subject: str,
    body: str,
    target: str,
    recipients: Iterable,
    target_url: str = "",
    created_by=None,
    context: dict | None = None,
) -> Announcement:
    """A staff message to a group, one outbox row per person (`announcement:{id}:{user_id}`);
    one dispatcher run after commit sends them all."""
    people = announcement_recipients(recipients)
    announcement = Announcement.objects.create(
        subject=subject,
        body=body,
        target=target,
        target_url=target_url,
        created_by=created_by,
        recipient_count=len(people),
    )
    data = announcement_context(
        subject=subject, body=body, target=target, target_url=target_url, context=context
    )
    for person in people:
        notification_enqueue(
            user=person,
            kind=ANNOUNCEMENT,
            key=f"announcement:{announcement.pk}:{person.pk}",
            context=data,
            category=Category.ANNOUNCEMENT,
            schedule=False,
        )
    if people:
        notifications_dispatch_soon()
    return announcement


@transaction.atomic
def announcement_send_test(
    *,
    subject: str,
    body: str,
    target: str,
    to_user,
    target_url: str = "",
    context: dict | None = None,
) -> Notification:
    """A test copy of an announcement not sent yet, to `to_user` (the staff member writing
    it) and nobody else: through the outbox like the real one, its subject and first line
    marking it as a test. Not recorded as an announcement."""
    data = announcement_context(
        subject=subject, body=body, target=target, target_url=target_url, context=context
    )
    return notification_enqueue(
        user=to_user,
        kind=ANNOUNCEMENT,
        key=f"announcement-test:{uuid.uuid4().hex}",
        context={**data, "is_test": True},
        category=Category.ANNOUNCEMENT,
    )


# ---------------------------------------------------------------------------------------------
# Preferences and unsubscribe


def unsubscribe_token(*, user) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def unsubscribe_url(*, user) -> str:
    token = unsubscribe_token(user=user)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_user_id(*, token: str) -> int | None:
    """The account a token was made for, or None for a bad or tampered token."""
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def reminders_set(*, user, enabled: bool) -> NotificationPreference:
    """Turns reminders on or off; transactional mail is unaffected. Pending reminders are
    checked at send time, so turning them off stops those already queued too."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"reminders_enabled": enabled}
    )
    return preference


# ---------------------------------------------------------------------------------------------
# Delivery


def _claimable():
    # of=("self",): lock only the outbox row; the joins are read for rendering.
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "user__notification_preference")
        .filter(status=Status.PENDING, sent_at__isnull=True, due_at__lte=timezone.now())
    )


def notification_deliver(*, notification_id: int) -> str:
    """Sends one due row at most once. Returns 'sent', 'failed', 'cancelled', 'retry' (a
    temporary problem; the row is due again after a backoff) or 'skipped' (sent already, not
    due, or another worker holds it right now)."""
    connection = get_connection()
    try:
        with transaction.atomic():
            notification = _claimable().filter(pk=notification_id).first()
            if notification is None:
                return "skipped"
            outcome = _deliver_claimed(notification, connection=connection)
    finally:
        _close_quietly(connection)
    return "retry" if outcome == "outage" else outcome


DISPATCH_BATCH = 200


def notifications_dispatch_due(
    *, limit: int | None = None, time_budget: float | None = None
) -> dict[str, int]:
    """Sends every due row, oldest first, one short transaction per row over one SMTP
    connection. Safe to run twice at once: each row is claimed by primary key with SKIP
    LOCKED, so a row another dispatcher holds is skipped and one it sent is no longer
    pending. Stops early when the mail server is unreachable (the rest waits for the next
    run), after `limit` rows, or after `time_budget` seconds."""
    counts = {"sent": 0, "failed": 0, "cancelled": 0, "retry": 0}
    connection = get_connection()
    started = time.monotonic()
    handled = 0

    def stop() -> bool:
        over_time = time_budget is not None and time.monotonic() - started > time_budget
        return over_time or (limit is not None and handled >= limit)

    try:
        while not stop():
            # Candidates first (a plain ordered read), then a claim by primary key: the
            # claim stays an index lookup whatever the planner thinks of the due set.
            candidates = list(
                Notification.objects.filter(status=Status.PENDING, due_at__lte=timezone.now())
                .order_by("due_at", "id")
                .values_list("id", flat=True)[:DISPATCH_BATCH]
            )
            claimed = 0
            for notification_id in candidates:
                if stop():
                    break
                with transaction.atomic():
                    notification = _claimable().filter(pk=notification_id).first()
                    if notification is None:
                        continue  # sent meanwhile, or another dispatcher holds it
                    outcome = _deliver_claimed(notification, connection=connection)
                claimed += 1
                handled += 1
                if outcome == "outage":
                    counts["retry"] += 1
                    logger.warning("outbox: mail server unreachable; dispatcher stops for now")
                    return counts
                counts[outcome] += 1
            if claimed == 0:
                break  # nothing due, or all of it in other dispatchers' hands
    finally:
        _close_quietly(connection)
    return counts


def _deliver_claimed(notification: Notification, *, connection) -> str:
    """Call inside the transaction that holds the row's lock."""
    now = timezone.now()
    reason = _cancel_reason(notification, now)
    if reason:
        return _finish(notification, Status.CANCELLED, reason)
    notification.attempts += 1
    try:
        message = _render(notification)
    except Exception as exc:  # a broken template or context never gets better by retrying
        return _finish(notification, Status.FAILED, _describe(exc))
    message.connection = connection
    try:
        connection.open()  # kept open across a dispatcher's batch
        message.send()
    except Exception as exc:
        _close_quietly(connection)
        return _after_error(notification, exc, now)
    notification.status = Status.SENT
    notification.sent_at = now
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    return "sent"


def _cancel_reason(notification: Notification, now: datetime) -> str:
    if notification.expires_at is not None and notification.expires_at <= now:
        return REASON_EXPIRED
    if notification.category == Category.REMINDER and notification.user_id:
        try:
            preference = notification.user.notification_preference
        except NotificationPreference.DoesNotExist:
            return ""
        if not preference.reminders_enabled:
            return REASON_REMINDERS_OFF
    return ""


def _finish(notification: Notification, status: str, reason: str) -> str:
    notification.status = status
    notification.last_error = reason[:2000]
    notification.save(update_fields=["status", "last_error", "attempts"])
    if status == Status.FAILED:
        logger.warning("outbox: notification %s failed for good: %s", notification.pk, reason)
    return status


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _is_outage(exc: BaseException) -> bool:
    """The server (or our account on it) is the problem, not this message: every row would
    fail the same way, so stop and retry later without failing anything."""
    return isinstance(
        exc,
        (
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            smtplib.SMTPHeloError,
            smtplib.SMTPAuthenticationError,
            smtplib.SMTPSenderRefused,
        ),
    ) or (isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException))


def _is_permanent(exc: BaseException) -> bool:
    """This message can never be delivered: an invalid or refused address, rejected content."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)  # Django refuses malformed addresses and headers


def _after_error(notification: Notification, exc: BaseException, now: datetime) -> str:
    notification.last_error = _describe(exc)
    if _is_outage(exc):
        # Not the message's fault: retried until the server is back, never failed for it.
        delay = min(RETRY_BASE * 2 ** min(notification.attempts - 1, 10), OUTAGE_RETRY_MAX)
        notification.due_at = now + delay
        notification.save(update_fields=["last_error", "attempts", "due_at"])
        return "outage"
    if _is_permanent(exc) or notification.attempts >= MAX_ATTEMPTS:
        return _finish(notification, Status.FAILED, notification.last_error)
    notification.due_at = now + min(RETRY_BASE * 2 ** (notification.attempts - 1), RETRY_MAX)
    notification.save(update_fields=["last_error", "attempts", "due_at"])
    return "retry"


def _close_quietly(connection) -> None:
    with contextlib.suppress(Exception):
        connection.close()


def _message_id(notification: Notification) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    # Stable per row: a receiver can recognise the same message if it ever arrives twice.
    return f"<notification-{notification.pk}@{host or 'localhost'}>"


def _render(notification: Notification) -> EmailMultiAlternatives:
    return message_render(
        kind=notification.kind,
        context=notification.context,
        user=notification.user,
        to_email=notification.recipient,
        category=notification.category,
        headers={"Message-ID": _message_id(notification)},
    )


def message_render(
    *,
    kind: str,
    context: dict,
    user=None,
    to_email: str = "",
    category: str = Category.TRANSACTIONAL,
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    """The email a row of `kind` with `context` becomes for `user` (or `to_email`), exactly
    as delivery sends it; staff previews use it too, so a preview never differs."""
    data = context
    to = to_email or (user.email if user is not None else "")
    if not to:
        raise ValueError("no recipient address")
    headers = dict(headers or {})
    is_reminder = category == Category.REMINDER and user is not None
    unsubscribe = unsubscribe_url(user=user) if is_reminder else ""
    if kind == RAW:
        subject, text, html = data["subject"], data["body"], data.get("html")
        from_email = data.get("from_email") or settings.DEFAULT_FROM_EMAIL
        headers.update(data.get("headers") or {})
    else:
        extra: dict[str, Any] = {}
        for provider in _context_providers.get(kind, []):
            extra.update(provider(data))
        context = {
            **data,
            **extra,
            "name": user.get_full_name() if user is not None else data.get("name", to),
            "site_url": settings.SITE_URL,
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
        }
        if unsubscribe:
            context["unsubscribe_url"] = unsubscribe
        base = f"emails/{kind}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}_body.txt", context)
        try:
            html = render_to_string(f"{base}_body.html", context)
        except TemplateDoesNotExist:  # an HTML part is optional
            html = None
        from_email = settings.DEFAULT_FROM_EMAIL
    if unsubscribe:
        # RFC 2369 and RFC 8058: mail clients offer a one-click "unsubscribe" button.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=from_email, to=[to], headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in data.get("attachments") or []:
        message.attach(
            attachment["filename"],
            attachment["content"],
            attachment.get("mimetype", "application/octet-stream"),
        )
    return message
