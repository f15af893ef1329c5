"""Reads for the dashboard's charts beyond seats against demand: waitlists, registrations per
day, interests against what the program offers, Blood Buddies coverage, the lunch's rotations
and catering, and attendance. Counts only, never a name; listening sessions are never among
the dashboard's sessions. The same number of queries for 5 sessions or 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from accounts.models import TRAINEE_STAGES, CareerPath, Profile
from accounts.selectors import approved_mentor_q
from events.lunch.selectors import lunch_dietary_needs
from events.models import LunchRotation, LunchTable, Registration, Session, TableSeat
from mentorship.models import Meeting, MentorOffer, ParticipationStatus, TraineeSignup

from .selectors import Dashboard, SessionFill

Status = Registration.Status


def _percent(value: int | float, scale: int | float) -> int:
    """A bar's length in percent of the chart's widest; at least 1 for a value above zero, so a
    small number still shows."""
    if not scale or value <= 0:
        return 0
    return max(1, round(100 * value / scale))


@dataclass(frozen=True)
class DayCount:
    day: date  # in the event's zone
    count: int  # places taken that day still held (seats and waitlist places)
    total: int  # held places taken up to and including that day
    percent: int  # of the busiest day

    @property
    def y(self) -> int:
        """The bar's top in the chart (100 high, drawn from the bottom)."""
        return 100 - self.percent


@dataclass(frozen=True)
class PathSupply:
    """One career path: trainees interested in it against what the program offers on it."""

    name: str
    interested: int
    sessions: int
    tables: int
    mentors: int
    places: int | None  # seats, lunch seats and conversations on the path; None: no limit
    interested_percent: int
    places_percent: int

    @property
    def is_short(self) -> bool:
        return self.places is not None and self.places < self.interested


@dataclass(frozen=True)
class CoverageCount:
    conversations: int
    trainees: int
    percent: int


@dataclass(frozen=True)
class RotationFill:
    session_title: str
    number: int
    starts_at: datetime  # in the event's zone
    seats: int
    confirmed: int
    waitlisted: int

    @property
    def confirmed_percent(self) -> int:
        return _percent(self.confirmed, self.seats)

    @property
    def is_full(self) -> bool:
        return self.seats > 0 and self.confirmed >= self.seats


@dataclass(frozen=True)
class Catering:
    session_title: str
    meals: int  # everyone with the lunch on their agenda, seated at a table or not
    needs: list[tuple[str, int]]  # dietary needs as people typed them, most frequent first


@dataclass(frozen=True)
class Attendance:
    label: str
    confirmed: int
    checked_in: int

    @property
    def rate(self) -> int:
        """Checked in per confirmed place, in percent."""
        return round(100 * self.checked_in / self.confirmed) if self.confirmed else 0

    @property
    def no_show_rate(self) -> int:
        return 100 - self.rate if self.confirmed else 0


@dataclass(frozen=True)
class DashboardCharts:
    waitlists: list[SessionFill]  # sessions with a waitlist, longest first
    waitlist_scale: int
    days: list[DayCount]  # first to last day with a new place, days without one included
    paths: list[PathSupply]
    coverage: list[CoverageCount]  # trainees by number of conversations: 0, 1, 2 …
    coverage_trainees: int
    rotations: list[RotationFill]
    catering: list[Catering] | None  # None: the viewer may not see catering needs
    attendance_sessions: list[Attendance]  # started sessions with confirmed people
    attendance_kinds: list[Attendance]

    @property
    def has_check_in(self) -> bool:
        return any(row.checked_in for row in self.attendance_sessions)

    @property
    def days_total(self) -> int:
        return self.days[-1].total if self.days else 0


def _waitlists(sessions: list[SessionFill]) -> tuple[list[SessionFill], int]:
    waiting = sorted(
        (s for s in sessions if s.waitlisted),
        key=lambda s: (-s.waitlisted, s.starts_at, s.title),
    )
    return waiting, max([1, *(s.waitlisted for s in waiting)])


def _days(*, dashboard: Dashboard, session_ids: list[int]) -> list[DayCount]:
    """Held places by the day they were taken, in the event's zone (one query)."""
    rows = (
        Registration.objects.active()
        .filter(session_id__in=session_ids)
        .annotate(day=TruncDate("created_at", tzinfo=dashboard.event.tz))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    per_day = {row["day"]: row["n"] for row in rows}
    if not per_day:
        return []
    busiest = max(per_day.values())
    days, total = [], 0
    day, last = min(per_day), max(per_day)
    while day <= last:
        count = per_day.get(day, 0)
        total += count
        days.append(DayCount(day=day, count=count, total=total, percent=_percent(count, busiest)))
        day += timedelta(days=1)
    return days


def _paths(
    *,
    fills: dict[int, SessionFill],
    tables: Sequence[Mapping[str, Any]],
    rotations_per_lunch: Counter[int],
    offers: Sequence[Mapping[str, Any]],
) -> list[PathSupply]:
    """Per career path: registered trainees interested in it (once each), and the sessions,
    lunch tables and approved mentors on it with the places they give."""
    session_ids = list(fills)
    holders = Registration.objects.active().filter(session_id__in=session_ids).values("user_id")
    interested = dict(
        Profile.interests.through.objects.filter(
            profile__user_id__in=holders, profile__career_stage__in=TRAINEE_STAGES
        )
        .order_by()
        .values_list("careerpath_id")
        .annotate(n=Count("profile_id", distinct=True))
    )
    tagged = Session.career_paths.through.objects.filter(session_id__in=session_ids).values_list(
        "careerpath_id", "session_id"
    )
    sessions: Counter[int] = Counter()
    places: Counter[int] = Counter()
    unlimited: set[int] = set()
    lunch_ids = {row["session_id"] for row in tables}
    mentoring_ids = {row["slot__session_id"] for row in offers}
    for path_id, session_id in tagged:
        if session_id in lunch_ids or session_id in mentoring_ids:
            continue  # counted below by their tables and mentors
        fill = fills[session_id]
        sessions[path_id] += 1
        if fill.capacity is None:
            unlimited.add(path_id)
        else:
            places[path_id] += fill.capacity
    table_count: Counter[int] = Counter()
    for row in tables:
        table_count[row["career_path_id"]] += 1
        places[row["career_path_id"]] += row["seats"] * max(
            1, rotations_per_lunch[row["session_id"]]
        )
    mentors: dict[int, set[int]] = {}
    for row in offers:
        path_id = row["mentor__profile__expertise"]
        if path_id is None:
            continue
        mentors.setdefault(path_id, set()).add(row["mentor_id"])
        places[path_id] += row["capacity"] * row["slot__rounds"]
    paths = list(CareerPath.objects.order_by("order", "name").values_list("pk", "name"))
    scale = max([1, *interested.values(), *(places[pk] for pk, _ in paths)])
    return [
        PathSupply(
            name=name,
            interested=interested.get(pk, 0),
            sessions=sessions[pk],
            tables=table_count[pk],
            mentors=len(mentors.get(pk, ())),
            places=None if pk in unlimited else places[pk],
            interested_percent=_percent(interested.get(pk, 0), scale),
            places_percent=100 if pk in unlimited else _percent(places[pk], scale),
        )
        for pk, name in paths
    ]


def _coverage(*, session_ids: list[int]) -> tuple[list[CoverageCount], int]:
    """Trainees signed up (not withdrawn or absent) to a published Blood Buddies schedule, by
    the number of conversations they got across the event's slots."""
    per_trainee = (
        TraineeSignup.objects.filter(
            slot__session_id__in=session_ids,
            slot__published_at__isnull=False,
            status=ParticipationStatus.ACTIVE,
        )
        .order_by()
        .values("trainee_id")
        .annotate(
            n=Count("meetings", filter=Q(meetings__status=Meeting.Status.SCHEDULED), distinct=True)
        )
    )
    spread = Counter(row["n"] for row in per_trainee)
    if not spread:
        return [], 0
    most = max(spread.values())
    return [
        CoverageCount(conversations=n, trainees=spread[n], percent=_percent(spread[n], most))
        for n in range(max(spread) + 1)
    ], sum(spread.values())


def _attendance(sessions: list[SessionFill], *, now: datetime) -> tuple[list, list]:
    """Checked in per confirmed place for sessions that have started."""
    started = sorted(
        (s for s in sessions if s.starts_at <= now and s.confirmed),
        key=lambda s: (s.starts_at, s.title),
    )
    per_session = [
        Attendance(label=s.title, confirmed=s.confirmed, checked_in=s.checked_in) for s in started
    ]
    confirmed: Counter[str] = Counter()
    checked_in: Counter[str] = Counter()
    for s in started:
        confirmed[s.kind] += s.confirmed
        checked_in[s.kind] += s.checked_in
    per_kind = [
        Attendance(label=label, confirmed=confirmed[value], checked_in=checked_in[value])
        for value, label in Session.Kind.choices
        if confirmed[value]
    ]
    return per_session, per_kind


def dashboard_charts(
    *, dashboard: Dashboard, now: datetime, show_catering: bool
) -> DashboardCharts:
    """Everything the page draws besides seats against demand, for the dashboard's sessions.
    `show_catering` only for holders of `events.view_catering_needs` (people's dietary needs,
    as counts)."""
    fills = {s.session_id: s for s in dashboard.sessions}
    session_ids = list(fills)
    tz = dashboard.event.tz

    tables = list(
        LunchTable.objects.filter(session_id__in=session_ids)
        .order_by()
        .values("session_id", "career_path_id", "seats")
    )
    seats_per_lunch: Counter[int] = Counter()
    for row in tables:
        seats_per_lunch[row["session_id"]] += row["seats"]
    rotation_rows = list(
        LunchRotation.objects.filter(session_id__in=session_ids)
        .order_by()
        .values("session_id", "number", "starts_at")
        .annotate(
            confirmed=Count(
                "table_seats", filter=Q(table_seats__status=TableSeat.Status.CONFIRMED)
            ),
            waitlisted=Count(
                "table_seats", filter=Q(table_seats__status=TableSeat.Status.WAITLISTED)
            ),
        )
    )
    rotations_per_lunch = Counter(row["session_id"] for row in rotation_rows)
    rotations = sorted(
        (
            RotationFill(
                session_title=fills[row["session_id"]].title,
                number=row["number"],
                starts_at=row["starts_at"].astimezone(tz),
                seats=seats_per_lunch[row["session_id"]],
                confirmed=row["confirmed"],
                waitlisted=row["waitlisted"],
            )
            for row in rotation_rows
        ),
        key=lambda r: (r.starts_at, r.session_title, r.number),
    )
    offers = list(
        MentorOffer.objects.filter(
            approved_mentor_q("mentor__"),
            slot__session_id__in=session_ids,
            status=ParticipationStatus.ACTIVE,
        )
        .order_by()
        .values(
            "mentor_id",
            "capacity",
            "slot__rounds",
            "slot__session_id",
            "mentor__profile__expertise",
        )
    )

    catering = None
    if show_catering:
        lunch_ids = sorted(
            {row["session_id"] for row in tables} | set(rotations_per_lunch),
            key=lambda pk: (fills[pk].starts_at, fills[pk].title),
        )
        needs = lunch_dietary_needs(session_ids=lunch_ids) if lunch_ids else {}
        catering = [
            Catering(session_title=fills[pk].title, meals=needs[pk][0], needs=needs[pk][1])
            for pk in lunch_ids
        ]

    waitlists, waitlist_scale = _waitlists(dashboard.sessions)
    coverage, coverage_trainees = _coverage(session_ids=session_ids)
    per_session, per_kind = _attendance(dashboard.sessions, now=now)
    return DashboardCharts(
        waitlists=waitlists,
        waitlist_scale=waitlist_scale,
        days=_days(dashboard=dashboard, session_ids=session_ids),
        paths=_paths(
            fills=fills, tables=tables, rotations_per_lunch=rotations_per_lunch, offers=offers
        ),
        coverage=coverage,
        coverage_trainees=coverage_trainees,
        rotations=rotations,
        catering=catering,
        attendance_sessions=per_session,
        attendance_kinds=per_kind,
    )
