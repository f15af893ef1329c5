import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import CareerPath, User
from accounts.selectors import profile_interests_for_user
from accounts.types import AnyUser

from .hooks import free_place_hooks, session_notes
from .models import Event, Registration, Session, session_public_q
from .refusals import Code, Refusal
from .rules import (
    audience_refusal,
    cancellation_check_allowed,
    first_clash,
    has_free_seat,
    registration_closed_reason,
    registration_has_closed,
    registration_stake,
    session_started_reason,
    sessions_clash,
)

Status = Registration.Status


def _published_events() -> QuerySet[Event]:
    """Published events, each with `published_count` (how many there are), so a page can
    link the list of events without a query of its own."""
    count = (
        Event.objects.public()
        .order_by()
        .values("is_published")  # one group: every row is published
        .annotate(n=Count("*"))
        .values("n")
    )
    return Event.objects.public().annotate(
        published_count=Subquery(count, output_field=IntegerField())
    )


def event_get_current() -> Event | None:
    """The event people most likely want: the next or running one, else the latest past one."""
    today = timezone.localdate()
    published = _published_events()
    return (
        published.filter(ends_on__gte=today).order_by("starts_on").first()
        or published.order_by("-ends_on").first()
    )


def event_get(*, slug: str) -> Event:
    return get_object_or_404(_published_events(), slug=slug)


@dataclass
class EventList:
    upcoming: list[Event]  # running or still to come, soonest first
    past: list[Event]  # most recent first


def event_list_published(*, now: datetime | None = None) -> EventList:
    """Every published event, those running or to come first; "past" is judged by the
    calendar day in each event's own time zone. One query."""
    events = list(Event.objects.public().order_by("starts_on", "name"))
    upcoming, past = [], []
    for event in events:
        today = (now or timezone.now()).astimezone(event.tz).date()
        event.is_running = event.starts_on <= today <= event.ends_on
        (past if event.ends_on < today else upcoming).append(event)
    past.sort(key=lambda e: (e.ends_on, e.starts_on), reverse=True)
    return EventList(upcoming=upcoming, past=past)


def _count_of(status: str) -> Coalesce:
    counts = (
        Registration.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _session_base_qs(event: Event, *, prefetch_paths: bool = True) -> QuerySet[Session]:
    qs = Session.objects.public().filter(event=event).select_related("room", "event")
    if prefetch_paths:
        qs = qs.prefetch_related(
            Prefetch("career_paths", queryset=CareerPath.objects.order_by("order"))
        )
    return qs.annotate(
        confirmed_count=_count_of(Status.CONFIRMED), waitlist_count=_count_of(Status.WAITLISTED)
    )


def session_queryset_counted(*, event: Event) -> QuerySet[Session]:
    """Published sessions of the event with room and event, each with `confirmed_count` and
    `waitlist_count`: the one way pages count seats (the agenda, the "now and next" screen),
    to be filtered further by the page that asks."""
    return _session_base_qs(event, prefetch_paths=False)


def place_in_line(waiting: QuerySet, *, line: list[str]) -> CombinedExpression:
    """A waitlist place as an annotation: 1 + the rows of `waiting` (the waitlisted rows) of
    the same `line` (the fields that make one waitlist) that arrived earlier, arrival order
    being (created_at, id). The one definition of "place in line", for sessions' waitlists
    and the lunch's per-table ones."""
    ahead = (
        waiting.filter(**{name: OuterRef(name) for name in line})
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values(line[0])
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def waitlist_position_expression() -> CombinedExpression:
    """A waitlisted registration's place in its session's line (1 = next)."""
    return place_in_line(Registration.objects.waitlisted(), line=["session"])


def waitlist_position(*, registration: Registration) -> int:
    """The person's place in line (1 = next), in arrival order; one query."""
    return (
        Registration.objects.filter(pk=registration.pk)
        .annotate(position=waitlist_position_expression())
        .values_list("position", flat=True)
        .get()
    )


def session_has_free_seat(*, session: Session) -> bool:
    """`rules.has_free_seat` with the seats taken counted (only where a capacity applies)."""
    if session.registration_mode == Session.Mode.DROP_IN or session.capacity is None:
        return has_free_seat(session, 0)
    return has_free_seat(session, Registration.objects.confirmed().filter(session=session).count())


def registration_first_clash(
    *, user: User, session: Session, ignore: Session | None = None
) -> Session | None:
    """The first session (in time order) where the person holds a seat that a seat in
    `session` would clash with; `ignore` is a seat about to be given up. A seat in a draft is
    no clash: outside admin the draft does not exist, and a refusal would name it."""
    held = (
        Registration.objects.confirmed()
        .filter(session_public_q("session__"), user=user)
        .exclude(session=session)
        .select_related("session")
        .order_by("session__starts_at")
    )
    others = [r.session for r in held if ignore is None or r.session_id != ignore.pk]
    return first_clash(session, others)


@dataclass
class MoveImpact:
    """What moving a session would do to its people: how many hold a place, and each person
    with a seat who would now clash with another seat they hold (person, that session)."""

    confirmed: int
    waitlisted: int
    clashes: list[tuple[User, Session]]

    @property
    def registrants(self) -> int:
        return self.confirmed + self.waitlisted


def session_move_impact(*, session: Session, starts_at: datetime, ends_at: datetime) -> MoveImpact:
    """`session` (as saved) moved to `starts_at`–`ends_at`: the clash rule asked for each of
    its seated people against their other seats, keeping only clashes the move creates."""
    counts = (
        Registration.objects.active()
        .filter(session=session)
        .aggregate(
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
            waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
        )
    )
    moved = Session(
        pk=session.pk,
        event=session.event,
        starts_at=starts_at,
        ends_at=ends_at,
        registration_mode=session.registration_mode,
    )
    seated = Registration.objects.confirmed().filter(session=session).values("user")
    held = (
        Registration.objects.confirmed()
        .filter(
            session_public_q("session__"),
            user__in=seated,
            session__starts_at__lt=ends_at,
            session__ends_at__gt=starts_at,
        )
        .exclude(session=session)
        .select_related("user", "session__event")
        .order_by("user__email", "session__starts_at", "pk")
    )
    clashes = [
        (r.user, r.session)
        for r in held
        if sessions_clash(moved, r.session) and not sessions_clash(session, r.session)
    ]
    return MoveImpact(counts["confirmed"], counts["waitlisted"], clashes)


def registration_get_for_user(*, session: Session, user: User) -> Registration | None:
    """The person's active (confirmed or waitlisted) registration for the session, if any."""
    return Registration.objects.active().filter(session=session, user=user).first()


def waitlist_count(*, session: Session) -> int:
    return Registration.objects.waitlisted().filter(session=session).count()


@dataclass
class CancelPreview:
    """What giving up a registration means, for the confirmation page."""

    registration: Registration
    stake: str  # "seat", "waitlist" or "item" (rules.registration_stake)
    position: int | None  # the place in line given up
    waiting: int  # people on the session's waitlist, one of whom gets a freed seat


def cancel_preview(*, session: Session, user: User) -> CancelPreview:
    """Raises ValidationError when there is nothing the person could give up."""
    registration = registration_get_for_user(session=session, user=user)
    if registration is None:
        raise Refusal("You have no seat or waitlist place in this session.", Code.NOT_REGISTERED)
    cancellation_check_allowed(session=session)
    stake = registration_stake(registration)
    return CancelPreview(
        registration=registration,
        stake=stake,
        position=waitlist_position(registration=registration) if stake == "waitlist" else None,
        waiting=waitlist_count(session=session),
    )


def switch_preview(*, session: Session, replace: Session, user: User) -> int:
    """How many wait for the seat the person would give up in `replace`; ValidationError when
    the switch cannot happen (the POST checks everything again under the locks)."""
    held = registration_get_for_user(session=replace, user=user)
    if held is None or held.status != Status.CONFIRMED:
        raise Refusal(f"You have no seat in “{replace.title}” to give up.", Code.NO_SEAT)
    cancellation_check_allowed(session=replace)
    closed = registration_closed_reason(session)
    if closed:
        raise Refusal(closed, Code.WINDOW)
    return waitlist_count(session=replace)


@functools.cache
def _registrations_held() -> QuerySet[Registration]:
    """Active places in public sessions with their waitlist positions, in time order: built
    once per process (the place-in-line subquery costs more to build than the rows take to
    read); each use filters a clone, never evaluating this one."""
    return (
        Registration.objects.active()
        .filter(session_public_q("session__"))
        .annotate(position=waitlist_position_expression())
        .order_by("session__starts_at", "session__title")
    )


def registrations_for_user(
    *, user: User, event: Event | None = None, sessions: Mapping[int, Session] | None = None
) -> list[Registration]:
    """The person's active registrations (confirmed and waitlisted) with waitlist positions,
    in time order; one query. A place in a draft (a session or event staff took back to
    draft) is kept but left out: outside admin it does not exist, so it is neither listed,
    in the calendar, nor a clash; it is back once the session is published again.

    `sessions`: the sessions (with room and event) the caller holds already, by id, such as
    the agenda's cached ones; each registration gets its session from there, and only those
    not found are read, in a second query. Without it, the sessions are read with the rows."""
    qs = _registrations_held().filter(user=user)
    if event is not None:
        qs = qs.filter(session__event=event)
    if sessions is None:
        return list(qs.select_related("session", "session__room", "session__event"))
    rows = list(qs)
    missing = {r.session_id for r in rows} - set(sessions)
    found = dict(sessions)
    if missing:
        found.update(Session.objects.select_related("room", "event").in_bulk(sorted(missing)))
    for registration in rows:
        registration.session = found[registration.session_id]
    return rows


def registrations_cancelled_with_session(*, user: User) -> list[Registration]:
    """The seats the person held in sessions staff cancelled (public ones, yet to end): the
    calendar feed keeps them as cancelled items, so calendar apps show the cancellation
    rather than the item silently disappearing."""
    return list(
        Registration.objects.filter(
            session_public_q("session__"),
            user=user,
            status=Status.CANCELLED,
            confirmed_at__isnull=False,
            cancelled_at=F("session__cancelled_at"),
            session__ends_at__gt=timezone.now(),
        )
        .select_related("session", "session__room", "session__event")
        .order_by("session__starts_at", "session__title")
    )


def registrations_annotate_clashes(*, registrations: list[Registration]) -> None:
    """Adds `clash_with` to each of the person's registrations (from `registrations_for_user`):
    the first other item where they hold a seat that overlaps it, for "my agenda"."""
    held = [r.session for r in registrations if r.status == Status.CONFIRMED]
    for registration in registrations:
        registration.clash_with = first_clash(registration.session, held)


def sessions_annotate_for_user(
    *, sessions: list[Session], user: AnyUser, mine: list[Registration] | None = None
) -> None:
    """Adds `my_registration`, `my_position` and `clash_with` to each session, for the person.
    `mine`: the person's registrations in the event (`registrations_for_user`) when the page
    has read them already (they decide the clashes, also with sessions not in `sessions`)."""
    if mine is None:
        mine = (
            registrations_for_user(user=user, event=sessions[0].event)
            if sessions and user.is_authenticated
            else []
        )
    by_session = {r.session_id: r for r in mine}
    held = [r.session for r in mine if r.status == Status.CONFIRMED]
    stage = None  # read once, when a session has an audience (cached by accounts)

    def refusal(session: Session) -> str:
        nonlocal stage
        if not session.audience:
            return ""
        if stage is None:
            stage = profile_interests_for_user(user=user)[0]
        return audience_refusal(session, user, stage=stage)

    for session in sessions:
        registration = by_session.get(session.pk)
        session.my_registration = registration
        session.my_position = (
            registration.position
            if registration and registration.status == Status.WAITLISTED
            else None
        )
        session.clash_with = (
            None
            if registration and registration.status == Status.CONFIRMED
            else first_clash(session, held)
        )
        session.audience_note = (
            refusal(session) if user.is_authenticated and not registration else ""
        )
    # What apps built on events say about their sessions (a Blood Buddies slot's state).
    notes = session_notes(sessions=sessions, user=user)
    for session in sessions:
        session.note = notes.get(session.pk)


def session_list_for_agenda(
    *,
    event: Event,
    kind: str = "",
    career_path: str = "",
    audience: str = "",
    day: date | None = None,
    has_seats: bool = False,
) -> list[Session]:
    """Published sessions of the event in time order, filtered; the same queries for any size.

    Each session gets `career_path_names` from one query on the link table: Django's
    prefetch builds a queryset per session, which cost more than the rest of the page."""
    qs = _session_base_qs(event, prefetch_paths=False)
    if kind:
        qs = qs.filter(kind=kind)
    if career_path:
        qs = qs.filter(career_paths__slug=career_path)
    sessions = list(qs.order_by("starts_at", "room__name", "title"))
    if day:
        sessions = [s for s in sessions if s.local_start().date() == day]
    if audience:
        # The audience list is small JSON; filtering here works on SQLite and PostgreSQL alike.
        sessions = [s for s in sessions if not s.audience or audience in s.audience]
    names: dict[int, list[str]] = {}
    slugs: dict[int, list[str]] = {}
    links = (
        Session.career_paths.through.objects.filter(
            session_public_q("session__"), session__event=event
        )
        .order_by("careerpath__order", "careerpath__name")
        .values_list("session_id", "careerpath__name", "careerpath__slug")
    )
    for session_id, name, slug in links:
        names.setdefault(session_id, []).append(name)
        slugs.setdefault(session_id, []).append(slug)
    for session in sessions:
        session.career_path_names = names.get(session.pk, [])
        session.career_path_slugs = slugs.get(session.pk, [])
        session_annotate_state(session)
    if has_seats:
        sessions = sessions_with_room(sessions=sessions)
    return sessions


def sessions_with_room(*, sessions: list[Session]) -> list[Session]:
    """The sessions (annotated by `_session_base_qs` and `session_annotate_state`) where one
    more person can still get a place, each by its own mode's rule: open and matched, seats
    left; drop-in, always; the lunch, a free table seat in some rotation (through
    `hooks.free_place_hooks`); request, never (no seats). A session that has started or whose
    registration has closed has no place to give. A fixed number of queries: one per mode
    that has a hook."""
    by_mode: dict[str, list[Session]] = {}
    for session in sessions:
        if registration_has_closed(session) or not has_free_seat(session, session.confirmed_count):
            continue
        by_mode.setdefault(session.registration_mode, []).append(session)
    keep: set[int] = set()
    for mode, group in by_mode.items():
        hook = free_place_hooks.get(mode)
        keep |= hook(sessions=group) if hook else {s.pk for s in group}
    return [session for session in sessions if session.pk in keep]


def session_annotate_state(session: Session) -> None:
    """Seats left, the label people see ("Filling", "Full — join the waitlist"), and whether
    registration is closed (`closed_reason`) or the session has started (`started_reason`)."""
    session.started_reason = session_started_reason(session)
    session.closed_reason = registration_closed_reason(session)
    if session.registration_mode != Session.Mode.OPEN or session.capacity is None:
        session.seats_left = None
        session.seat_label = ""
        return
    session.seats_left = max(session.capacity - session.confirmed_count, 0)
    if session.started_reason:  # nothing to offer any more: the notice says why
        session.seat_label = ""
        return
    if session.seats_left == 0:
        session.seat_label = "Full — join the waitlist"
    elif session.seats_left <= max(3, session.capacity // 5):
        session.seat_label = (
            f"Filling — {session.seats_left} seat{'s' if session.seats_left != 1 else ''} left"
        )
    else:
        session.seat_label = f"{session.seats_left} seats left"


def session_get(*, event: Event, pk: int) -> Session:
    session = get_object_or_404(_session_base_qs(event), pk=pk)
    session_annotate_state(session)
    return session


def session_get_for_action(*, slug: str, pk: int) -> Session:
    """The session a register/cancel POST names; 404 for unknown ones and drafts (a draft
    session, or any session of a draft event)."""
    return get_object_or_404(
        Session.objects.public().select_related("event", "room"), pk=pk, event__slug=slug
    )


def roster_for_session(*, session: Session) -> list[Registration]:
    """Confirmed people first, then the waitlist in arrival order with positions 1..n."""
    rows = list(
        Registration.objects.active()
        .filter(session=session)
        .select_related("user")
        .annotate(position=waitlist_position_expression())
        .order_by("created_at", "id")
    )
    confirmed = [r for r in rows if r.status == Status.CONFIRMED]
    waitlisted = [r for r in rows if r.status == Status.WAITLISTED]
    for registration in confirmed:
        registration.position = None
    return confirmed + waitlisted


def user_get_by_calendar_token(*, token: str) -> User | None:
    return User.objects.filter(profile__calendar_token=token, is_active=True).first()


@dataclass
class TimeSlot:
    starts_at: datetime
    items: list = field(default_factory=list)
    # Where the event's "now" stands (set by agenda_mark_now on the agenda).
    is_now: bool = False
    now_before: bool = False
    is_anchor: bool = False

    @property
    def sessions(self) -> list:
        return self.items


@dataclass
class AgendaDay:
    day: date
    slots: list[TimeSlot] = field(default_factory=list)
    # Set by the agenda's arrangement (events/agenda_selectors.py): the tab shown first, the
    # "now" marker's state, and the rooms × time grid when that view is asked for.
    is_chosen: bool = False
    is_today: bool = False
    earlier: list[TimeSlot] = field(default_factory=list)
    slots_ahead: list[TimeSlot] = field(default_factory=list)
    has_now_anchor: bool = False
    grid: Any = None


def agenda_group(*, sessions: list, event: Event | None = None) -> list[AgendaDay]:
    """Groups time-ordered items (sessions, or registrations via their session) by local day,
    then by local start time; each item is shown in its own event's time zone."""
    days: list[AgendaDay] = []
    for item in sessions:
        session = item if isinstance(item, Session) else item.session
        start = session.starts_at.astimezone((event or session.event).tz)
        if not days or days[-1].day != start.date():
            days.append(AgendaDay(day=start.date()))
        slots = days[-1].slots
        if not slots or slots[-1].starts_at != start:
            slots.append(TimeSlot(starts_at=start))
        slots[-1].items.append(item)
    return days


def event_days(*, event: Event) -> list[date]:
    starts = Session.objects.public().filter(event=event).values_list("starts_at", flat=True)
    return sorted({start.astimezone(event.tz).date() for start in starts})
