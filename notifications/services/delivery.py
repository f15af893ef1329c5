"""Delivery: claim a due row, render it, send it, at most once.

Each row is sent in a short transaction of its own that holds the row's lock
(`SELECT … FOR UPDATE SKIP LOCKED`, pending and due) and commits the outcome right after the
server's answer (`claims`), so two dispatchers, a duplicated task or a retried task never send
it twice; a worker killed mid-send leaves its transaction uncommitted, the row stays pending
and the next dispatcher sends it. Beat runs `notifications_dispatch_due` every minute. What a
failure means for the row is decided by the pure rules in `retry`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Notification
from . import retry
from .claims import AtomicClaims, Claimed, claims_for_dispatch
from .hooks import SendChecks, context_extra, send_hold
from .preferences import REASON_REMINDERS_OFF, unsubscribe_url
from .types import Context, Person

logger = logging.getLogger(__name__)

Status = Notification.Status
Category = Notification.Category

RAW = "raw"  # prerendered mail (allauth's): subject, body, html in the context
REASON_EXPIRED = "not sent late: its moment passed before it could go out"
DISPATCH_BATCH = 200

# Writes a claimed row's outcome (the named fields), in the claim's transaction.
Save = Callable[[Notification, Sequence[str]], None]


def notification_deliver(*, notification_id: int) -> str:
    """Sends one due row at most once. Returns 'sent', 'failed', 'cancelled', 'retry' (a
    temporary problem; the row is due again after a backoff) or 'skipped' (sent already, not
    due, or another worker holds it right now)."""
    connection = get_connection()
    claims = AtomicClaims()
    try:
        with claims.claim(notification_id) as claimed:
            if claimed is None:
                return "skipped"
            outcome = _deliver_claimed(claimed, connection=connection, save=claims.save)
    finally:
        _close_quietly(connection)
    return "retry" if outcome == "outage" else outcome


def notifications_dispatch_due(
    *, limit: int | None = None, time_budget: float | None = None
) -> dict[str, int]:
    """Sends every due row, oldest first, one short transaction per row over one SMTP
    connection (on PostgreSQL one database round trip per message: see `claims`). Safe to
    run twice at once: each row is claimed by primary key with SKIP LOCKED, so a row another
    dispatcher holds is skipped and one it sent is no longer pending. Stops early when the
    mail server is unreachable (the rest waits for the next run), after `limit` rows, or
    after `time_budget` seconds."""
    counts = {"sent": 0, "failed": 0, "cancelled": 0, "retry": 0}
    connection = get_connection()
    recent = SendChecks()
    started = time.monotonic()
    handled = 0

    def stop() -> bool:
        over_time = time_budget is not None and time.monotonic() - started > time_budget
        return over_time or (limit is not None and handled >= limit)

    try:
        with claims_for_dispatch() as claims:
            while not stop():
                candidates = claims.candidates(now=timezone.now(), limit=DISPATCH_BATCH)
                claimed_any = False
                for notification_id in candidates:
                    if stop():
                        break
                    with claims.claim(notification_id) as claimed:
                        if claimed is None:
                            continue  # sent meanwhile, or another dispatcher holds it
                        outcome = _deliver_claimed(
                            claimed, connection=connection, save=claims.save, recent=recent
                        )
                    claimed_any = True
                    handled += 1
                    if outcome == "outage":
                        counts["retry"] += 1
                        logger.warning("outbox: mail server unreachable; dispatcher stops for now")
                        return counts
                    counts[outcome] += 1
                if not claimed_any:
                    break  # nothing due, or all of it in other dispatchers' hands
    finally:
        _close_quietly(connection)
    return counts


def _deliver_claimed(
    claimed: Claimed, *, connection: Any, save: Save, recent: SendChecks | None = None
) -> str:
    """Call while the claim holds the row's lock. A row a send check holds counts as
    "retry": it is due again later, like a temporary refusal, but uses no attempt."""
    notification = claimed.notification
    now = timezone.now()
    reason = _cancel_reason(claimed, now)
    if reason:
        return _finish(notification, Status.CANCELLED, reason, save=save)
    hold = send_hold(
        kind=notification.kind,
        category=notification.category,
        context=notification.context,
        recent=recent,
    )
    if hold is not None:
        if hold.until is None:
            return _finish(notification, Status.CANCELLED, hold.reason, save=save)
        notification.due_at, notification.last_error = hold.until, hold.reason[:2000]
        save(notification, ["due_at", "last_error"])
        return "retry"
    notification.attempts += 1
    try:
        message = _render(notification)
    except Exception as exc:  # a broken template or context never gets better by retrying
        return _finish(notification, Status.FAILED, retry.describe(exc), save=save)
    message.connection = connection
    try:
        connection.open()  # kept open across a dispatcher's run
        message.send()
    except Exception as exc:
        _close_quietly(connection)
        return _after_error(notification, exc, now, save=save)
    notification.status = Status.SENT
    notification.sent_at = now
    notification.last_error = ""
    save(notification, ["status", "sent_at", "last_error", "attempts"])
    return "sent"


def _cancel_reason(claimed: Claimed, now: datetime) -> str:
    notification = claimed.notification
    if notification.expires_at is not None and notification.expires_at <= now:
        return REASON_EXPIRED
    if notification.category == Category.REMINDER and not claimed.reminders_enabled:
        return REASON_REMINDERS_OFF
    return ""


def _finish(notification: Notification, status: str, reason: str, *, save: Save) -> str:
    notification.status = status
    notification.last_error = reason[:2000]
    save(notification, ["status", "last_error", "attempts"])
    if status == Status.FAILED:
        logger.warning("outbox: notification %s failed for good: %s", notification.pk, reason)
    return status


def _after_error(
    notification: Notification, exc: BaseException, now: datetime, *, save: Save
) -> str:
    notification.last_error = retry.describe(exc)
    decision = retry.after_error(exc, attempts=notification.attempts)
    if decision.outcome == "failed" or decision.delay is None:
        return _finish(notification, Status.FAILED, notification.last_error, save=save)
    notification.due_at = now + decision.delay
    save(notification, ["last_error", "attempts", "due_at"])
    return decision.outcome


def _close_quietly(connection: Any) -> None:
    with contextlib.suppress(Exception):
        connection.close()


def _message_id(notification: Notification) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    # Stable per row: a receiver can recognize the same message if it ever arrives twice.
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
    context: Context,
    user: Person | None = None,
    to_email: str = "",
    category: str = Category.TRANSACTIONAL,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The email a row of `kind` with `context` becomes for `user` (or `to_email`), exactly
    as delivery sends it; staff previews use it too, so a preview never differs."""
    data = context
    to = to_email or (user.email if user is not None else "")
    if not to:
        raise ValueError("no recipient address")
    headers = dict(headers or {})
    unsubscribe = (
        unsubscribe_url(user=user) if category == Category.REMINDER and user is not None else ""
    )
    html: str | None
    if kind == RAW:
        subject, text, html = data["subject"], data["body"], data.get("html")
        from_email = data.get("from_email") or settings.DEFAULT_FROM_EMAIL
        headers.update(data.get("headers") or {})
    else:
        page = {
            **data,
            **context_extra(kind=kind, context=data),
            "name": user.get_full_name() if user is not None else data.get("name", to),
            "site_url": settings.SITE_URL,
            "settings_url": settings.SITE_URL + reverse("notifications:settings"),
        }
        if unsubscribe:
            page["unsubscribe_url"] = unsubscribe
        base = f"emails/{kind}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", page).split())
        text = render_to_string(f"{base}_body.txt", page)
        try:
            html = render_to_string(f"{base}_body.html", page)
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
