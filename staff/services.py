"""Writes the staff pages make: attendance at the door."""

from django.db import transaction

from accounts.models import User
from events.models import Registration
from events.services.door import registration_check_in


def checkin_mark(*, registration: Registration, by: User) -> bool:
    """Marks a confirmed person attended; two staff at two doors never overwrite each other's
    mark (`events.services.door.registration_check_in`, the one rule for it). Returns whether
    this call made the mark."""
    return registration_check_in(registration=registration, by=by)


@transaction.atomic
def checkin_undo(*, registration: Registration) -> bool:
    """Takes a mark back (a tap on the wrong name). Returns whether there was a mark."""
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None
    )
    return updated == 1
