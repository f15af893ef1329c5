from typing import Any

from .models import NotificationPreference


def notification_preference_get(*, user: Any) -> NotificationPreference:
    """The person's settings; the defaults (unsaved) when they never changed them."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)
