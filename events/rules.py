"""Who may register when, and what takes a seat: pure checks that raise ValidationError with a
message for the person. Every service and page asks these, so the rules live only here."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User

from .hooks import session_people
from .models import Event, Registration, Session
from .refusals import Code, Refusal

# Sessions of these modes hold no seat: people take part some other way (a request reviewed by
# staff), so they are never registered for here, never clash and never have free seats.
SEATLESS_MODES = frozenset({Session.Mode.REQUEST})


def session_is_public(session: Session) -> bool:
    """`models.session_public_q` for a session in hand: published, in a published event.
    Everything outside admin treats any other session as if it did not exist."""
    return session.is_published and session.event.is_published


def session_takes_seats(session: Session) -> bool:
    return session.registration_mode not in SEATLESS_MODES


def registration_stake(registration: Registration) -> str:
    """What the person holds and would give up by cancelling: a "seat", a "waitlist" place,
    or an agenda "item" (a drop-in, a session without a seat limit, the lunch, a Blood
    Buddies slot)."""
    if registration.status == Registration.Status.WAITLISTED:
        return "waitlist"
    session = registration.session
    if session.registration_mode == Session.Mode.OPEN and session.capacity is not None:
        return "seat"
    return "item"


def session_overlaps(a: Session, b: Session) -> bool:
    """Back-to-back sessions (09–10, 10–11) do not overlap."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def sessions_clash(a: Session, b: Session) -> bool:
    """Whether a seat in one and a seat in the other cannot both be held: they overlap and
    both take seats (an information-only item blocks nothing)."""
    return session_takes_seats(a) and session_takes_seats(b) and session_overlaps(a, b)


def first_clash(session: Session, others: Iterable[Session]) -> Session | None:
    """The clash rule, in one place: the first of `others` (the sessions where the person
    holds a seat, in the order given) that a seat in `session` would clash with. `session`
    itself is no clash. Services (under the person's lock), the agenda and My agenda ask it."""
    return next(
        (other for other in others if other.pk != session.pk and sessions_clash(session, other)),
        None,
    )


def has_free_seat(session: Session, confirmed: int) -> bool:
    """A seat left for one more person, `confirmed` being the seats taken. A drop-in has no
    seats (the agenda offers "Add to my agenda"), even if a capacity is set."""
    if not session_takes_seats(session):
        return False
    if session.registration_mode == Session.Mode.DROP_IN or session.capacity is None:
        return True
    return confirmed < session.capacity


def registration_window(session: Session) -> tuple[datetime | None, datetime | None]:
    event = session.event
    opens = session.registration_opens_at or event.registration_opens_at
    closes = session.registration_closes_at or event.registration_closes_at
    return opens, closes


def _local(moment: datetime, session: Session) -> str:
    return (
        moment.astimezone(session.event.tz).strftime("%B %-d, %Y at %H:%M")
        + f" ({session.event.timezone})"
    )


def event_has_ended(event: Event, now: datetime | None = None) -> bool:
    """The event's last day is over in the event's own time zone."""
    now = now or timezone.now()
    return now.astimezone(event.tz).date() > event.ends_on


def session_started_reason(session: Session, now: datetime | None = None) -> str:
    """'' before the session starts; afterwards why its list of people is frozen. From its
    start nobody takes, switches into or gives up a seat or a waitlist place, and nobody is
    promoted: the registrations are the session's history."""
    now = now or timezone.now()
    if now < session.starts_at:
        return ""
    if event_has_ended(session.event, now):
        return "This event has ended."
    if now >= session.ends_at:
        return "This session has ended."
    return "This session has already started."


def registration_closed_reason(session: Session, now: datetime | None = None) -> str:
    """Why registration is closed right now, or '' when it is open."""
    now = now or timezone.now()
    started = session_started_reason(session, now)
    if started:
        return started
    opens, closes = registration_window(session)
    if opens and now < opens:
        return f"Registration opens on {_local(opens, session)}."
    if closes and now >= closes:
        return f"Registration closed on {_local(closes, session)}."
    return ""


def registration_has_closed(session: Session, now: datetime | None = None) -> bool:
    """Closed for good (started, or past the window's end), as opposed to not open yet."""
    now = now or timezone.now()
    _, closes = registration_window(session)
    return bool(session_started_reason(session, now)) or bool(closes and now >= closes)


def has_verified_email(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def audience_refusal(session: Session, user: User, *, stage: str | None = None) -> str:
    """Why the person may not register for the session's audience, or ''. Pages pass the
    `stage` they already read; without it the profile is read."""
    if not session.audience:
        return ""
    if stage is None:
        stage = getattr(getattr(user, "profile", None), "career_stage", "")
    if not stage:
        return "This session is for specific career stages: set your career stage in your profile first."
    if stage not in session.audience:
        return f"This session is for {', '.join(session.audience_labels)} only."
    return ""


def registration_check_allowed(*, session: Session, user: User) -> None:
    if not session_is_public(session):
        raise Refusal("This session is not open for registration.", Code.UNPUBLISHED)
    if session.cancelled_at is not None:
        raise Refusal("This session has been cancelled.", Code.CANCELLED)
    started = session_started_reason(session)
    if started:
        raise Refusal(started, Code.STARTED)
    if not has_verified_email(user):
        raise Refusal("Please verify your email address before registering.", Code.UNVERIFIED)
    closed = registration_closed_reason(session)
    if closed:
        raise Refusal(closed, Code.WINDOW)
    refusal = audience_refusal(session, user)
    if refusal:
        raise Refusal(refusal, Code.AUDIENCE)


def cancellation_check_allowed(*, session: Session) -> None:
    """A seat or waitlist place can be given up until the session starts, even after the
    registration window closed; from the start it stays on record as the session's history."""
    started = session_started_reason(session)
    if started:
        raise Refusal(started, Code.STARTED)


# --- staff's program rules (admin checks them before saving) ----------------------------------


def _span(session: Session) -> str:
    """ "Fri, Dec 6, 10:00–10:30 America/New_York": a session's time in its event's zone."""
    tz = session.event.tz
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    return f"{start:%a, %b %-d, %H:%M}–{end:%H:%M} {session.event.timezone}"


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def session_schedule_problems(
    *, session: Session, people: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """What keeps a session (saved or not yet) from fitting its event's program, by form
    field: it ends after it starts, within the event's days, in a room of its own event that
    holds no other session at the same time, and none of its speakers or hosts (`people`:
    its speakers and, once saved, the hosts the apps name) is in another session then.
    Cancelled sessions hold nothing; back-to-back sessions do not overlap."""
    problems: dict[str, list[str]] = {}
    event, starts, ends, room = session.event, session.starts_at, session.ends_at, session.room
    if room is not None and room.event_id != event.pk:
        problems.setdefault("room", []).append(
            f"“{room.name}” is a room of “{room.event.name}”, not of “{event.name}”: "
            "choose one of this event's rooms."
        )
        room = None
    if not (starts and ends):
        return problems
    if ends <= starts:
        problems.setdefault("ends_at", []).append("A session must end after it starts.")
        return problems
    tz = event.tz
    first_day = starts.astimezone(tz).date()
    last_day = (ends - timedelta(microseconds=1)).astimezone(tz).date()
    if first_day < event.starts_on or last_day > event.ends_on:
        problems.setdefault("starts_at", []).append(
            f"“{event.name}” runs from {event.starts_on:%B %-d} to {event.ends_on:%B %-d, %Y} "
            f"({event.timezone}): a session must lie within those days."
        )
    others = list(
        Session.objects.filter(
            event=event, cancelled_at__isnull=True, starts_at__lt=ends, ends_at__gt=starts
        )
        .exclude(pk=session.pk)
        .select_related("event", "room")
        .order_by("starts_at", "pk")
    )
    for other in others:
        if room is not None and other.room_id == room.pk:
            problems.setdefault("room", []).append(
                f"“{room.name}” already holds “{other.title}” ({_span(other)})."
            )
    names = {_name_key(n): n for n in (session.speakers if people is None else people)}
    ids = [other.pk for other in others] + ([session.pk] if session.pk else [])
    extra = session_people(session_ids=ids) if ids else {}
    for name in extra.get(session.pk, set()):
        names.setdefault(_name_key(name), name)
    for other in others:
        theirs = {_name_key(n) for n in [*other.speakers, *extra.get(other.pk, set())]}
        for key in sorted(set(names) & theirs):
            problems.setdefault("speakers", []).append(
                f"{names[key]} is also in “{other.title}” ({_span(other)})."
            )
    return problems


def capacity_above_room_problem(*, session: Session) -> str:
    """'' unless the session has more seats than its room holds (staff may override)."""
    room = session.room
    if session.capacity is None or room is None or room.capacity is None:
        return ""
    if session.capacity <= room.capacity:
        return ""
    return (
        f"“{room.name}” holds {room.capacity} people: a capacity of {session.capacity} needs "
        "“Allow more seats than the room holds” ticked."
    )


def capacity_below_seated_problem(*, session: Session, confirmed: int) -> str:
    """'' unless the new capacity leaves people who hold a seat without one."""
    capacity = session.capacity
    if not session.has_seats_limit or capacity is None or capacity >= confirmed:
        return ""
    return (
        f"{confirmed} people hold a seat: a capacity of {capacity} is below that. "
        "Raise it, or tick “Move the latest confirmed people back to the waitlist” "
        f"({confirmed - capacity} would move to the top of the waitlist and be told by "
        "email)."
    )


# --- at the door: walk-ins and no-show release ------------------------------------------------

WALK_IN_MODES = frozenset({Session.Mode.OPEN, Session.Mode.DROP_IN})


def walk_in_refusal(session: Session, now: datetime | None = None) -> Refusal | None:
    """Why staff may not add a walk-in to the session now, or None. The registration window,
    the audience and the session's start do not apply: the person is at the door and staff
    decide; a seat stays exact (the seat rule) and a clash is still refused."""
    now = now or timezone.now()
    if session.cancelled_at is not None:
        return Refusal("This session has been cancelled.", Code.CANCELLED)
    if session.registration_mode not in WALK_IN_MODES:
        return Refusal("Walk-ins are added here only for open and drop-in sessions.", Code.MODE)
    if now >= session.ends_at:
        return Refusal("This session has ended; its list of people is its history.", Code.ENDED)
    return None


def no_show_release_opens_at(session: Session) -> datetime:
    """From this moment staff may release the seats of people not checked in."""
    return session.starts_at + timedelta(minutes=session.event.no_show_release_minutes)


def no_show_release_refusal(session: Session, now: datetime | None = None) -> Refusal | None:
    """Why the seats of confirmed people not checked in may not be released now, or None."""
    now = now or timezone.now()
    if session.cancelled_at is not None:
        return Refusal("This session has been cancelled.", Code.CANCELLED)
    if not session.has_seats_limit:
        return Refusal(
            "This session has no seat limit, so there are no seats to release.",
            Code.NO_SEATS_LIMIT,
        )
    if now >= session.ends_at:
        return Refusal("This session has ended; its list of people is its history.", Code.ENDED)
    opens = no_show_release_opens_at(session)
    if now < opens:
        minutes = session.event.no_show_release_minutes
        return Refusal(
            f"Seats of people not checked in can be released from "
            f"{opens.astimezone(session.event.tz):%A, %B %-d, %H:%M} "
            f"({session.event.timezone}), "
            f"{minutes} minutes after the session starts. Nothing changed.",
            Code.TOO_EARLY,
        )
    return None
