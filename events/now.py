"""Reads behind the "now and next" screen (`/events/<slug>/now/`): what runs in the hall now
and what starts within the next half hour, with rooms and seats, for a screen in the hall and
for phones. The public part (`now_board`) is the same for everyone at a given minute, so the
view caches it per event version and minute; the personal part (`now_mine`) is one query,
two for a lunch (the person's tables).

Running means `starts_at <= now < ends_at`; starting soon means
`now < starts_at <= now + 30 minutes`. Drafts, cancelled sessions and the (virtual)
listening sessions never appear."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.types import AnyUser

from .hooks import AgendaSection, now_session_hooks, registration_notes_from_apps
from .models import Event, Registration, Session, session_public_q
from .selectors import session_queryset_counted

NEXT_WINDOW = timedelta(minutes=30)
# Sessions people do not walk into in the hall: the virtual listening sessions.
OFF_SCREEN_KINDS = frozenset({Session.Kind.LISTENING})


def now_minute(now: datetime | None = None) -> datetime:
    """The screen works to the minute: what it shows at 10:42:59 is what it showed at
    10:42:00, so one rendering per minute serves everybody."""
    return (now or timezone.now()).replace(second=0, microsecond=0)


def now_seats(session: Session) -> tuple[str, bool]:
    """What the screen says about room in a session (annotated with `confirmed_count`), and
    whether it is full: seats left by the agenda's own count, "No limit" for a drop-in or a
    session without a seat limit, "Full — waitlist" when every seat is taken. Nothing for
    modes whose places are given some other way (the lunch tells its tables; Blood Buddies
    is matched in advance)."""
    mode = session.registration_mode
    if mode == Session.Mode.DROP_IN or (mode == Session.Mode.OPEN and session.capacity is None):
        return "No limit", False
    if mode != Session.Mode.OPEN or session.capacity is None:
        return "", False
    confirmed: int = session.confirmed_count  # type: ignore[attr-defined]  # the selector's annotation
    left = max(session.capacity - confirmed, 0)
    if left == 0:
        return "Full — waitlist", True
    return f"{left} seat{'s' if left != 1 else ''} left", False


@dataclass
class NowItem:
    session: Session
    is_running: bool
    seats: str
    is_full: bool
    detail: AgendaSection | None = None  # what an app adds below (the lunch's tables)


@dataclass
class NowBoard:
    """The public part of the screen at one minute."""

    event: Event
    local_now: datetime  # the minute, in the event's zone
    running: list[NowItem] = field(default_factory=list)
    starting: list[NowItem] = field(default_factory=list)
    # When nothing runs or starts soon: the next session after that, if any.
    upcoming: Session | None = None

    @property
    def phase(self) -> str:
        """ "on" (something runs or starts soon), "quiet" (a gap in the program), "before"
        (the event's first day has not come) or "after" (nothing more is scheduled)."""
        if self.running or self.starting:
            return "on"
        if self.upcoming is None:
            return "after"
        if self.local_now.date() < self.event.starts_on:
            return "before"
        return "quiet"

    @property
    def event_is_over(self) -> bool:
        return self.local_now.date() > self.event.ends_on

    @property
    def upcoming_is_today(self) -> bool:
        return (
            self.upcoming is not None
            and self.upcoming.local_start().date() == self.local_now.date()
        )


def _on_screen(event: Event):
    return (
        session_queryset_counted(event=event)
        .filter(cancelled_at__isnull=True)
        .exclude(kind__in=OFF_SCREEN_KINDS)
    )


def now_board(*, event: Event, now: datetime | None = None) -> NowBoard:
    """Sessions running at `now` and starting within the next 30 minutes, in time order,
    each with its seats and whatever its app adds; when there are none, the next session.
    Two queries (the sessions; the next one only when nothing is on), plus a fixed number
    per app with a session on the board (the lunch: three)."""
    now = now_minute(now)
    board = NowBoard(event=event, local_now=now.astimezone(event.tz))
    sessions = list(
        _on_screen(event)
        .filter(ends_at__gt=now, starts_at__lte=now + NEXT_WINDOW)
        .order_by("starts_at", "room__name", "title")
    )
    if not sessions:
        board.upcoming = (
            _on_screen(event).filter(starts_at__gt=now).order_by("starts_at", "title").first()
        )
        return board
    details: dict[int, AgendaSection] = {}
    by_mode: dict[str, list[Session]] = {}
    for session in sessions:
        by_mode.setdefault(session.registration_mode, []).append(session)
    for mode, group in by_mode.items():
        hook = now_session_hooks.get(mode)
        if hook is not None:
            details.update(hook(sessions=group, now=now))
    for session in sessions:
        seats, is_full = now_seats(session)
        item = NowItem(
            session=session,
            is_running=session.starts_at <= now,
            seats=seats,
            is_full=is_full,
            detail=details.get(session.pk),
        )
        (board.running if item.is_running else board.starting).append(item)
    return board


@dataclass
class NowMine:
    """The person's own next item today: a session they hold a confirmed place in."""

    registration: Registration
    is_running: bool
    notes: list[str]  # what apps add (the person's lunch tables)

    @property
    def session(self) -> Session:
        return self.registration.session


def now_mine(*, user: AnyUser, event: Event, now: datetime | None = None) -> NowMine | None:
    """The first session of the event, today in its zone and not yet over, where the person
    holds a confirmed place (a seat, a drop-in on their agenda, the lunch, a Blood Buddies
    slot); None when there is none or nobody is logged in. One query; a lunch adds one for
    the person's tables."""
    if not user.is_authenticated:
        return None
    now = now_minute(now)
    tomorrow = now.astimezone(event.tz).date() + timedelta(days=1)
    day_ends = datetime.combine(tomorrow, time(0), tzinfo=event.tz)
    registration = (
        Registration.objects.confirmed()
        .filter(
            session_public_q("session__"),
            user=user,
            session__event=event,
            session__cancelled_at__isnull=True,
            session__ends_at__gt=now,
            session__starts_at__lt=day_ends,
        )
        .exclude(session__kind__in=OFF_SCREEN_KINDS)
        .select_related("session__room")
        .order_by("session__starts_at", "session__title")
        .first()
    )
    if registration is None:
        return None
    registration.session.event = event  # its zone without a query
    notes = registration_notes_from_apps(registrations=[registration]).get(registration.pk, [])
    return NowMine(
        registration=registration,
        is_running=registration.session.starts_at <= now,
        notes=notes,
    )
