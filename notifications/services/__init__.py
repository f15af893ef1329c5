"""The outbox: every email is a row written in the transaction that causes it; delivery claims
a due row under a lock and sends it once. Callers hand it plain data: it knows no other app's
models.

- `outbox`: writing rows (enqueue, plan, coalesce, cancel, resend);
- `announcements`: staff messages to a group, one row per person;
- `delivery`: claim, render and send a due row; the dispatcher;
- `retry`: what a failed send means for the row (pure rules);
- `preferences`: reminders on or off, the signed unsubscribe link;
- `hooks`: what other apps register (context providers, send checks);
- `broker`: the seam to Celery, which tests replace.

Other apps import from this package, never from its modules.
"""

from .announcements import (
    ANNOUNCEMENT,
    announcement_context,
    announcement_recipients,
    announcement_send,
    announcement_send_test,
)
from .broker import Broker, CeleryBroker, broker_get, broker_use
from .delivery import (
    RAW,
    REASON_EXPIRED,
    message_render,
    notification_deliver,
    notifications_dispatch_due,
)
from .hooks import Hold, register_context_provider, register_send_check
from .outbox import (
    Planned,
    notification_cancel,
    notification_coalesce,
    notification_enqueue,
    notification_enqueue_email,
    notification_resend,
    notifications_cancel,
    notifications_dispatch_soon,
    notifications_plan,
)
from .preferences import (
    REASON_REMINDERS_OFF,
    reminders_set,
    unsubscribe_token,
    unsubscribe_url,
    unsubscribe_user_id,
)
from .retry import MAX_ATTEMPTS
from .types import Context, Person

__all__ = [
    "ANNOUNCEMENT",
    "MAX_ATTEMPTS",
    "RAW",
    "REASON_EXPIRED",
    "REASON_REMINDERS_OFF",
    "Broker",
    "CeleryBroker",
    "Context",
    "Hold",
    "Person",
    "Planned",
    "announcement_context",
    "announcement_recipients",
    "announcement_send",
    "announcement_send_test",
    "broker_get",
    "broker_use",
    "message_render",
    "notification_cancel",
    "notification_coalesce",
    "notification_deliver",
    "notification_enqueue",
    "notification_enqueue_email",
    "notification_resend",
    "notifications_cancel",
    "notifications_dispatch_due",
    "notifications_dispatch_soon",
    "notifications_plan",
    "register_context_provider",
    "register_send_check",
    "reminders_set",
    "unsubscribe_token",
    "unsubscribe_url",
    "unsubscribe_user_id",
]
