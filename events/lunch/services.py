"""Career-lunch rules: round tables per career path, rotations, free movement.

- A person holds at most one pick (seat or waitlist place) per rotation, and a table at most
  once over the whole lunch; the database enforces both (partial unique constraints).
- Seats are per table and rotation and exact under concurrency; a full cell offers the other
  tables of the same career path in that rotation, or the cell's waitlist, which promotes in
  arrival order when a seat frees (with an email through the outbox).
- The lunch is one agenda item: the first pick, a waitlist place or "walk in" creates the
  person's confirmed Registration for the lunch session, with the clash check every session
  has; cancelling that registration drops the person's picks (`lunch_seats_release`, through
  the events hook `registration_cancelled_hooks`).
- Emails say what the person holds, table by table (`lunch_notices`): one per quick series
  of the person's own changes, and one at once when a waitlist place turns into a seat.

Locking through `events/services/locking.py`, the same as registrations: the lunch's session
row first, then the user row. Every write to a lunch's seats holds its session row, so
counting a cell and inserting a seat never race.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import CareerPath, User
from events.models import LunchRotation, LunchTable, Registration, Session, TableHost, TableSeat
from events.refusals import Code, Refusal
from events.rules import registration_check_allowed
from events.selectors import registration_get_for_user
from events.services import notices
from events.services.cache import agenda_cache_bump
from events.services.locking import sessions_lock, user_lock
from events.services.registrations import registration_seat_take

from . import notices as lunch_notices
from .refusals import Code as LunchCode
from .selectors import lunch_alternatives

SeatStatus = TableSeat.Status


def table_label(table: LunchTable) -> str:
    return f"Table {table.number} ({table.career_path.name})"


class TableFullError(Refusal):
    """No seat left in the cell; `alternatives` are the other tables of the same career path
    with seats in that rotation (each with `seats_left`), for the page to offer."""

    def __init__(
        self,
        *,
        table: LunchTable,
        rotation: LunchRotation,
        alternatives: list[LunchTable],
        unchanged: str = "",
    ):
        path = table.career_path.name
        message = f"{table_label(table)} is full in rotation {rotation.number}."
        if alternatives:
            others = ", ".join(
                f"Table {t.number} ({t.seats_left} seat{'s' if t.seats_left != 1 else ''} left)"
                for t in alternatives
            )
            message += f" Other {path} tables with seats then: {others}."
        else:
            message += f" No other {path} table has a seat then."
        message += " You can also join its waitlist."
        if unchanged:
            message += f" {unchanged}"
        super().__init__(message, LunchCode.TABLE_FULL)
        self.table = table
        self.rotation = rotation
        self.alternatives = alternatives


# --- helpers (call with the lunch's session row locked) ---------------------------------------


def _lock_lunch(session: Session, user: User | None = None) -> tuple[Session, User | None]:
    (session,) = sessions_lock(session)
    if session.registration_mode != Session.Mode.TABLES:
        raise Refusal("This session has no lunch tables.", Code.MODE)
    return session, (user_lock(user) if user is not None else None)


def _fresh_cell(
    session: Session, rotation: LunchRotation, table: LunchTable
) -> tuple[LunchRotation, LunchTable]:
    """Re-reads both under the lock (staff may have changed the seats) and checks they belong
    to this lunch; views already answer 404 for another lunch's ids."""
    rotation = LunchRotation.objects.filter(pk=rotation.pk, session=session).first()
    table = (
        LunchTable.objects.select_related("career_path")
        .filter(pk=table.pk, session=session)
        .first()
    )
    if rotation is None or table is None:
        raise Refusal("That table or rotation is not part of this lunch.", LunchCode.OTHER)
    return rotation, table


def _confirmed_in_cell(table: LunchTable, rotation: LunchRotation) -> int:
    return TableSeat.objects.confirmed().filter(table=table, rotation=rotation).count()


def _pick_in_rotation(user: User, rotation: LunchRotation) -> TableSeat | None:
    return (
        TableSeat.objects.active()
        .filter(user=user, rotation=rotation)
        .select_related("table__career_path", "rotation")
        .first()
    )


def _check_table_once(user: User, table: LunchTable) -> None:
    earlier = (
        TableSeat.objects.active().filter(user=user, table=table).select_related("rotation").first()
    )
    if earlier is not None:
        raise Refusal(
            f"You already picked {table_label(table)} in rotation {earlier.rotation.number}: "
            "each table once, so you meet more people. Nothing changed.",
            LunchCode.TABLE_ONCE,
        )


def _registration_ensure(session: Session, user: User) -> tuple[Registration, bool]:
    """The lunch on the person's agenda: kept if there, else created with the clash check
    and its reminders; True when created. The caller queues the email once the person's
    picks are written, so that it tells what they hold."""
    registration = registration_get_for_user(session=session, user=user)
    if registration is not None:
        return registration, False
    registration = registration_seat_take(
        session=session,
        user=user,
        full=Refusal(
            "The lunch has reached the number of people its room holds.", LunchCode.LUNCH_FULL
        ),
    )
    notices.reminders_schedule(registration)
    agenda_cache_bump(session.event_id)
    return registration, True


def _touch(registration: Registration) -> None:
    # The calendar's LAST-MODIFIED follows the registration: the tables in its description
    # changed, so calendar apps should replace their copy.
    Registration.objects.filter(pk=registration.pk).update(updated_at=timezone.now())


def _seat_cancel(seat: TableSeat) -> None:
    seat.status = SeatStatus.CANCELLED
    seat.cancelled_at = timezone.now()
    seat.save(update_fields=["status", "cancelled_at", "updated_at"])
    lunch_notices.lunch_seat_notices_cancel(seat=seat)


def _seat_create(
    *, rotation: LunchRotation, table: LunchTable, user: User, status: str
) -> TableSeat:
    return TableSeat.objects.create(
        rotation=rotation,
        table=table,
        user=user,
        status=status,
        confirmed_at=timezone.now() if status == SeatStatus.CONFIRMED else None,
    )


def _cell_promote(session: Session, table: LunchTable, rotation: LunchRotation) -> list[TableSeat]:
    """Fills the cell's free seats from its waitlist in arrival order. Everyone waiting holds
    the lunch registration already (dropping it drops their picks), so no clash check. A
    cancelled lunch promotes nobody: everyone's place is being released."""
    if session.cancelled_at is not None:
        return []
    free = table.seats - _confirmed_in_cell(table, rotation)
    if free <= 0:
        return []
    waiting = list(
        TableSeat.objects.waitlisted()
        .filter(table=table, rotation=rotation)
        .select_related("user", "table__career_path", "rotation")
        .order_by("created_at", "id")[:free]
    )
    for seat in waiting:
        seat.status = SeatStatus.CONFIRMED
        seat.confirmed_at = timezone.now()
        seat.save(update_fields=["status", "confirmed_at", "updated_at"])
        registration = registration_get_for_user(session=session, user=seat.user)
        if registration is not None:
            lunch_notices.lunch_promoted_notice(
                session=session, seat=seat, registration=registration
            )
            _touch(registration)
    return waiting


# --- trainees ---------------------------------------------------------------------------------
# The trainees' changes are whole use cases, each its own durable transaction: nothing calls
# them inside another one. The staff's below also run inside admin's transaction.


@transaction.atomic(durable=True)
def lunch_join(*, session: Session, user: User) -> Registration:
    """Walk in: the lunch goes on the person's agenda without a table."""
    session, user = _lock_lunch(session, user)
    if registration_get_for_user(session=session, user=user) is not None:
        raise Refusal("The lunch is already on your agenda.", Code.ALREADY_REGISTERED)
    registration_check_allowed(session=session, user=user)
    registration, _ = _registration_ensure(session, user)
    lunch_notices.lunch_picks_notice(registration=registration, joined=True)
    return registration


def _new_seat_status(
    session: Session,
    rotation: LunchRotation,
    table: LunchTable,
    user: User,
    *,
    join_waitlist: bool,
    unchanged: str = "",
) -> str:
    """A seat while the cell has one, else its waitlist when asked for, else TableFullError
    offering the alternatives. Checks first that the person has not sat at this table."""
    _check_table_once(user, table)
    if _confirmed_in_cell(table, rotation) < table.seats:
        return SeatStatus.CONFIRMED
    if join_waitlist:
        return SeatStatus.WAITLISTED
    alternatives = lunch_alternatives(session=session, table=table, rotation=rotation, user=user)
    raise TableFullError(
        table=table, rotation=rotation, alternatives=alternatives, unchanged=unchanged
    )


@transaction.atomic(durable=True)
def table_seat_take(
    *,
    session: Session,
    rotation: LunchRotation,
    table: LunchTable,
    user: User,
    join_waitlist: bool = False,
) -> TableSeat:
    """A seat at `table` in `rotation`; when the cell is full, its waitlist if asked for, else
    TableFullError with the alternatives. Nothing is written when a rule refuses."""
    session, user = _lock_lunch(session, user)
    rotation, table = _fresh_cell(session, rotation, table)
    registration_check_allowed(session=session, user=user)
    current = _pick_in_rotation(user, rotation)
    if current is not None and current.table_id == table.pk:
        raise Refusal(
            f"{table_label(table)} is already your pick in rotation {rotation.number}.",
            LunchCode.ALREADY_PICKED,
        )
    if current is not None:
        raise Refusal(
            f"You already have {table_label(current.table)} in rotation {rotation.number}: "
            "one table per rotation. Change or drop that pick instead; nothing changed.",
            LunchCode.ONE_PER_ROTATION,
        )
    status = _new_seat_status(session, rotation, table, user, join_waitlist=join_waitlist)
    registration, joined = _registration_ensure(session, user)
    seat = _seat_create(rotation=rotation, table=table, user=user, status=status)
    _touch(registration)
    lunch_notices.lunch_picks_notice(registration=registration, joined=joined)
    return seat


@transaction.atomic(durable=True)
def table_seat_change(
    *,
    session: Session,
    rotation: LunchRotation,
    table: LunchTable,
    user: User,
    join_waitlist: bool = False,
) -> TableSeat:
    """Moves the person's pick in `rotation` to `table` in one step. When `table` is full the
    pick stays as it was (TableFullError), unless `join_waitlist`: then it is given up for a
    place on the new table's waitlist."""
    session, user = _lock_lunch(session, user)
    rotation, table = _fresh_cell(session, rotation, table)
    registration_check_allowed(session=session, user=user)
    current = _pick_in_rotation(user, rotation)
    if current is None:
        raise Refusal(
            f"You have no table in rotation {rotation.number} to change; pick one instead.",
            LunchCode.NO_PICK,
        )
    if current.table_id == table.pk:
        raise Refusal(
            f"{table_label(table)} is already your pick in rotation {rotation.number}.",
            LunchCode.ALREADY_PICKED,
        )
    status = _new_seat_status(
        session,
        rotation,
        table,
        user,
        join_waitlist=join_waitlist,
        unchanged=f"Your pick of {table_label(current.table)} is unchanged.",
    )
    was_seated = current.status == SeatStatus.CONFIRMED
    _seat_cancel(current)
    seat = _seat_create(rotation=rotation, table=table, user=user, status=status)
    if was_seated:
        _cell_promote(session, current.table, rotation)
    registration, joined = _registration_ensure(session, user)
    _touch(registration)
    lunch_notices.lunch_picks_notice(registration=registration, joined=joined)
    return seat


@transaction.atomic(durable=True)
def table_seat_drop(*, session: Session, rotation: LunchRotation, user: User) -> TableSeat:
    """Gives up the person's pick in `rotation` (seat or waitlist place); a freed seat goes to
    the cell's waitlist at once. The lunch stays on the agenda (walk in)."""
    session, user = _lock_lunch(session, user)
    if rotation.session_id != session.pk:
        raise Refusal("That rotation is not part of this lunch.", LunchCode.OTHER)
    current = _pick_in_rotation(user, rotation)
    if current is None:
        raise Refusal(f"You have no table in rotation {rotation.number}.", LunchCode.NO_PICK)
    was_seated = current.status == SeatStatus.CONFIRMED
    _seat_cancel(current)
    if was_seated:
        _cell_promote(session, current.table, current.rotation)
    registration = registration_get_for_user(session=session, user=user)
    if registration is not None:
        _touch(registration)
        lunch_notices.lunch_picks_notice(registration=registration, joined=False)
    return current


def lunch_registration_cancelled(*, registration: Registration) -> None:
    """Leaving the career lunch frees the person's table seats (the session row is locked)."""
    if registration.session.registration_mode == Session.Mode.TABLES:
        lunch_seats_release(session=registration.session, user=registration.user)


def lunch_seats_release(*, session: Session, user: User) -> list[TableSeat]:
    """Drops every pick the person holds at this lunch and promotes the waitlists. Called when
    the lunch registration is cancelled, with the lunch's session row locked."""
    seats = list(
        TableSeat.objects.active()
        .filter(user=user, rotation__session=session)
        .select_related("table__career_path", "rotation")
        .order_by("rotation__number")
    )
    for seat in seats:
        was_seated = seat.status == SeatStatus.CONFIRMED
        _seat_cancel(seat)
        if was_seated:
            _cell_promote(session, seat.table, seat.rotation)
    lunch_notices.lunch_notices_cancel(session=session, user=user)
    return seats


# --- staff ------------------------------------------------------------------------------------


@transaction.atomic
def table_seat_walk_in(
    *,
    session: Session,
    rotation: LunchRotation,
    table: LunchTable,
    user: User,
    by: User,
) -> TableSeat:
    """Staff at the door seat a person who walked up, at a table with a free seat, checked
    in at once. The lunch's rules that keep seats exact hold (one table per rotation, a table
    once, the cell's seats, the room and clashes through the lunch registration); the
    sign-up window does not, since the lunch is running. No waitlist: a full cell refuses."""
    session, user = _lock_lunch(session, user)
    if session.cancelled_at is not None:
        raise Refusal("This lunch has been cancelled; nobody is seated.", Code.CANCELLED)
    rotation, table = _fresh_cell(session, rotation, table)
    name = user.get_full_name() or user.email
    current = _pick_in_rotation(user, rotation)
    if current is not None:
        where = "a seat" if current.status == SeatStatus.CONFIRMED else "a waitlist place"
        raise Refusal(
            f"{name} already has {where} at {table_label(current.table)} in rotation "
            f"{rotation.number}; nothing changed.",
            LunchCode.ONE_PER_ROTATION,
        )
    earlier = (
        TableSeat.objects.active().filter(user=user, table=table).select_related("rotation").first()
    )
    if earlier is not None:
        raise Refusal(
            f"{name} already sits at {table_label(table)} in rotation "
            f"{earlier.rotation.number} (each table once); choose another table. Nothing changed.",
            LunchCode.TABLE_ONCE,
        )
    taken = _confirmed_in_cell(table, rotation)
    if taken >= table.seats:
        raise Refusal(
            f"{table_label(table)} is full in rotation {rotation.number} "
            f"({taken} of {table.seats} seats taken); choose a table with free seats. "
            "Nothing changed.",
            LunchCode.TABLE_FULL,
        )
    registration, joined = _registration_ensure(session, user)
    now = timezone.now()
    seat = TableSeat.objects.create(
        rotation=rotation,
        table=table,
        user=user,
        status=SeatStatus.CONFIRMED,
        confirmed_at=now,
        checked_in_at=now,
        checked_in_by=by,
    )
    _touch(registration)
    lunch_notices.lunch_picks_notice(registration=registration, joined=joined)
    return seat


@transaction.atomic
def table_waitlists_promote(*, session: Session) -> list[TableSeat]:
    """After staff add seats to a table: every cell with free seats takes from its waitlist."""
    session, _ = _lock_lunch(session)
    cells = (
        TableSeat.objects.waitlisted()
        .filter(rotation__session=session)
        .values_list("table_id", "rotation_id")
        .distinct()
        .order_by("table_id", "rotation_id")
    )
    tables = {
        t.pk: t for t in LunchTable.objects.filter(session=session).select_related("career_path")
    }
    rotations = {r.pk: r for r in LunchRotation.objects.filter(session=session)}
    promoted: list[TableSeat] = []
    for table_id, rotation_id in list(cells):
        promoted += _cell_promote(session, tables[table_id], rotations[rotation_id])
    return promoted


@transaction.atomic
def lunch_rotations_generate(*, session: Session, count: int, minutes: int) -> list[LunchRotation]:
    """`count` back-to-back rotations of `minutes` from the lunch's start, numbered from 1.
    Replaces the lunch's rotations as long as nobody has picked a table in them."""
    if count < 1 or minutes < 1:
        raise Refusal("Give at least one rotation of at least one minute.", LunchCode.INVALID)
    session, _ = _lock_lunch(session)
    end = session.starts_at + timedelta(minutes=count * minutes)
    if end > session.ends_at:
        tz = session.event.tz
        raise Refusal(
            f"{count} rotations of {minutes} minutes would end at "
            f"{end.astimezone(tz):%H:%M}, after the lunch ends "
            f"({session.ends_at.astimezone(tz):%H:%M}).",
            LunchCode.TOO_LONG,
        )
    if TableSeat.objects.active().filter(rotation__session=session).exists():
        raise Refusal(
            "People have picked tables in the current rotations; change those by hand.",
            LunchCode.HAS_SEATS,
        )
    LunchRotation.objects.filter(session=session).delete()
    return LunchRotation.objects.bulk_create(
        [
            LunchRotation(
                session=session,
                number=number,
                starts_at=session.starts_at + timedelta(minutes=(number - 1) * minutes),
                ends_at=session.starts_at + timedelta(minutes=number * minutes),
            )
            for number in range(1, count + 1)
        ]
    )


@transaction.atomic
def lunch_tables_copy(*, source: Session, target: Session) -> list[LunchTable]:
    """Copies the tables and their hosts of `source` (e.g. last year's lunch) into `target`,
    which must have no tables yet."""
    if source.pk == target.pk:
        raise Refusal("Choose another lunch to copy the tables from.", LunchCode.SAME)
    source, target = sessions_lock(source, target)
    for lunch in (source, target):
        if lunch.registration_mode != Session.Mode.TABLES:
            raise Refusal(f"“{lunch.title}” has no lunch tables.", Code.MODE)
    if LunchTable.objects.filter(session=target).exists():
        raise Refusal(
            f"“{target.title}” already has tables; copy only into a lunch without tables.",
            LunchCode.HAS_TABLES,
        )
    return _tables_copy(source=source, target=target, with_accounts=True)


def _tables_copy(*, source: Session, target: Session, with_accounts: bool) -> list[LunchTable]:
    """The tables of `source` and their hosts, copied into `target`; the hosts' accounts only
    `with_accounts` (a clone for next year names the people but links no one)."""
    copies = []
    for table in LunchTable.objects.filter(session=source).prefetch_related("hosts"):
        copy = LunchTable.objects.create(
            session=target,
            number=table.number,
            career_path_id=table.career_path_id,
            title=table.title,
            seats=table.seats,
        )
        TableHost.objects.bulk_create(
            TableHost(
                table=copy,
                name=host.name,
                role=host.role,
                organisation=host.organisation,
                bio=host.bio,
                user_id=host.user_id if with_accounts else None,
            )
            for host in table.hosts.all()
        )
        copies.append(copy)
    return copies


@transaction.atomic
def lunch_table_ensure(
    *,
    session: Session,
    number: int,
    career_path: CareerPath,
    title: str = "",
    seats: int = 8,
    hosts: list[dict] = (),
) -> tuple[LunchTable, bool]:
    """The table numbered `number`, created with its hosts when missing (hosts are matched by
    name, so running it again creates nothing); an existing table keeps its settings."""
    table, created = LunchTable.objects.get_or_create(
        session=session,
        number=number,
        defaults={"career_path": career_path, "title": title, "seats": seats},
    )
    for host in hosts:
        data = dict(host)
        name = data.pop("name")
        row, _ = TableHost.objects.get_or_create(table=table, name=name, defaults=data)
        if data.get("user") is not None and row.user_id is None:
            row.user = data["user"]
            row.save(update_fields=["user"])
    return table, created


def lunch_clone(*, source: Session, copy: Session, shift) -> None:
    """`hooks.session_clone_hooks`: a cloned lunch gets the rotations (moved to the new dates)
    and the tables with their hosts' names and bios. Not the hosts' accounts (staff link next
    year's hosts again) and no seat."""
    LunchRotation.objects.bulk_create(
        LunchRotation(
            session=copy,
            number=rotation.number,
            starts_at=shift(rotation.starts_at),
            ends_at=shift(rotation.ends_at),
        )
        for rotation in source.lunch_rotations.all()
    )
    _tables_copy(source=source, target=copy, with_accounts=False)
