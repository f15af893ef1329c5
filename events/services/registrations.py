"""Registration rules: exact capacity, arrival-order waitlists, no clashes.

Locking discipline (PostgreSQL): session rows first, in primary-key order, then user rows.
The session row lock serialises check-and-insert for its seats (as pretix does for quotas);
the user row lock serialises one person's clash checks across sessions. On SQLite every
write transaction is IMMEDIATE, which serialises everything.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User

from ..hooks import registration_cancelled
from ..models import Registration, Session, session_public_q
from ..rules import (
    cancellation_check_allowed,
    has_free_seat,
    registration_check_allowed,
    registration_stake,
    session_started_reason,
    sessions_clash,
)
from ..selectors import waitlist_position
from . import notices
from .cache import agenda_cache_bump

Status = Registration.Status
SEATED_MODES = {Session.Mode.OPEN, Session.Mode.DROP_IN}


class ClashError(ValidationError):
    """Raised when a seat would overlap another confirmed item of the same person."""

    def __init__(self, clashing: Session):
        super().__init__(
            f"This overlaps “{clashing.title}”, where you already have a seat.", code="clash"
        )
        self.clashing = clashing


def _lock_timeout() -> None:
    # Under extreme load a request gives up waiting and the person sees "busy, try again"
    # (HTTP 503) rather than a request that hangs until the proxy kills it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")


def _lock_sessions(*sessions: Session) -> list[Session]:
    ids = sorted({s.pk for s in sessions})
    locked = {
        s.pk: s
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the room join.
        for s in Session.objects.select_for_update(of=("self",))
        .select_related("event", "room")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [locked[s.pk] for s in sessions]


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _confirmed_count(session: Session) -> int:
    return Registration.objects.filter(session=session, status=Status.CONFIRMED).count()


def _first_clash(*, user: User, session: Session, ignore: Session | None = None) -> Session | None:
    # A seat in a draft is no clash: outside admin the draft does not exist, and a refusal
    # would name it.
    qs = (
        Registration.objects.filter(
            session_public_q("session__"), user=user, status=Status.CONFIRMED
        )
        .exclude(session=session)
        .select_related("session")
        .order_by("session__starts_at")
    )
    for registration in qs:
        other = registration.session
        if ignore is not None and other.pk == ignore.pk:
            continue
        if sessions_clash(session, other):
            return other
    return None


def _refuse_if_registered(session: Session, user: User) -> None:
    """A double click or a second tab: one active registration per person and session (the
    database enforces it too); the person is told rather than shown an error page."""
    if (
        Registration.objects.filter(session=session, user=user)
        .exclude(status=Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            "You are already registered for this session.", code="already_registered"
        )


def _has_free_seat(session: Session) -> bool:
    # Seats are counted only where a capacity applies (not for a drop-in).
    if session.registration_mode == Session.Mode.DROP_IN or session.capacity is None:
        return has_free_seat(session, 0)
    return has_free_seat(session, _confirmed_count(session))


def _confirm(registration: Registration) -> None:
    registration.status = Status.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "confirmed_at", "updated_at"])


@transaction.atomic
def registration_create(*, session: Session, user: User) -> Registration:
    """Confirms while seats remain, else waitlists; queues the email in the same transaction."""
    # Who may register is read before taking the locks: it does not depend on the seats, and
    # everything done under the session lock makes the queue of a full-room rush longer.
    fresh = User.objects.select_related("profile").get(pk=user.pk)
    registration_check_allowed(session=session, user=fresh)
    _lock_timeout()
    (session,) = _lock_sessions(session)
    user = _lock_user(user)
    if session.registration_mode not in SEATED_MODES:
        raise ValidationError(
            "This session does not take registrations here; see its page.", code="mode"
        )
    _refuse_if_registered(session, user)

    if _has_free_seat(session):
        clash = _first_clash(user=user, session=session)
        if clash is not None:
            raise ClashError(clash)
        registration = Registration.objects.create(
            session=session, user=user, status=Status.CONFIRMED, confirmed_at=timezone.now()
        )
        notices.registration_confirmed(registration)
    else:
        # Joining a waitlist that clashes is allowed; promotion checks clashes again.
        registration = Registration.objects.create(
            session=session, user=user, status=Status.WAITLISTED
        )
        notices.registration_waitlisted(registration)
    agenda_cache_bump(session.event_id)
    return registration


@transaction.atomic
def registration_create_matched(*, session: Session, user: User) -> Registration:
    """A place in a `matched` session (Blood Buddies), for the mentorship app's sign-up: the
    rules of any seat (published, verified email, window, audience, capacity, no clash) but
    no waitlist, since the matching decides who meets whom; a full session refuses."""
    _lock_timeout()
    (session,) = _lock_sessions(session)
    user = _lock_user(user)
    registration_check_allowed(session=session, user=user)
    if session.registration_mode != Session.Mode.MATCHED:
        raise ValidationError("This session is not a matched session.", code="mode")
    _refuse_if_registered(session, user)
    if not _has_free_seat(session):
        raise ValidationError("All places in this session are taken.", code="full")
    clash = _first_clash(user=user, session=session)
    if clash is not None:
        raise ClashError(clash)
    registration = Registration.objects.create(
        session=session, user=user, status=Status.CONFIRMED, confirmed_at=timezone.now()
    )
    notices.registration_confirmed(registration)
    agenda_cache_bump(session.event_id)
    return registration


@transaction.atomic
def registration_switch(*, session: Session, replace: Session, user: User) -> Registration:
    """Gives up the seat in `replace` and takes one in `session`, atomically; nothing changes
    unless the new seat is free and no other item clashes."""
    _lock_timeout()
    session, replace = _lock_sessions(session, replace)
    user = _lock_user(user)
    registration_check_allowed(session=session, user=user)
    if session.registration_mode not in SEATED_MODES:
        raise ValidationError(
            "This session does not take registrations here; see its page.", code="mode"
        )
    cancellation_check_allowed(session=replace)
    old = Registration.objects.filter(session=replace, user=user, status=Status.CONFIRMED).first()
    if old is None:
        raise ValidationError("You have no seat in the session to give up.", code="no_seat")
    if Registration.objects.filter(session=session, user=user, status=Status.CONFIRMED).exists():
        raise ValidationError(
            "You are already registered for this session.", code="already_registered"
        )
    if not _has_free_seat(session):
        raise ValidationError(
            "This session has just filled up; your seat elsewhere is unchanged.", code="full"
        )
    clash = _first_clash(user=user, session=session, ignore=replace)
    if clash is not None:
        raise ClashError(clash)
    _cancel(old)
    waiting = Registration.objects.filter(
        session=session, user=user, status=Status.WAITLISTED
    ).first()
    if waiting is not None:
        _confirm(waiting)
        registration = waiting
    else:
        registration = Registration.objects.create(
            session=session, user=user, status=Status.CONFIRMED, confirmed_at=timezone.now()
        )
    notices.registration_confirmed(registration)
    waitlist_promote(session=replace)
    agenda_cache_bump(session.event_id)
    return registration


def _cancel(registration: Registration) -> None:
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    notices.registration_cancelled(registration)
    # Apps built on events let go of what hangs on the registration (the lunch's table seats).
    registration_cancelled(registration=registration)


@transaction.atomic
def registration_cancel(*, session: Session, user: User) -> Registration:
    """Cancels the person's seat or waitlist place, until the session starts; a freed seat goes
    to the waitlist at once, and a waitlist that skipped this person for clashing with this
    seat moves too. The person gets an email saying what they gave up."""
    _lock_timeout()
    # Sessions are locked together, in primary-key order, before any user row.
    waiting_elsewhere = [
        r.session
        for r in Registration.objects.filter(user=user, status=Status.WAITLISTED)
        .exclude(session=session)
        .select_related("session")
        if sessions_clash(r.session, session)
    ]
    session, *waiting_elsewhere = _lock_sessions(session, *waiting_elsewhere)
    registration = (
        # of=("self",): the default ordering joins the session's nullable room, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        Registration.objects.select_for_update(of=("self",))
        .filter(session=session, user=user)
        .exclude(status=Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise ValidationError("You are not registered for this session.", code="not_registered")
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
    free = session.capacity - _confirmed_count(session)
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    waiting = Registration.objects.filter(session=session, status=Status.WAITLISTED).order_by(
        "created_at", "id"
    )
    for registration in waiting.iterator():
        if len(promoted) == free:
            break
        _lock_user(registration.user)
        if _first_clash(user=registration.user, session=session) is not None:
            continue
        _confirm(registration)
        notices.waitlist_promoted(registration)
        promoted.append(registration)
    if promoted:
        agenda_cache_bump(session.event_id)
    return promoted


UPDATABLE = {
    "title", "kind", "starts_at", "ends_at", "room", "capacity", "registration_mode", "audience",
    "speakers", "description", "is_published", "registration_opens_at", "registration_closes_at",
}  # fmt: skip


@transaction.atomic
def session_update(*, session: Session, changes: dict) -> Session:
    """Staff edits: a move bumps the calendar SEQUENCE; more seats promote from the waitlist."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    _lock_timeout()
    (locked,) = _lock_sessions(session)
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
    locked.save()
    notices.session_updated(locked, before=before)
    waitlist_promote(session=locked)
    agenda_cache_bump(locked.event_id)
    return locked


def registrations_release_for_user(*, user: User) -> None:
    """Before an account is deleted: give up its seats in sessions yet to start, so the
    waitlists move (seats in sessions that have started are history, deleted with it)."""
    sessions = Session.objects.filter(
        registrations__user=user,
        registrations__status=Status.CONFIRMED,
        starts_at__gt=timezone.now(),
    ).distinct()
    for session in sessions:
        registration_cancel(session=session, user=user)
