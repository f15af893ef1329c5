"""At the door of a session (staff): attendance marks, walk-ins, the standby line and the
release of no-shows' seats.

Every write that gives or takes a seat holds the session's row lock (`locking.py`: session
rows first, then user rows), the same lock as online registration, so seats stay exact
whoever acts first. A released seat goes to the people waiting at the door, never to the
online waitlist: those people are not there.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..door_selectors import no_show_release_plan, standby_line, standby_position
from ..models import Registration, Session, Standby
from ..refusals import Code, Refusal
from ..rules import no_show_release_refusal, walk_in_refusal
from ..selectors import registration_first_clash, session_has_free_seat
from .cache import agenda_cache_bump
from .locking import sessions_lock, user_lock
from .registrations import registration_cancel_no_show, registration_seat_confirm

Status = Registration.Status
Waiting = Standby.Outcome.WAITING


@transaction.atomic
def registration_check_in(*, registration: Registration, by: User) -> bool:
    """Marks a confirmed person attended. A conditional UPDATE (only while nobody has marked
    them) so two staff at two doors never overwrite each other's mark: the second tap finds
    the row marked and changes nothing. Returns whether this call made the mark."""
    updated = Registration.objects.filter(
        pk=registration.pk, status=Status.CONFIRMED, checked_in_at__isnull=True
    ).update(checked_in_at=timezone.now(), checked_in_by=by)
    return updated == 1


class WalkInOutcome(StrEnum):
    CHECKED_IN = "checked_in"  # held a seat already: now marked attended
    SEATED = "seated"  # a free seat (or a drop-in), confirmed and checked in now
    STANDBY = "standby"  # the session is full: on the standby line


@dataclass(frozen=True)
class WalkIn:
    outcome: WalkInOutcome
    registration: Registration | None = None
    standby: Standby | None = None
    position: int | None = None  # place on the standby line, 1 for the first


def _refuse_clash(*, user: User, session: Session) -> None:
    clash = registration_first_clash(user=user, session=session)
    if clash is not None:
        raise Refusal(
            f"{user.get_full_name()} holds a seat in “{clash.title}” at the same time. "
            "Nothing changed.",
            Code.CLASH,
        )


@transaction.atomic
def walk_in_admit(*, session: Session, user: User, by: User) -> WalkIn:
    """A person at the door: someone who holds a seat is checked in; otherwise a free seat
    (or a drop-in) becomes a confirmed registration checked in now, their waitlist place if
    they had one; a full session puts them on the standby line, in arrival order. Refused
    (nothing changed): a cancelled or ended session, a mode without seats here, a clash with
    another seat they hold, a second standby place, a second check-in."""
    (session,) = sessions_lock(session)
    refusal = walk_in_refusal(session)
    if refusal is not None:
        raise refusal
    user = user_lock(user)
    name = user.get_full_name()
    current = Registration.objects.active().filter(session=session, user=user).first()
    if current is not None and current.status == Status.CONFIRMED:
        if not registration_check_in(registration=current, by=by):
            raise Refusal(f"{name} is already checked in.", Code.ALREADY_CHECKED_IN)
        return WalkIn(WalkInOutcome.CHECKED_IN, registration=current)
    queued = Standby.objects.filter(session=session, user=user, outcome=Waiting).first()
    if queued is not None:
        position = standby_position(entry=queued)
        raise Refusal(
            f"{name} is already on the standby line (number {position}).", Code.ALREADY_STANDBY
        )
    _refuse_clash(user=user, session=session)
    if session_has_free_seat(session=session):
        registration = registration_seat_confirm(session=session, user=user, waiting=current)
        registration_check_in(registration=registration, by=by)
        agenda_cache_bump(session.event_id)
        return WalkIn(WalkInOutcome.SEATED, registration=registration)
    entry = Standby.objects.create(session=session, user=user, added_by=by)
    return WalkIn(WalkInOutcome.STANDBY, standby=entry, position=standby_position(entry=entry))


@transaction.atomic
def standby_leave(*, entry: Standby) -> bool:
    """The person left the standby line (went elsewhere). Under the session lock, so a
    release running at the same moment either seats them first or never sees them. Returns
    whether they were still waiting."""
    sessions_lock(entry.session_id)
    updated = Standby.objects.filter(pk=entry.pk, outcome=Waiting).update(
        outcome=Standby.Outcome.LEFT, outcome_at=timezone.now()
    )
    return updated == 1


@dataclass(frozen=True)
class ReleaseResult:
    released: list[Registration] = field(default_factory=list)
    seated: list[Standby] = field(default_factory=list)


@transaction.atomic
def no_show_release(
    *, session: Session, by: User, shown: Collection[int] | None = None
) -> ReleaseResult:
    """From the event's `no_show_release_minutes` after the start: cancels the confirmed
    registrations not checked in (reason: no-show; each person gets one email), then gives
    the free seats to the standby line in arrival order (confirmed and checked in). `shown`
    are the registrations the confirmation page listed: nobody else loses a seat, and a
    person checked in since is kept. The online waitlist is not promoted: its people are not
    at the door. Under the session lock, so two staff releasing at once release once."""
    (session,) = sessions_lock(session)
    refusal = no_show_release_refusal(session)
    if refusal is not None:
        raise refusal
    plan = no_show_release_plan(session=session)
    released = [r for r in plan.released if shown is None or r.pk in shown]
    for registration in released:
        registration.session = session
        registration_cancel_no_show(registration)
    capacity = session.capacity or 0
    free = capacity - Registration.objects.confirmed().filter(session=session).count()
    seated: list[Standby] = []
    now = timezone.now()
    for entry in standby_line(session=session):
        if len(seated) >= free:
            break
        user = user_lock(entry.user)
        if registration_first_clash(user=user, session=session) is not None:
            continue  # keeps their place in line
        waiting = Registration.objects.waitlisted().filter(session=session, user=user).first()
        registration = registration_seat_confirm(session=session, user=user, waiting=waiting)
        registration_check_in(registration=registration, by=by)
        entry.outcome, entry.outcome_at, entry.registration = (
            Standby.Outcome.SEATED,
            now,
            registration,
        )
        entry.save(update_fields=["outcome", "outcome_at", "registration"])
        seated.append(entry)
    if released or seated:
        agenda_cache_bump(session.event_id)
    return ReleaseResult(released=released, seated=seated)
