"""Staff cancel a session: the record stays, every seat and waitlist place is released, each
person is told once, and calendar feeds mark the item as cancelled."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..hooks import registration_cancelled
from ..models import Registration, Session
from ..rules import session_started_reason
from . import notices
from .cache import agenda_cache_bump
from .locking import sessions_lock


@transaction.atomic
def session_cancel(*, session: Session, reason: str) -> list[Registration]:
    """Cancels a session that has not started; returns the places it released. The SEQUENCE
    is bumped so calendar apps replace their copy with the cancelled one."""
    (locked,) = sessions_lock(session)
    if locked.cancelled_at is not None:
        raise ValidationError(f"“{locked.title}” is already cancelled.")
    started = session_started_reason(locked)
    if started:
        raise ValidationError(f"“{locked.title}”: {started} Its registrations are its history.")
    now = timezone.now()
    locked.cancelled_at = now
    locked.cancel_reason = reason.strip()
    locked.sequence += 1
    locked.full_clean(exclude=["career_paths"])
    locked.save(update_fields=["cancelled_at", "cancel_reason", "sequence", "updated_at"])
    released = list(
        Registration.objects.active().filter(session=locked).select_related("user").order_by("pk")
    )
    for registration in released:
        held = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        registration.session = locked
        notices.session_cancelled(registration, status=held, reason=locked.cancel_reason)
        # Apps built on events let go of what hangs on the place (the lunch's table seats).
        registration_cancelled(registration=registration)
    agenda_cache_bump(locked.event_id)
    return released
