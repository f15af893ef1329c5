"""Who may see listening data in admin: holders of `listening.review_requests`, asked of the
person's own and group permissions, never granted by being a superuser or staff."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from accounts.types import AnyUser

PERMISSION = ("listening", "review_requests")


def holds_review_permission(user: AnyUser) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    cached: bool | None = getattr(user, "_listening_reviewer", None)
    if cached is None:
        app_label, codename = PERMISSION
        cached = (
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .filter(Q(user=user) | Q(group__user=user))
            .exists()
        )
        user._listening_reviewer = cached  # type: ignore[attr-defined]  # per request
    return cached
