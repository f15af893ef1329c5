from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import CareerPath

from .models import Event, Session


def event_get_current() -> Event | None:
    """The event people most likely want: the next or running one, else the latest past one."""
    today = timezone.localdate()
    published = Event.objects.filter(is_published=True)
    return (
        published.filter(ends_on__gte=today).order_by("starts_on").first()
        or published.order_by("-ends_on").first()
    )


def event_get(*, slug: str) -> Event:
    return get_object_or_404(Event, slug=slug, is_published=True)


def _session_base_qs(event: Event) -> QuerySet[Session]:
    return (
        Session.objects.filter(event=event, is_published=True)
        .select_related("room", "event")
        .prefetch_related(Prefetch("career_paths", queryset=CareerPath.objects.order_by("order")))
    )


def session_list_for_agenda(
    *,
    event: Event,
    kind: str = "",
    career_path: str = "",
    audience: str = "",
    day: date | None = None,
) -> list[Session]:
    """Published sessions of the event in time order, filtered; the same queries for any size."""
    qs = _session_base_qs(event)
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
    return sessions


def session_get(*, event: Event, pk: int) -> Session:
    return get_object_or_404(_session_base_qs(event), pk=pk)


@dataclass
class TimeSlot:
    starts_at: datetime
    sessions: list[Session] = field(default_factory=list)


@dataclass
class AgendaDay:
    day: date
    slots: list[TimeSlot] = field(default_factory=list)


def agenda_group(*, sessions: list[Session], event: Event) -> list[AgendaDay]:
    """Groups time-ordered sessions by local day, then by local start time."""
    days: list[AgendaDay] = []
    for session in sessions:
        start = session.starts_at.astimezone(event.tz)
        if not days or days[-1].day != start.date():
            days.append(AgendaDay(day=start.date()))
        slots = days[-1].slots
        if not slots or slots[-1].starts_at != start:
            slots.append(TimeSlot(starts_at=start))
        slots[-1].sessions.append(session)
    return days


def event_days(*, event: Event) -> list[date]:
    starts = Session.objects.filter(event=event, is_published=True).values_list(
        "starts_at", flat=True
    )
    return sorted({start.astimezone(event.tz).date() for start in starts})
