"""A person's mail settings: reminders on or off, and the signed one-click unsubscribe link
that reminder emails carry (RFC 8058). Transactional mail and announcements are unaffected."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..models import NotificationPreference
from .types import Person, user_column

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
REASON_REMINDERS_OFF = "the recipient turned reminders off"


def unsubscribe_token(*, user: Person) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def unsubscribe_url(*, user: Person) -> str:
    token = unsubscribe_token(user=user)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_user_id(*, token: str) -> int | None:
    """The account a token was made for, or None for a bad or tampered token."""
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def reminders_set(*, user: Person, enabled: bool) -> NotificationPreference:
    """Turns reminders on or off; transactional mail is unaffected. Pending reminders are
    checked at send time, so turning them off stops those already queued too."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user_column(user), defaults={"reminders_enabled": enabled}
    )
    return preference
