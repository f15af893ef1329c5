"""Writes at the door of the career lunch and of a Blood Buddies slot.

The lunch: presence is per seat (a person moves tables each rotation), marked on the
`TableSeat`; the lunch registration's mark — the one the dashboard and the ordinary check-in
count — follows the seats in the same transaction: set by the person's first seat mark, taken
back with their last. So the seats are the one source, and the registration's mark is never
set by hand for a lunch. Blood Buddies: a trainee's mark is their registration's (the
ordinary check-in's service), a mentor's is on their offer (they hold no registration).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.lunch.services import table_seat_walk_in
from events.models import LunchRotation, LunchTable, Registration, Session, TableSeat
from mentorship.models import DoorStandby, SpeedMentoringSlot, TraineeSignup
from mentorship.services.door import (
    DoorAbsence,
    door_trainee_absent,
    standby_add,
    standby_remove,
)

from .services import checkin_mark, checkin_undo


def _lunch_registration(seat: TableSeat) -> Registration | None:
    # Locked, so two staff marking two seats of one person agree on the lunch's mark.
    return (
        Registration.objects.select_for_update(of=("self",))
        .order_by("pk")
        .filter(
            session_id=seat.rotation.session_id,
            user_id=seat.user_id,
            status=Registration.Status.CONFIRMED,
        )
        .first()
    )


@transaction.atomic
def lunch_seat_checkin_mark(*, seat: TableSeat, by: User) -> bool:
    """Marks the person seated at this table in this rotation. A conditional UPDATE: of two
    staff tapping the same seat, the first keeps the mark and the second changes nothing.
    Returns whether this call made the mark."""
    registration = _lunch_registration(seat)
    made = (
        TableSeat.objects.filter(
            pk=seat.pk, status=TableSeat.Status.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=timezone.now(), checked_in_by=by)
        == 1
    )
    if made and registration is not None:
        checkin_mark(registration=registration, by=by)  # no-op when marked already
    return made


@transaction.atomic
def lunch_seat_checkin_undo(*, seat: TableSeat) -> bool:
    """Takes the seat's mark back; the lunch registration's goes too when no other seat of
    the person is marked. Returns whether there was a mark."""
    registration = _lunch_registration(seat)
    undone = (
        TableSeat.objects.filter(pk=seat.pk, checked_in_at__isnull=False).update(
            checked_in_at=None, checked_in_by=None
        )
        == 1
    )
    if undone and registration is not None:
        still_in = (
            TableSeat.objects.confirmed()
            .filter(
                rotation__session_id=seat.rotation.session_id,
                user_id=seat.user_id,
                checked_in_at__isnull=False,
            )
            .exists()
        )
        if not still_in:
            checkin_undo(registration=registration)
    return undone


@transaction.atomic
def lunch_walk_in(
    *, session: Session, rotation: LunchRotation, table: LunchTable, user: User, by: User
) -> TableSeat:
    """Seats a person who walked up at a table with a free seat, checked in: the seat through
    the lunch's own service (its lock keeps the seats exact), then the registration's mark."""
    seat = table_seat_walk_in(session=session, rotation=rotation, table=table, user=user, by=by)
    registration = _lunch_registration(seat)
    if registration is not None:
        checkin_mark(registration=registration, by=by)
    return seat


@transaction.atomic
def door_standby_add(*, slot: SpeedMentoringSlot, trainee: User, by: User) -> DoorStandby:
    """The trainee joins the slot's standby line, checked in as present."""
    row = standby_add(slot=slot, trainee=trainee, by=by)
    signup = TraineeSignup.objects.select_related("registration").get(slot=slot, trainee=trainee)
    if signup.registration is not None:
        checkin_mark(registration=signup.registration, by=by)
    return row


@transaction.atomic
def door_standby_remove(*, slot: SpeedMentoringSlot, trainee: User) -> None:
    """The trainee left the line before a conversation came: off the line, check-in undone."""
    registration = standby_remove(slot=slot, trainee=trainee)
    if registration is not None:
        checkin_undo(registration=registration)


def door_absent(*, slot: SpeedMentoringSlot, signup: TraineeSignup, by: User) -> DoorAbsence:
    return door_trainee_absent(slot=slot, signup=signup, by=by)
