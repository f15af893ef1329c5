"""The outbox: every email is a row; delivery claims a row under a lock and sends it once."""

import contextlib
import logging
import smtplib
import socket
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

# Errors after which trying again later may succeed; anything else fails the row for good.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)
MAX_ATTEMPTS = 8


class TransientDeliveryError(Exception):
    pass


def notification_enqueue(
    *, user, kind: str, key: str, context: dict, due_at: datetime | None = None
) -> Notification:
    """Queues one email in the caller's transaction; a second call with the same key is a no-op."""
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "user": user,
            "kind": kind,
            "context": context,
            "due_at": due_at or timezone.now(),
        },
    )
    if created and notification.due_at <= timezone.now():
        # After commit only: a rolled-back change queues nothing. A broker that is down only
        # delays the mail: the dispatcher on beat picks up every due row.
        transaction.on_commit(lambda: _schedule(notification.pk), robust=True)
    return notification


def _schedule(notification_id: int) -> None:
    from .tasks import notification_deliver_task

    notification_deliver_task.apply_async(args=[notification_id], retry=False)


def _render(notification: Notification) -> EmailMultiAlternatives:
    user = notification.user
    context = {
        **notification.context,
        "user": user,
        "name": user.get_full_name(),
        "site_url": settings.SITE_URL,
    }
    base = f"emails/{notification.kind}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    text = render_to_string(f"{base}_body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    with contextlib.suppress(TemplateDoesNotExist):  # an HTML part is optional
        message.attach_alternative(render_to_string(f"{base}_body.html", context), "text/html")
    return message


def notification_deliver(*, notification_id: int) -> str:
    """Sends one due row at most once. Returns 'sent', 'failed', 'skipped'; raises
    TransientDeliveryError when a retry later may succeed (the attempt is recorded)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(
                pk=notification_id,
                status=Notification.Status.PENDING,
                sent_at__isnull=True,
                due_at__lte=timezone.now(),
            )
            .first()
        )
        if notification is None:
            return "skipped"  # sent already, not due, or another worker holds it right now
        notification.attempts += 1
        try:
            message = _render(notification)
            message.send(fail_silently=False)
        except TRANSIENT_ERRORS as exc:
            transient = exc
        except (
            TemplateDoesNotExist,
            TemplateSyntaxError,
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPException,
            ValueError,
        ) as exc:
            notification.status = Notification.Status.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            notification.save(update_fields=["status", "last_error", "attempts"])
            logger.warning(
                "notification %s failed for good: %s", notification.pk, notification.last_error
            )
            return "failed"
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["status", "sent_at", "last_error", "attempts"])
            return "sent"
        notification.last_error = f"{type(transient).__name__}: {transient}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
        notification.save(update_fields=["status", "last_error", "attempts"])
    if notification.status == Notification.Status.FAILED:
        return "failed"
    raise TransientDeliveryError(notification.last_error)


def notifications_dispatch_due(*, limit: int = 500) -> dict[str, int]:
    """Safety net run by beat: delivers every due row that no task delivered (broker was down,
    worker died). Rows claimed by another dispatcher are skipped, never sent twice."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "retry": 0}
    ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=timezone.now())
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for notification_id in ids:
        try:
            counts[notification_deliver(notification_id=notification_id)] += 1
        except TransientDeliveryError:
            counts["retry"] += 1
    return counts
