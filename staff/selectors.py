"""Reads for the staff pages: the dashboard (the same few queries for 5 sessions or 500) and
the door's check-in list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import CareerStage, User
from events.door_selectors import standby_line
from events.models import Event, Registration, Session, Standby
from events.rules import no_show_release_opens_at, no_show_release_refusal, walk_in_refusal

Status = Registration.Status
BAR_PERCENT_MAX = 400


@dataclass(frozen=True)
class SessionFill:
    """One published session's seats against what people asked for."""

    session_id: int
    title: str
    kind: str
    starts_at: datetime  # in the event's zone
    room: str
    capacity: int | None  # the session's seats, else its room's; None when neither is known
    confirmed: int
    waitlisted: int
    checked_in: int

    @property
    def wanted(self) -> int:
        return self.confirmed + self.waitlisted

    @property
    def demand(self) -> float | None:
        """People who want a seat per seat; above 1 the session outgrows its room."""
        if not self.capacity:
            return None
        return self.wanted / self.capacity

    @property
    def confirmed_percent(self) -> int:
        """Confirmed people as a share of the seats, for the bar (0 with no seats)."""
        return round(100 * self.confirmed / self.capacity) if self.capacity else 0

    @property
    def wanted_percent(self) -> int:
        return round(100 * self.wanted / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class StageCount:
    label: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    event: Event
    sessions: list[SessionFill]  # highest demand first; sessions without capacity last
    stages: list[StageCount]  # people holding a seat or waitlist place, by career stage
    people: int  # those people, once each

    @property
    def scale(self) -> int:
        """The bars' width in percent of seats: at least 100 (the seats line), wide enough for
        the highest demand up to 400%; a longer bar is cut at the edge (its number is beside it)."""
        return min(BAR_PERCENT_MAX, max([100, *(s.wanted_percent for s in self.sessions)]))

    @property
    def stage_scale(self) -> int:
        return max([1, *(s.count for s in self.stages)])


def _dashboard_sessions(*, event: Event):
    """The event's published sessions, listening sessions left out: they are private."""
    return Session.objects.public().filter(event=event).exclude(kind=Session.Kind.LISTENING)


def _demand_key(fill: SessionFill):
    demand = fill.demand
    return (demand is None, -(demand or 0), -fill.wanted, fill.starts_at, fill.title)


def dashboard_for_event(*, event: Event) -> Dashboard:
    """Fill per session sorted by demand, and the career-stage mix of registered people.
    Two queries whatever the size of the event."""
    rows = (
        _dashboard_sessions(event=event)
        .order_by()
        .values("pk", "title", "kind", "starts_at", "capacity", "room__name", "room__capacity")
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
            waitlisted=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
            checked_in=Count(
                "registrations",
                filter=Q(
                    registrations__status=Status.CONFIRMED,
                    registrations__checked_in_at__isnull=False,
                ),
            ),
        )
    )
    tz = event.tz
    sessions = sorted(
        (
            SessionFill(
                session_id=row["pk"],
                title=row["title"],
                kind=row["kind"],
                starts_at=row["starts_at"].astimezone(tz),
                room=row["room__name"] or "",
                capacity=row["capacity"] if row["capacity"] is not None else row["room__capacity"],
                confirmed=row["confirmed"],
                waitlisted=row["waitlisted"],
                checked_in=row["checked_in"],
            )
            for row in rows
        ),
        key=_demand_key,
    )

    stage_rows = (
        User.objects.filter(
            registrations__session__in=_dashboard_sessions(event=event),
            registrations__status__in=[Status.CONFIRMED, Status.WAITLISTED],
        )
        .order_by()
        .values("profile__career_stage")
        .annotate(n=Count("pk", distinct=True))
    )
    by_stage: dict[str, int] = {}
    for row in stage_rows:  # no profile (None) and no stage given ("") count together
        stage = row["profile__career_stage"] or ""
        by_stage[stage] = by_stage.get(stage, 0) + row["n"]
    stages = [
        StageCount(label=label, count=by_stage.get(value, 0))
        for value, label in CareerStage.choices
    ]
    if by_stage.get("", 0):
        stages.append(StageCount(label="Not given", count=by_stage[""]))
    return Dashboard(
        event=event,
        sessions=sessions,
        stages=stages,
        people=sum(by_stage.values()),
    )


# --- check-in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinCounts:
    checked_in: int
    expected: int


def checkin_session_get(*, session_id: int) -> Session:
    """The session staff check people into (any event, published or not): 404 if none."""
    return get_object_or_404(Session.objects.select_related("event", "room"), pk=session_id)


def checkin_registration_get(*, session: Session, registration_id: int) -> Registration:
    """A confirmed registration of this session; another session's or a waitlisted or
    cancelled one is a 404, so a forged id changes nothing."""
    return get_object_or_404(
        Registration.objects.select_related("user"),
        pk=registration_id,
        session=session,
        status=Registration.Status.CONFIRMED,
    )


def checkin_roster(*, session: Session, q: str = "") -> QuerySet[Registration]:
    """The session's confirmed people by name, narrowed by a name or email fragment."""
    rows = Registration.objects.filter(
        session=session, status=Registration.Status.CONFIRMED
    ).select_related("user", "checked_in_by")
    q = q.strip()
    if q:
        rows = rows.filter(Q(user__name__icontains=q) | Q(user__email__icontains=q))
    return rows.order_by("user__name", "user__email", "pk")


def checkin_counts(*, session: Session) -> CheckinCounts:
    counts = Registration.objects.filter(
        session=session, status=Registration.Status.CONFIRMED
    ).aggregate(
        expected=Count("pk"),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return CheckinCounts(checked_in=counts["checked_in"], expected=counts["expected"])


# --- the door: walk-ins, the standby line, no-show release ----------------------------------

WALK_IN_QUERY_MIN = 2
WALK_IN_RESULTS_MAX = 10


@dataclass(frozen=True)
class WalkInCandidate:
    """An account that matches the walk-in search, with what it holds in the session."""

    user: User
    status: str  # "checked_in", "confirmed", "waitlisted", "standby" or "" (nothing yet)

    @property
    def status_label(self) -> str:
        return {
            "checked_in": "Checked in",
            "confirmed": "Has a seat",
            "waitlisted": "On the online waitlist",
            "standby": "On the standby line",
        }.get(self.status, "")


def walk_in_candidates(*, session: Session, q: str) -> list[WalkInCandidate]:
    """Active accounts whose email is `q`, or whose name or email contains it (at most 10,
    an exact email first); walk-ins need an account. Three queries."""
    q = q.strip()
    if len(q) < WALK_IN_QUERY_MIN:
        return []
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(email__iexact=q) | Q(name__icontains=q) | Q(email__icontains=q))
        .order_by("name", "email", "pk")[: WALK_IN_RESULTS_MAX * 2]
    )
    users.sort(key=lambda u: u.email.casefold() != q.casefold())  # stable: exact email first
    users = users[:WALK_IN_RESULTS_MAX]
    ids = [u.pk for u in users]
    held = {
        r.user_id: ("checked_in" if r.checked_in_at else r.status)
        for r in Registration.objects.active().filter(session=session, user_id__in=ids)
    }
    standby = set(
        Standby.objects.filter(
            session=session, user_id__in=ids, outcome=Standby.Outcome.WAITING
        ).values_list("user_id", flat=True)
    )
    return [
        WalkInCandidate(user=u, status="standby" if u.pk in standby else held.get(u.pk, ""))
        for u in users
    ]


def walk_in_user_get(*, user_id: int) -> User | None:
    """The account staff picked from the search; None when there is no such active one."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def standby_entry_get(*, session: Session, entry_id: int) -> Standby:
    """A person waiting on this session's standby line: another session's, or one seated or
    gone already, is a 404."""
    return get_object_or_404(
        Standby.objects.select_related("user", "session"),
        pk=entry_id,
        session=session,
        outcome=Standby.Outcome.WAITING,
    )


@dataclass(frozen=True)
class DoorState:
    """What the check-in page shows about walk-ins, the standby line and the release; times
    in the event's zone."""

    walkin: str  # the walk-in search as typed
    candidates: list[WalkInCandidate]
    walkin_refusal: str  # why walk-ins cannot be added now, or ""
    seats_free: int | None  # None: no seat limit
    standby: list[tuple[Standby, datetime]]  # (entry, arrived at in the event's zone)
    has_seats_limit: bool
    release_refusal: str  # why the release is not offered now, or ""
    release_opens_at: datetime

    @property
    def walkin_too_short(self) -> bool:
        return 0 < len(self.walkin) < WALK_IN_QUERY_MIN

    @property
    def walkin_searched(self) -> bool:
        return len(self.walkin) >= WALK_IN_QUERY_MIN and not self.walkin_refusal


def door_state(*, session: Session, walkin: str, confirmed: int) -> DoorState:
    """`confirmed`: the seats taken, as the page counted them."""
    tz = session.event.tz
    refusal = walk_in_refusal(session)
    release = no_show_release_refusal(session)
    limited = session.has_seats_limit and session.capacity is not None
    return DoorState(
        walkin=walkin,
        candidates=walk_in_candidates(session=session, q=walkin) if refusal is None else [],
        walkin_refusal=refusal.messages[0] if refusal is not None else "",
        seats_free=max(0, (session.capacity or 0) - confirmed) if limited else None,
        standby=[(e, e.arrived_at.astimezone(tz)) for e in standby_line(session=session)],
        has_seats_limit=session.has_seats_limit,
        release_refusal=release.messages[0] if release is not None else "",
        release_opens_at=no_show_release_opens_at(session).astimezone(tz),
    )
