"""Reads for the door of the career lunch (seats by rotation and table) and of a Blood
Buddies slot (conversations by round, the standby line). Each page costs the same few
queries for 5 tables or 50."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from events.models import LunchRotation, LunchTable, Session, TableSeat
from mentorship.models import DoorStandby, Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup

QUERY_MAX = 100


def door_person_find(*, text: str) -> tuple[User | None, str]:
    """The account staff typed at the door: an exact email, else the one account whose name
    contains the text. Returns (user, "") or (None, what to tell staff)."""
    text = " ".join(text.split())[:QUERY_MAX]
    if not text:
        return None, "Type the person's email or name."
    if "@" in text:
        user = User.objects.filter(email__iexact=text, is_active=True).first()
        if user is None:
            return None, f"No account has the email “{text}”. Nothing changed."
        return user, ""
    matches = list(User.objects.filter(name__icontains=text, is_active=True).order_by("pk")[:2])
    if not matches:
        return None, f"No account's name contains “{text}”. Nothing changed."
    if len(matches) > 1:
        return None, f"More than one account's name contains “{text}”: type the email instead."
    return matches[0], ""


def _current(numbers_and_times: list[tuple[int, datetime, datetime]]) -> int | None:
    """The number running now, else the next to start, else the last."""
    now = timezone.now()
    for number, _start, end in numbers_and_times:
        if now < end:
            return number
    return numbers_and_times[-1][0] if numbers_and_times else None


def _chosen(raw: str | None, numbers: list[int], default: int | None) -> int | None:
    try:
        number = int(raw or "")
    except ValueError:
        return default
    return number if number in numbers else default


# --- the lunch --------------------------------------------------------------------------------


@dataclass
class TableAtDoor:
    table: LunchTable
    hosts: list[str]
    seats: list[TableSeat]  # confirmed seats of the rotation shown, by name (search applied)
    checked_in: int
    expected: int  # the rotation's confirmed seats at this table

    @property
    def free(self) -> int:
        return max(0, self.table.seats - self.expected)


@dataclass
class RotationTab:
    rotation: LunchRotation
    checked_in: int
    expected: int
    starts_at: datetime  # in the event's zone
    ends_at: datetime


@dataclass
class LunchDoor:
    session: Session
    rotations: list[RotationTab]
    rotation: RotationTab | None  # the one shown
    tables: list[TableAtDoor]  # those with a match when searching
    free_tables: list[TableAtDoor]  # with a free seat in the rotation shown
    q: str = ""


def lunch_door(*, session: Session, rotation: str | None = None, q: str = "") -> LunchDoor:
    """The lunch's rotations with their in / expected counts, and for one rotation (asked
    for, else the one running or next) its tables with hosts and seated people. Four
    queries whatever the size of the lunch."""
    tz = session.event.tz
    counts = {
        row["rotation_id"]: row
        for row in TableSeat.objects.confirmed()
        .filter(rotation__session=session)
        .order_by()
        .values("rotation_id")
        .annotate(
            expected=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
        )
    }
    tabs = [
        RotationTab(
            rotation=r,
            checked_in=counts.get(r.pk, {}).get("checked_in", 0),
            expected=counts.get(r.pk, {}).get("expected", 0),
            starts_at=r.starts_at.astimezone(tz),
            ends_at=r.ends_at.astimezone(tz),
        )
        for r in LunchRotation.objects.filter(session=session).order_by("number")
    ]
    number = _chosen(
        rotation,
        [t.rotation.number for t in tabs],
        _current([(t.rotation.number, t.rotation.starts_at, t.rotation.ends_at) for t in tabs]),
    )
    shown = next((t for t in tabs if t.rotation.number == number), None)
    tables = list(
        LunchTable.objects.filter(session=session)
        .select_related("career_path")
        .prefetch_related("hosts")
        .order_by("number")
    )
    seats: dict[int, list[TableSeat]] = defaultdict(list)
    if shown is not None:
        rows = (
            TableSeat.objects.confirmed()
            .filter(rotation=shown.rotation)
            .select_related("user", "checked_in_by")
            .order_by("user__name", "user__email", "pk")
        )
        for seat in rows:
            seat.checked_in_local = seat.checked_in_at and seat.checked_in_at.astimezone(tz)
            seats[seat.table_id].append(seat)
    q = q.strip()[:QUERY_MAX]
    at_door = []
    needle = q.casefold()
    for table in tables:
        people = seats[table.pk]
        at_door.append(
            TableAtDoor(
                table=table,
                hosts=[h.name for h in table.hosts.all()],
                seats=[
                    s
                    for s in people
                    if needle in s.user.name.casefold() or needle in s.user.email.casefold()
                ],
                checked_in=sum(1 for s in people if s.checked_in_at is not None),
                expected=len(people),
            )
        )
    return LunchDoor(
        session=session,
        rotations=tabs,
        rotation=shown,
        tables=[t for t in at_door if t.seats] if q else at_door,
        free_tables=[t for t in at_door if t.free] if shown is not None else [],
        q=q,
    )


def lunch_seat_get(*, session: Session, seat_id: int) -> TableSeat:
    """A confirmed seat of this lunch; another lunch's, a waitlist place or a cancelled pick
    is a 404, so a forged id changes nothing."""
    return get_object_or_404(
        TableSeat.objects.confirmed().select_related("user", "rotation", "table"),
        pk=seat_id,
        rotation__session=session,
    )


def lunch_cell_get(
    *, session: Session, rotation_id: str, table_id: str
) -> tuple[LunchRotation, LunchTable] | None:
    """The rotation and table a walk-in form names, if both are this lunch's."""
    try:
        rotation_pk, table_pk = int(rotation_id), int(table_id)
    except (TypeError, ValueError):
        return None
    rotation = LunchRotation.objects.filter(pk=rotation_pk, session=session).first()
    table = (
        LunchTable.objects.filter(pk=table_pk, session=session)
        .select_related("career_path")
        .first()
    )
    if rotation is None or table is None:
        return None
    return rotation, table


# --- Blood Buddies ----------------------------------------------------------------------------


def slot_for_door(*, session: Session) -> SpeedMentoringSlot:
    slot = SpeedMentoringSlot.objects.filter(session=session).first()
    if slot is None:
        raise Http404("This session has no Blood Buddies slot.")
    slot.session = session
    return slot


@dataclass
class RoundTab:
    number: int
    starts_at: datetime  # in the event's zone
    ends_at: datetime
    conversations: int


@dataclass
class StandbyRow:
    entry: DoorStandby
    arrived_local: datetime
    placed_rounds: list[int] = field(default_factory=list)


@dataclass
class MeetingAtDoor:
    meeting: Meeting
    mentor_in_local: datetime | None  # check-in times in the event's zone
    trainee_in_local: datetime | None

    @property
    def table(self) -> int:
        return self.meeting.table

    @property
    def offer(self) -> MentorOffer:
        return self.meeting.offer

    @property
    def signup(self) -> TraineeSignup:
        return self.meeting.signup


@dataclass
class RoundsDoor:
    slot: SpeedMentoringSlot
    rounds: list[RoundTab]
    round: RoundTab | None
    meetings: list[MeetingAtDoor]  # the round's scheduled conversations, by table
    mentors_in: int
    mentors: int
    trainees_in: int
    trainees: int
    standby: list[StandbyRow]


def rounds_door(*, slot: SpeedMentoringSlot, round: str | None = None) -> RoundsDoor:
    """The slot's rounds with their conversations, for one round (asked for, else the one
    running or next) each conversation with its mentor and trainee and their check-in, the
    counts of mentors and trainees in / expected, and the standby line in arrival order."""
    tz = slot.session.event.tz
    per_round = dict(
        Meeting.objects.filter(slot=slot, status=Meeting.Status.SCHEDULED)
        .order_by()
        .values_list("round")
        .annotate(n=Count("pk"))
    )
    tabs = [
        RoundTab(
            number=n,
            starts_at=slot.round_start(n).astimezone(tz),
            ends_at=slot.round_end(n).astimezone(tz),
            conversations=per_round.get(n, 0),
        )
        for n in range(1, slot.rounds + 1)
    ]
    number = _chosen(
        round,
        [t.number for t in tabs],
        _current([(t.number, t.starts_at, t.ends_at) for t in tabs]),
    )
    shown = next((t for t in tabs if t.number == number), None)
    meetings = []
    for m in (
        Meeting.objects.filter(slot=slot, status=Meeting.Status.SCHEDULED, round=number or 0)
        .select_related(
            "offer__mentor",
            "offer__checked_in_by",
            "signup__trainee",
            "signup__registration__checked_in_by",
        )
        .order_by("table", "id")
    ):
        mentor_at, reg = m.offer.checked_in_at, m.signup.registration
        trainee_at = reg.checked_in_at if reg is not None else None
        meetings.append(
            MeetingAtDoor(
                meeting=m,
                mentor_in_local=mentor_at.astimezone(tz) if mentor_at else None,
                trainee_in_local=trainee_at.astimezone(tz) if trainee_at else None,
            )
        )
    mentors = MentorOffer.objects.filter(
        slot=slot, status=MentorOffer.Status.ACTIVE, meetings__status=Meeting.Status.SCHEDULED
    ).distinct()
    trainees = TraineeSignup.objects.filter(
        slot=slot, status=TraineeSignup.Status.ACTIVE, meetings__status=Meeting.Status.SCHEDULED
    ).distinct()
    placed: dict[int, list[int]] = defaultdict(list)
    for trainee_id, n in Meeting.objects.filter(
        slot=slot,
        status=Meeting.Status.SCHEDULED,
        signup__trainee__door_standby__slot=slot,
    ).values_list("signup__trainee_id", "round"):
        placed[trainee_id].append(n)
    standby = [
        StandbyRow(
            entry=row,
            arrived_local=row.arrived_at.astimezone(tz),
            placed_rounds=sorted(placed[row.trainee_id]),
        )
        for row in DoorStandby.objects.filter(slot=slot)
        .select_related("trainee")
        .order_by("arrived_at", "id")
    ]
    return RoundsDoor(
        slot=slot,
        rounds=tabs,
        round=shown,
        meetings=meetings,
        mentors_in=mentors.filter(checked_in_at__isnull=False).count(),
        mentors=mentors.count(),
        trainees_in=trainees.filter(registration__checked_in_at__isnull=False).count(),
        trainees=trainees.count(),
        standby=standby,
    )


def door_offer_get(*, slot: SpeedMentoringSlot, offer_id: int) -> MentorOffer:
    """An active mentor of this slot; anything else is a 404."""
    return get_object_or_404(
        MentorOffer.objects.select_related("mentor"),
        pk=offer_id,
        slot=slot,
        status=MentorOffer.Status.ACTIVE,
    )


def door_signup_get(*, slot: SpeedMentoringSlot, signup_id: int) -> TraineeSignup:
    """An active trainee of this slot holding a confirmed place; anything else is a 404."""
    return get_object_or_404(
        TraineeSignup.objects.select_related("trainee", "registration"),
        pk=signup_id,
        slot=slot,
        status=TraineeSignup.Status.ACTIVE,
        registration__status="confirmed",
    )


def door_standby_get(*, slot: SpeedMentoringSlot, standby_id: int) -> DoorStandby:
    return get_object_or_404(
        DoorStandby.objects.select_related("trainee"), pk=standby_id, slot=slot
    )


@dataclass
class AbsentConversation:
    meeting: Meeting
    starts_local: datetime

    @property
    def round(self) -> int:
        return self.meeting.round

    @property
    def table(self) -> int:
        return self.meeting.table

    @property
    def offer(self) -> MentorOffer:
        return self.meeting.offer


@dataclass
class AbsenceAtDoor:
    signup: TraineeSignup
    meetings: list[AbsentConversation]  # the trainee's scheduled conversations
    first_round: int | None  # rounds from this one are offered to the standby line
    standby: int  # people on the line

    @property
    def refilled(self) -> list[AbsentConversation]:
        if self.first_round is None:
            return []
        return [m for m in self.meetings if m.round >= self.first_round]

    @property
    def kept(self) -> list[AbsentConversation]:
        return [m for m in self.meetings if m not in self.refilled]


def door_absence_preview(*, slot: SpeedMentoringSlot, signup: TraineeSignup) -> AbsenceAtDoor:
    """What marking the trainee absent at the door does, read before staff confirm."""
    tz = slot.session.event.tz
    meetings = [
        AbsentConversation(meeting=m, starts_local=slot.round_start(m.round).astimezone(tz))
        for m in Meeting.objects.filter(signup=signup, status=Meeting.Status.SCHEDULED)
        .select_related("offer__mentor")
        .order_by("round")
    ]
    return AbsenceAtDoor(
        signup=signup,
        meetings=meetings,
        first_round=slot.round_not_over(timezone.now()),
        standby=DoorStandby.objects.filter(slot=slot).count(),
    )
