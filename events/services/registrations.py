"""Registration rules: exact capacity, arrival-order waitlists, no clashes.

Locks are taken through `locking.py`: session rows first, in primary-key order, then user
rows. The rules themselves live in `events/rules.py` (who may register, the clash rule, the
free-seat rule); the reads they need in `events/selectors.py`.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..hooks import registration_cancelled
from ..models import Registration, Session
from ..refusals import Code, Refusal
from ..rules import (
    cancellation_check_allowed,
    capacity_below_seated_problem,
    registration_check_allowed,
    registration_stake,
    session_started_reason,
    sessions_clash,
)
from ..selectors import (
    registration_first_clash,
    registration_get_for_user,
    session_has_free_seat,
    waitlist_position,
)
from . import notices
from .cache import agenda_cache_bump
from .locking import sessions_lock, user_lock

Status = Registration.Status
SEATED_MODES = {Session.Mode.OPEN, Session.Mode.DROP_IN}


class ClashError(Refusal):
    """Raised when a seat would overlap another confirmed item of the same person."""

    def __init__(self, clashing: Session):
        super().__init__(
            f"This overlaps “{clashing.title}”, where you already have a seat.", Code.CLASH
        )
        self.clashing = clashing


def registration_refuse_clash(
    *, user: User, session: Session, ignore: Session | None = None
) -> None:
    """ClashError when a seat in `session` would overlap one the person holds (call with the
    person's row locked); `ignore` is a seat given up in the same step."""
    clash = registration_first_clash(user=user, session=session, ignore=ignore)
    if clash is not None:
        raise ClashError(clash)


def _refuse_if_registered(session: Session, user: User) -> None:
    """A double click or a second tab: one active registration per person and session (the
    database enforces it too); the person is told rather than shown an error page."""
    if registration_get_for_user(session=session, user=user) is not None:
        raise Refusal("You are already registered for this session.", Code.ALREADY_REGISTERED)


def registration_seat_confirm(
    *, session: Session, user: User, waiting: Registration | None = None
) -> Registration:
    """The one way a person gets a seat: their waitlist place (`waiting`) turns into a seat,
    or a new confirmed registration is made. Call with the session row locked, once the seat
    and clash checks have passed; the caller queues the email that fits."""
    if waiting is None:
        return Registration.objects.create(
            session=session, user=user, status=Status.CONFIRMED, confirmed_at=timezone.now()
        )
    waiting.status = Status.CONFIRMED
    waiting.confirmed_at = timezone.now()
    waiting.save(update_fields=["status", "confirmed_at", "updated_at"])
    return waiting


def registration_seat_take(*, session: Session, user: User, full: Refusal) -> Registration:
    """A seat with no waitlist behind it (a Blood Buddies slot, the lunch as an agenda item):
    refused with `full` when none is left, or with ClashError, else confirmed. Call with the
    session and user rows locked; the caller queues the email that fits."""
    if not session_has_free_seat(session=session):
        raise full
    registration_refuse_clash(user=user, session=session)
    return registration_seat_confirm(session=session, user=user)


@transaction.atomic(durable=True)
def registration_create(*, session: Session, user: User) -> Registration:
    """Confirms while seats remain, else waitlists; queues the email in the same transaction."""
    # Everything that does not decide the seat is done before taking the locks: who may
    # register (the profile, the rules) and the session's details for the email. Whatever
    # runs under the session lock makes the queue of a full-room rush longer.
    fresh = User.objects.select_related("profile").get(pk=user.pk)
    registration_check_allowed(session=session, user=fresh)
    details, read_at = notices.session_context(session), session.updated_at
    (session,) = sessions_lock(session)
    if session.updated_at != read_at:  # a staff edit came in between: the email tells the new
        details = notices.session_context(session)
    user = user_lock(user)
    if session.registration_mode not in SEATED_MODES:
        raise Refusal("This session does not take registrations here; see its page.", Code.MODE)
    _refuse_if_registered(session, user)

    if session_has_free_seat(session=session):
        registration_refuse_clash(user=user, session=session)
        registration = registration_seat_confirm(session=session, user=user)
        notices.registration_confirmed(registration, session_details=details)
    else:
        # Joining a waitlist that clashes is allowed; promotion checks clashes again.
        registration = Registration.objects.create(
            session=session, user=user, status=Status.WAITLISTED
        )
        notices.registration_waitlisted(registration, session_details=details)
    agenda_cache_bump(session.event_id)
    return registration


@transaction.atomic
def registration_create_matched(*, session: Session, user: User) -> Registration:
    """A place in a `matched` session (Blood Buddies), for the mentorship app's sign-up: the
    rules of any seat (published, verified email, window, audience, capacity, no clash) but
    no waitlist, since the matching decides who meets whom; a full session refuses."""
    (session,) = sessions_lock(session)
    user = user_lock(user)
    registration_check_allowed(session=session, user=user)
    if session.registration_mode != Session.Mode.MATCHED:
        raise Refusal("This session is not a matched session.", Code.MODE)
    _refuse_if_registered(session, user)
    registration = registration_seat_take(
        session=session,
        user=user,
        full=Refusal("All places in this session are taken.", Code.FULL),
    )
    notices.registration_confirmed(registration)
    agenda_cache_bump(session.event_id)
    return registration


@transaction.atomic(durable=True)
def registration_switch(*, session: Session, replace: Session, user: User) -> Registration:
    """Gives up the seat in `replace` and takes one in `session`, atomically; nothing changes
    unless the new seat is free and no other item clashes."""
    session, replace = sessions_lock(session, replace)
    user = user_lock(user)
    registration_check_allowed(session=session, user=user)
    if session.registration_mode not in SEATED_MODES:
        raise Refusal("This session does not take registrations here; see its page.", Code.MODE)
    cancellation_check_allowed(session=replace)
    old = Registration.objects.confirmed().filter(session=replace, user=user).first()
    if old is None:
        raise Refusal("You have no seat in the session to give up.", Code.NO_SEAT)
    if Registration.objects.confirmed().filter(session=session, user=user).exists():
        raise Refusal("You are already registered for this session.", Code.ALREADY_REGISTERED)
    if not session_has_free_seat(session=session):
        raise Refusal(
            "This session has just filled up; your seat elsewhere is unchanged.", Code.FULL
        )
    registration_refuse_clash(user=user, session=session, ignore=replace)
    _cancel(old)
    waiting = Registration.objects.waitlisted().filter(session=session, user=user).first()
    registration = registration_seat_confirm(session=session, user=user, waiting=waiting)
    notices.registration_confirmed(registration)
    waitlist_promote(session=replace)
    agenda_cache_bump(session.event_id)
    return registration


def _cancel(registration: Registration, *, reason: str = "") -> None:
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.cancel_reason = reason
    registration.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    notices.registration_cancelled(registration)
    # Apps built on events let go of what hangs on the registration (the lunch's table seats).
    registration_cancelled(registration=registration)


def registration_cancel_no_show(registration: Registration) -> None:
    """Staff at the door released the seat of a confirmed person who had not checked in
    (`door.no_show_release`): cancelled with the reason recorded, and the person is told by
    email why. The seat is not offered to the waitlist: it goes to the standby line. Call
    with the session row locked."""
    _cancel(registration, reason=Registration.CancelReason.NO_SHOW)
    notices.no_show_released(registration)


@transaction.atomic(durable=True)
def registration_cancel(*, session: Session, user: User) -> Registration:
    """The person's own "cancel" (a page): `registration_cancel_core` in a transaction of its
    own, so nothing can make it part of a larger one by mistake."""
    return registration_cancel_core(session=session, user=user)


def registration_cancel_core(*, session: Session, user: User) -> Registration:
    """Cancels the person's seat or waitlist place, until the session starts; a freed seat goes
    to the waitlist at once, and a waitlist that skipped this person for clashing with this
    seat moves too. The person gets an email saying what they gave up. Runs inside the
    caller's transaction (account deletion, a Blood Buddies withdrawal); the locks refuse to
    run outside one."""
    # Sessions are locked together, in primary-key order, before any user row.
    waiting_elsewhere = [
        r.session
        for r in Registration.objects.waitlisted()
        .filter(user=user)
        .exclude(session=session)
        .select_related("session")
        if sessions_clash(r.session, session)
    ]
    session, *waiting_elsewhere = sessions_lock(session, *waiting_elsewhere)
    registration = (
        # of=("self",): the default ordering joins the session's nullable room, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        Registration.objects.select_for_update(of=("self",))
        .active()
        .filter(session=session, user=user)
        .first()
    )
    if registration is None:
        raise Refusal("You are not registered for this session.", Code.NOT_REGISTERED)
    cancellation_check_allowed(session=session)
    was_confirmed = registration.status == Status.CONFIRMED
    gave_up = registration_stake(registration)
    position = None if was_confirmed else waitlist_position(registration=registration)
    _cancel(registration)
    notices.registration_cancellation(registration, gave_up=gave_up, position=position)
    registration.gave_up = gave_up  # for the page's message
    if was_confirmed:
        waitlist_promote(session=session)
        for other in waiting_elsewhere:
            waitlist_promote(session=other)
    agenda_cache_bump(session.event_id)
    return registration


def waitlist_promote(*, session: Session) -> list[Registration]:
    """Fills free seats from the waitlist in arrival order, skipping anyone the seat would put
    into a clash (they keep their place). Nobody is promoted into a session that has started.
    Call with the session row locked."""
    if session.capacity is None or session_started_reason(session):
        return []
    free = session.capacity - Registration.objects.confirmed().filter(session=session).count()
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    waiting = Registration.objects.waitlisted().filter(session=session).order_by("created_at", "id")
    for registration in waiting.iterator():
        if len(promoted) == free:
            break
        user_lock(registration.user)
        if registration_first_clash(user=registration.user, session=session) is not None:
            continue
        registration_seat_confirm(session=session, user=registration.user, waiting=registration)
        notices.waitlist_promoted(registration)
        promoted.append(registration)
    if promoted:
        agenda_cache_bump(session.event_id)
    return promoted


def seats_release_latest(*, session: Session, count: int) -> list[Registration]:
    """The `count` latest confirmed people (by the moment they got their seat) go back to the
    waitlist, ahead of everyone waiting, keeping their order; each is told by email. Call
    with the session row locked."""
    latest = list(
        Registration.objects.confirmed()
        .filter(session=session)
        .select_related("user")
        .order_by("-confirmed_at", "-id")[:count]
    )
    first_waiting = (
        Registration.objects.waitlisted()
        .filter(session=session)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    # The waitlist's order is arrival order (created_at, id): a moment just before the first
    # person waiting puts them at the top.
    top = min([first_waiting or timezone.now(), *(r.created_at for r in latest)])
    released = sorted(latest, key=lambda r: (r.confirmed_at, r.pk))
    for place, registration in enumerate(released):
        registration.status = Status.WAITLISTED
        registration.confirmed_at = None
        registration.created_at = top - timedelta(microseconds=len(released) - place)
        registration.save(update_fields=["status", "confirmed_at", "created_at", "updated_at"])
        registration.session = session
        notices.seat_released(registration)
    agenda_cache_bump(session.event_id)
    return released


UPDATABLE = {
    "title", "kind", "starts_at", "ends_at", "room", "capacity", "registration_mode", "audience",
    "speakers", "description", "is_published", "registration_opens_at", "registration_closes_at",
}  # fmt: skip


@transaction.atomic
def session_update(*, session: Session, changes: dict, release_overflow: bool = False) -> Session:
    """Staff edits: a move bumps the calendar SEQUENCE; more seats promote from the waitlist.
    Fewer seats than people seated is refused, unless `release_overflow`: then the latest
    confirmed people go back to the top of the waitlist and are told by email."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    (locked,) = sessions_lock(session)
    before = notices.session_snapshot(locked)
    moved = any(
        name in changes and getattr(locked, name) != changes[name]
        for name in ("starts_at", "ends_at", "room")
    )
    for name, value in changes.items():
        setattr(locked, name, value)
    if moved:
        locked.sequence += 1
    locked.full_clean(exclude=["career_paths"])
    confirmed = Registration.objects.confirmed().filter(session=locked).count()
    too_few = capacity_below_seated_problem(session=locked, confirmed=confirmed)
    if too_few and not release_overflow:
        raise ValidationError({"capacity": too_few})
    locked.save()
    if too_few:
        seats_release_latest(session=locked, count=confirmed - locked.capacity)
    notices.session_updated(locked, before=before)
    waitlist_promote(session=locked)
    agenda_cache_bump(locked.event_id)
    return locked


@transaction.atomic
def registrations_release_for_user(*, user: User) -> None:
    """Before an account is deleted: give up its seats in sessions yet to start, so the
    waitlists move (seats in sessions that have started are history, deleted with it)."""
    sessions = Session.objects.filter(
        registrations__user=user,
        registrations__status=Status.CONFIRMED,
        starts_at__gt=timezone.now(),
    ).distinct()
    for session in sessions:
        registration_cancel_core(session=session, user=user)
