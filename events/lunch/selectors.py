"""Reads of the career lunch: the trainees' grid, a host's table list, the staff overview
with catering counts, and a person's tables for the agenda and calendar. Each costs the same
number of queries for 4 tables or 400."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.expressions import CombinedExpression
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import CareerPath, User
from accounts.selectors import approved_mentor_q, is_approved_mentor
from accounts.types import AnyUser
from events.agenda_selectors import for_you_order
from events.hooks import AgendaSection
from events.models import (
    Event,
    LunchRotation,
    LunchTable,
    Registration,
    Session,
    TableHost,
    TableSeat,
    session_public_q,
)
from events.selectors import place_in_line, session_annotate_state, sessions_annotate_for_user

SeatStatus = TableSeat.Status


def lunch_get(*, event: Event, pk: int) -> Session:
    """A published `tables` session of the event; 404 for anything else, drafts included."""
    return get_object_or_404(
        Session.objects.public().select_related("event", "room"),
        pk=pk,
        event=event,
        registration_mode=Session.Mode.TABLES,
    )


def lunch_get_for_action(*, slug: str, pk: int) -> Session:
    """The lunch a POST names; 404 for an unknown one, a draft, or one of a draft event."""
    return get_object_or_404(
        Session.objects.public().select_related("event"),
        pk=pk,
        event__slug=slug,
        registration_mode=Session.Mode.TABLES,
    )


def lunch_rotation_get(*, session: Session, pk: int) -> LunchRotation:
    """404 for a rotation that does not exist or belongs to another lunch."""
    return get_object_or_404(LunchRotation, pk=pk, session=session)


def lunch_table_get(*, session: Session, pk: int) -> LunchTable:
    """404 for a table that does not exist or belongs to another lunch."""
    return get_object_or_404(
        LunchTable.objects.select_related("career_path"), pk=pk, session=session
    )


def _rotations(session: Session) -> list[LunchRotation]:
    rotations = list(LunchRotation.objects.filter(session=session).order_by("number"))
    for rotation in rotations:
        rotation.session = session  # local times without a query per rotation
    return rotations


def _tables(session: Session) -> list[LunchTable]:
    return list(
        LunchTable.objects.filter(session=session)
        .select_related("career_path")
        .prefetch_related(Prefetch("hosts", queryset=TableHost.objects.order_by("id")))
        .order_by("number")
    )


def _cell_counts(session: Session) -> dict[tuple[int, int], dict[str, int]]:
    rows = (
        TableSeat.objects.active()
        .filter(rotation__session=session)
        .order_by()
        .values("table_id", "rotation_id", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        counts.setdefault((row["table_id"], row["rotation_id"]), {})[row["status"]] = row["n"]
    return counts


def _seat_position() -> CombinedExpression:
    """A waitlisted seat's place in its cell's line (1 = next)."""
    return place_in_line(TableSeat.objects.waitlisted(), line=["table", "rotation"])


def table_seats_for_user(*, session: Session, user: AnyUser) -> list[TableSeat]:
    """The person's active picks at the lunch with waitlist positions, in rotation order."""
    if not user.is_authenticated:
        return []
    return list(
        TableSeat.objects.active()
        .filter(user=user, rotation__session=session)
        .select_related("rotation", "table__career_path")
        .annotate(position=_seat_position())
        .order_by("rotation__number")
    )


def table_seat_position(*, seat: TableSeat) -> int | None:
    if seat.status != SeatStatus.WAITLISTED:
        return None
    return TableSeat.objects.filter(pk=seat.pk).annotate(position=_seat_position()).get().position


@dataclass
class Cell:
    table: LunchTable
    rotation: LunchRotation
    confirmed: int
    waiting: int
    my_pick: TableSeat | None = None
    # What the person can do here: "drop", "take", "waitlist", "change" or "" (nothing).
    action: str = ""
    note: str = ""

    @property
    def seats_left(self) -> int:
        return max(self.table.seats - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


@dataclass
class GridRow:
    table: LunchTable
    cells: list[Cell]
    is_interest: bool


@dataclass
class LunchGrid:
    session: Session
    rotations: list[LunchRotation]
    rows: list[GridRow]
    picks: list[TableSeat] = field(default_factory=list)
    hosted_tables: list[LunchTable] = field(default_factory=list)

    @property
    def registration(self) -> Registration | None:
        return self.session.my_registration

    @property
    def can_pick(self) -> bool:
        """Whether the grid offers take/switch/waitlist buttons (drop is always offered)."""
        session = self.session
        if session.closed_reason:
            return False
        return self.registration is not None or not (session.audience_note or session.clash_with)

    @property
    def picks_by_rotation(self) -> list[tuple[LunchRotation, TableSeat | None]]:
        mine = {seat.rotation_id: seat for seat in self.picks}
        return [(rotation, mine.get(rotation.pk)) for rotation in self.rotations]


def _cell(table: LunchTable, rotation: LunchRotation, counts: dict) -> Cell:
    numbers = counts.get((table.pk, rotation.pk), {})
    return Cell(
        table=table,
        rotation=rotation,
        confirmed=numbers.get(SeatStatus.CONFIRMED, 0),
        waiting=numbers.get(SeatStatus.WAITLISTED, 0),
    )


def _cell_action(cell: Cell, pick: TableSeat | None, table_pick: TableSeat | None) -> None:
    if pick is not None and pick.table_id == cell.table.pk:
        cell.my_pick = pick
        cell.action = "drop"
    elif table_pick is not None:
        cell.note = f"Your pick in rotation {table_pick.rotation.number}"
    elif pick is not None:
        cell.action = "" if cell.is_full else "change"
    else:
        cell.action = "waitlist" if cell.is_full else "take"


def lunch_grid(*, session: Session, user: AnyUser) -> LunchGrid:
    """Tables × rotations with seats left, the person's picks and interests, and what they
    may do in each cell; the same queries for any number of tables."""
    sessions_annotate_for_user(sessions=[session], user=user)
    session_annotate_state(session)
    rotations = _rotations(session)
    tables = _tables(session)
    counts = _cell_counts(session)
    picks = table_seats_for_user(session=session, user=user)
    for seat in picks:
        seat.rotation.session = session
    by_rotation = {seat.rotation_id: seat for seat in picks}
    by_table = {seat.table_id: seat for seat in picks}
    # Tables on the person's interests first (by number among equals), each saying why.
    tables = for_you_order(items=tables, user=user, paths=lambda t: [t.career_path.slug])
    rows = []
    hosted = []
    for table in tables:
        if user.is_authenticated and any(h.user_id == user.pk for h in table.hosts.all()):
            hosted.append(table)
        cells = []
        for rotation in rotations:
            cell = _cell(table, rotation, counts)
            if user.is_authenticated:
                _cell_action(cell, by_rotation.get(rotation.pk), by_table.get(table.pk))
            cells.append(cell)
        rows.append(GridRow(table=table, cells=cells, is_interest=table.for_you.score > 0))
    if hosted and not is_approved_mentor(user):
        hosted = []  # the links to guest lists only where they open: approved mentors
    return LunchGrid(
        session=session, rotations=rotations, rows=rows, picks=picks, hosted_tables=hosted
    )


def lunch_alternatives(
    *, session: Session, table: LunchTable, rotation: LunchRotation, user: User
) -> list[LunchTable]:
    """Other tables of the same career path with seats in that rotation, that the person has
    not picked yet (each with `seats_left`)."""
    mine = TableSeat.objects.active().filter(user=user).values("table_id")
    candidates = (
        LunchTable.objects.filter(session=session, career_path_id=table.career_path_id)
        .exclude(pk=table.pk)
        .exclude(pk__in=mine)
        .select_related("career_path")
        .annotate(
            taken=Count(
                "table_seats",
                filter=Q(table_seats__rotation=rotation, table_seats__status=SeatStatus.CONFIRMED),
            )
        )
        .order_by("number")
    )
    found = []
    for candidate in candidates:
        candidate.seats_left = candidate.seats - candidate.taken
        if candidate.seats_left > 0:
            found.append(candidate)
    return found


def lunch_sessions_with_free_seat(*, sessions: list[Session]) -> set[int]:
    """Ids of those lunches where some table has a seat free in some rotation (the agenda's
    "free seats" filter, through `hooks.free_place_hooks`); three queries for any number of
    lunches, tables and rotations."""
    ids = [session.pk for session in sessions]
    rotations: dict[int, list[int]] = {}
    for session_id, rotation_id in LunchRotation.objects.filter(session_id__in=ids).values_list(
        "session_id", "pk"
    ):
        rotations.setdefault(session_id, []).append(rotation_id)
    taken = {
        (row["table_id"], row["rotation_id"]): row["n"]
        for row in TableSeat.objects.confirmed()
        .filter(rotation__session_id__in=ids)
        .order_by()
        .values("table_id", "rotation_id")
        .annotate(n=Count("id"))
    }
    free: set[int] = set()
    tables = LunchTable.objects.filter(session_id__in=ids).values_list("session_id", "pk", "seats")
    for session_id, table_id, seats in tables:
        if any(taken.get((table_id, r), 0) < seats for r in rotations.get(session_id, [])):
            free.add(session_id)
    return free


@dataclass
class WalkInTable:
    number: int
    title: str
    career_path: str
    seats_free: int


def _rotation_at(rotations: list[LunchRotation], now: datetime) -> LunchRotation | None:
    """The rotation running at `now`, else the next one to start; None after the last."""
    for rotation in rotations:
        if rotation.starts_at <= now < rotation.ends_at:
            return rotation
    return next((r for r in rotations if r.starts_at > now), None)


def lunch_walk_in_tables(*, sessions: list[Session], now: datetime) -> dict[int, AgendaSection]:
    """For the "now and next" screen (through `hooks.now_session_hooks`): for each lunch, the
    current rotation (the one running at `now`, else the next) and its tables with a seat
    free in it, by the same count as the grid (table seats less confirmed picks). Three
    queries for any number of lunches and tables; none for a lunch past its last rotation."""
    by_id = {session.pk: session for session in sessions}
    rotations: dict[int, list[LunchRotation]] = {}
    for rotation in LunchRotation.objects.filter(session_id__in=list(by_id)).order_by("number"):
        rotation.session = by_id[rotation.session_id]  # local times without a query
        rotations.setdefault(rotation.session_id, []).append(rotation)
    current = {
        session_id: found
        for session_id, found in (
            (session_id, _rotation_at(rows, now)) for session_id, rows in rotations.items()
        )
        if found is not None
    }
    if not current:
        return {}
    taken = {
        (row["table_id"], row["rotation_id"]): row["n"]
        for row in TableSeat.objects.confirmed()
        .filter(rotation_id__in=[r.pk for r in current.values()])
        .order_by()
        .values("table_id", "rotation_id")
        .annotate(n=Count("id"))
    }
    free: dict[int, list[WalkInTable]] = {session_id: [] for session_id in current}
    tables = (
        LunchTable.objects.filter(session_id__in=list(current))
        .select_related("career_path")
        .order_by("number")
    )
    for table in tables:
        rotation = current[table.session_id]
        left = table.seats - taken.get((table.pk, rotation.pk), 0)
        if left > 0:
            free[table.session_id].append(
                WalkInTable(
                    number=table.number,
                    title=table.title,
                    career_path=table.career_path.name,
                    seats_free=left,
                )
            )
    return {
        session_id: AgendaSection(
            template="events/_now_lunch_tables.html",
            context={
                "rotation": rotation,
                "is_running": rotation.starts_at <= now,
                "tables": free[session_id],
            },
            starts_at=rotation.starts_at,
        )
        for session_id, rotation in current.items()
    }


# --- hosts and staff ----------------------------------------------------------------------------


def lunch_table_get_for_host(*, session: Session, pk: int, user: AnyUser) -> LunchTable:
    """The table whose list the person may read: a table they host, once approved as a mentor
    (holders of `events.view_tableseat`: any table of the lunch). Anyone else, another table
    or another lunch's table: 404."""
    tables = LunchTable.objects.select_related("career_path").filter(session=session)
    if not user.has_perm("events.view_tableseat"):
        # A host reads the list once a coordinator has approved them as a mentor.
        tables = tables.filter(approved_mentor_q("hosts__user__"), hosts__user=user).distinct()
    table = tables.filter(pk=pk).first()
    if table is None:
        raise Http404("No such table.")
    return table


def lunch_tables_hosted_by(*, session: Session, user: User) -> list[LunchTable]:
    if not user.is_authenticated:
        return []
    return list(
        LunchTable.objects.filter(session=session, hosts__user=user)
        .select_related("career_path")
        .distinct()
        .order_by("number")
    )


@dataclass
class RotationList:
    rotation: LunchRotation
    seated: list[TableSeat]
    waiting: list[TableSeat]


def lunch_table_guests(*, table: LunchTable) -> list[RotationList]:
    """Per rotation: the people seated at the table (name, career stage, institution,
    interests), then its waitlist in arrival order with positions."""
    session = table.session
    rotations = _rotations(session)
    seats = list(
        TableSeat.objects.active()
        .filter(table=table)
        .select_related("user__profile")
        .prefetch_related(
            Prefetch("user__profile__interests", queryset=CareerPath.objects.order_by("order"))
        )
        .order_by("created_at", "id")
    )
    lists = {
        rotation.pk: RotationList(rotation=rotation, seated=[], waiting=[])
        for rotation in rotations
    }
    for seat in seats:
        entry = lists[seat.rotation_id]
        seat.rotation = entry.rotation
        if seat.status == SeatStatus.CONFIRMED:
            entry.seated.append(seat)
        else:
            entry.waiting.append(seat)
            seat.position = len(entry.waiting)
    return list(lists.values())


@dataclass
class OverviewRow:
    table: LunchTable
    cells: list[Cell]


@dataclass
class LunchOverview:
    rotations: list[LunchRotation]
    rows: list[OverviewRow]
    seated_per_rotation: list[int]
    seats_per_rotation: int
    registered: int
    seated_people: int
    dietary: list[tuple[str, int]]
    accessibility: list[tuple[str, int]]
    # People with the lunch on their agenda but no table seat (walking in, or only on a
    # waitlist): they eat too, so catering sees their needs apart from the seated ones.
    unseated_people: int = 0
    unseated_dietary: list[tuple[str, int]] = field(default_factory=list)
    unseated_accessibility: list[tuple[str, int]] = field(default_factory=list)


def _needs_count(values: list[str]) -> list[tuple[str, int]]:
    """Free-text needs grouped case-insensitively, most frequent first; the label is the first
    spelling seen."""
    labels: dict[str, str] = {}
    counter: Counter[str] = Counter()
    for value in values:
        text = " ".join((value or "").split())
        if not text:
            continue
        key = text.casefold()
        labels.setdefault(key, text)
        counter[key] += 1
    return [(labels[key], n) for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def lunch_overview(*, session: Session) -> LunchOverview:
    """Fill per table and rotation, and for catering the needs of everyone on the lunch, per
    person: someone with seats in three rotations counts once, two vegans count two."""
    rotations = _rotations(session)
    tables = _tables(session)
    counts = _cell_counts(session)
    rows = []
    seated_per_rotation = [0] * len(rotations)
    for table in tables:
        cells = []
        for index, rotation in enumerate(rotations):
            cell = _cell(table, rotation, counts)
            seated_per_rotation[index] += cell.confirmed
            cells.append(cell)
        rows.append(OverviewRow(table=table, cells=cells))
    # One row per person on the lunch (a registration is unique per person and session), so
    # identical needs are never collapsed into one.
    people = list(
        Registration.objects.confirmed()
        .filter(session=session)
        .annotate(
            is_seated=Exists(
                TableSeat.objects.confirmed().filter(
                    user=OuterRef("user"), rotation__session=session
                )
            )
        )
        .order_by()
        .values_list(
            "is_seated", "user__profile__dietary_needs", "user__profile__accessibility_needs"
        )
    )
    seated = [(dietary, access) for is_seated, dietary, access in people if is_seated]
    unseated = [(dietary, access) for is_seated, dietary, access in people if not is_seated]
    return LunchOverview(
        rotations=rotations,
        rows=rows,
        seated_per_rotation=seated_per_rotation,
        seats_per_rotation=sum(table.seats for table in tables),
        registered=len(people),
        seated_people=len(seated),
        dietary=_needs_count([dietary for dietary, _ in seated]),
        accessibility=_needs_count([access for _, access in seated]),
        unseated_people=len(unseated),
        unseated_dietary=_needs_count([dietary for dietary, _ in unseated]),
        unseated_accessibility=_needs_count([access for _, access in unseated]),
    )


def lunch_table_roster(*, table: LunchTable) -> list[TableSeat]:
    """Everyone with a pick at the table, per rotation: seated first, then the waitlist with
    positions; with the profile fields staff and hosts need."""
    return [
        seat for entry in lunch_table_guests(table=table) for seat in entry.seated + entry.waiting
    ]


# --- my agenda and calendar ----------------------------------------------------------------------


def lunch_picks_for_registrations(
    *, registrations: list[Registration]
) -> dict[int, list[TableSeat]]:
    """For each confirmed lunch registration among `registrations`, the person's picks at that
    lunch (rotation order, waitlist positions); one query, none when there is no lunch."""
    lunches = [
        r
        for r in registrations
        if r.status == Registration.Status.CONFIRMED
        and r.session.registration_mode == Session.Mode.TABLES
    ]
    if not lunches:
        return {}
    by_key = {(r.user_id, r.session_id): r for r in lunches}
    seats = (
        TableSeat.objects.active()
        .filter(
            user_id__in={r.user_id for r in lunches},
            rotation__session_id__in={r.session_id for r in lunches},
        )
        .select_related("rotation", "table__career_path")
        .annotate(position=_seat_position())
        .order_by("rotation__number")
    )
    picks: dict[int, list[TableSeat]] = {r.pk: [] for r in lunches}
    for seat in seats:
        registration = by_key.get((seat.user_id, seat.rotation.session_id))
        if registration is None:
            continue
        seat.rotation.session = registration.session
        picks[registration.pk].append(seat)
    return picks


# --- what a person holds, in words (emails, calendar, pages) ------------------------------------


def rotation_when(rotation: LunchRotation, tz: tzinfo) -> str:
    """A rotation's times in the event's zone, saying which zone: "12:00–12:20 EST"."""
    start, end = rotation.starts_at.astimezone(tz), rotation.ends_at.astimezone(tz)
    return f"{start:%H:%M}–{end:%H:%M} {start:%Z}"


def lunch_pick_text(pick: TableSeat, tz: tzinfo) -> str:
    """One pick as a line: "Rotation 1, 12:00–12:20 EST: Table 3 — Industry (seat confirmed)"
    or "Rotation 2, 12:20–12:40 EST: waitlisted #2 at Table 5 — Industry". A waitlist place
    needs `position` (as `table_seats_for_user` and `lunch_picks_for_registrations` give)."""
    where = f"Rotation {pick.rotation.number}, {rotation_when(pick.rotation, tz)}"
    table = f"Table {pick.table.number} — {pick.table.career_path.name}"
    if pick.status == SeatStatus.WAITLISTED:
        return f"{where}: waitlisted #{pick.position} at {table}"
    return f"{where}: {table} (seat confirmed)"


def lunch_tables_text(picks: list[TableSeat], tz: tzinfo) -> str:
    """The person's tables for a calendar item's description and a reminder."""
    if not picks:
        return "Your tables: none picked; walk in and sit where there is room."
    return "\n".join(["Your tables:", *(lunch_pick_text(pick, tz) for pick in picks)])


@dataclass
class LunchHoldings:
    """What a person holds at a lunch, for its emails: a line per rotation once they picked
    any table (rotations without a pick say "walk in"), none for someone walking in."""

    lines: list[str]
    is_seated: bool  # a confirmed seat in at least one rotation
    is_waiting: bool  # a waitlist place in at least one rotation


def lunch_holdings(*, registration_id: int) -> LunchHoldings | None:
    """Read when an email is sent, so it tells what holds then; None when the registration is
    no longer a confirmed place on a lunch."""
    registration = (
        Registration.objects.confirmed()
        .select_related("session__event")
        .filter(pk=registration_id, session__registration_mode=Session.Mode.TABLES)
        .first()
    )
    if registration is None:
        return None
    session = registration.session
    tz = session.event.tz
    picks = lunch_picks_for_registrations(registrations=[registration])[registration.pk]
    if not picks:
        return LunchHoldings(lines=[], is_seated=False, is_waiting=False)
    by_rotation = {pick.rotation_id: pick for pick in picks}
    lines = []
    for rotation in _rotations(session):
        pick = by_rotation.get(rotation.pk)
        if pick is None:
            when = rotation_when(rotation, tz)
            lines.append(f"Rotation {rotation.number}, {when}: no table picked (walk in)")
        else:
            lines.append(lunch_pick_text(pick, tz))
    statuses = {pick.status for pick in picks}
    return LunchHoldings(
        lines=lines,
        is_seated=SeatStatus.CONFIRMED in statuses,
        is_waiting=SeatStatus.WAITLISTED in statuses,
    )


# --- a host's duty on their agenda and calendar ---------------------------------------------------


@dataclass
class HostDuty:
    """The tables a person hosts at one lunch, with the lunch's rotations."""

    session: Session
    tables: list[LunchTable]
    rotations: list[LunchRotation]


def lunch_host_duties_for_user(*, user: User) -> list[HostDuty]:
    """The lunches of published events where the person hosts a table (`TableHost.user`), in
    time order; two queries, whatever the number of lunches or tables."""
    tables = list(
        LunchTable.objects.filter(session_public_q("session__"), hosts__user=user)
        .select_related("career_path", "session__event", "session__room")
        .prefetch_related(
            Prefetch("session__lunch_rotations", queryset=LunchRotation.objects.order_by("number"))
        )
        .distinct()
        .order_by("session__starts_at", "number")
    )
    duties: dict[int, HostDuty] = {}
    for table in tables:
        session = table.session
        if session.pk not in duties:
            rotations = list(session.lunch_rotations.all())
            for rotation in rotations:
                rotation.session = session  # local times without a query per rotation
            duties[session.pk] = HostDuty(session=session, tables=[], rotations=rotations)
        table.session = duties[session.pk].session
        duties[session.pk].tables.append(table)
    return list(duties.values())


def lunch_host_names(*, session_ids: list[int]) -> dict[int, set[str]]:
    """The hosts of each lunch's tables, by session: they lead the lunch as speakers lead a
    talk, so the speaker clash check in admin counts them."""
    names: dict[int, set[str]] = {}
    for session_id, name in TableHost.objects.filter(table__session_id__in=session_ids).values_list(
        "table__session_id", "name"
    ):
        names.setdefault(session_id, set()).add(name)
    return names


def lunch_dietary_needs(*, session_ids: list[int]) -> dict[int, tuple[int, list[tuple[str, int]]]]:
    """For each lunch, the meals to order (people with the lunch on their agenda, seated or not)
    and their dietary needs grouped as the overview groups them; counts only, one query for any
    number of lunches."""
    rows = (
        Registration.objects.confirmed()
        .filter(session_id__in=session_ids)
        .order_by()
        .values_list("session_id", "user__profile__dietary_needs")
    )
    needs: dict[int, list[str]] = {session_id: [] for session_id in session_ids}
    for session_id, dietary in rows:
        needs[session_id].append(dietary or "")
    return {session_id: (len(values), _needs_count(values)) for session_id, values in needs.items()}
