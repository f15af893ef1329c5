"""Writes the staff pages make: attendance at the door."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.models import Registration


@transaction.atomic
def checkin_mark(*, registration: Registration, by: User) -> bool:
    """Marks a confirmed person attended. A conditional UPDATE (only while nobody has marked
    them) so two staff at two doors never overwrite each other's mark: the second tap finds
    the row marked and changes nothing. Returns whether this call made the mark."""
    updated = Registration.objects.filter(
        pk=registration.pk,
        status=Registration.Status.CONFIRMED,
        checked_in_at__isnull=True,
    ).update(checked_in_at=timezone.now(), checked_in_by=by)
    return updated == 1


@transaction.atomic
def checkin_undo(*, registration: Registration) -> bool:
    """Takes a mark back (a tap on the wrong name). Returns whether there was a mark."""
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None
    )
    return updated == 1
