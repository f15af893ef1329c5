"""Extension points for apps built on events (mentorship), so that events never imports them:
dependencies point one way. An app registers its hooks in its `AppConfig.ready()`.

- `agenda_section_hooks`: `fn(*, user, profile, registrations) -> AgendaSection | None`, a
  block rendered on "my agenda" after the person's items. `registrations` and `profile` are
  what the page has already read, so a hook can answer without a query when it has nothing
  to show.
- `calendar_hooks`: `fn(*, user, registrations) -> CalendarAdditions`: text appended to the
  description of some of the person's registrations, and calendar items that are not
  registrations (a mentor staffing a speed-mentoring slot).

Each hook costs a fixed number of queries, whatever the size of the agenda.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .models import Session


@dataclass
class AgendaSection:
    template: str
    context: dict


@dataclass
class CalendarItem:
    uid: str  # stable per item; the feed appends "@host"
    session: Session  # times, room and URL come from the session
    summary: str
    description: str
    sequence: int
    last_modified: datetime


@dataclass
class CalendarAdditions:
    notes: dict[int, list[str]] = field(default_factory=dict)  # registration id -> paragraphs
    items: list[CalendarItem] = field(default_factory=list)


agenda_section_hooks: list[Callable[..., AgendaSection | None]] = []
calendar_hooks: list[Callable[..., CalendarAdditions]] = []


def agenda_sections(*, user, profile, registrations: list) -> list[AgendaSection]:
    sections = (
        hook(user=user, profile=profile, registrations=registrations)
        for hook in agenda_section_hooks
    )
    return [section for section in sections if section is not None]


def calendar_additions(*, user, registrations: list) -> CalendarAdditions:
    merged = CalendarAdditions()
    for hook in calendar_hooks:
        extra = hook(user=user, registrations=registrations)
        for pk, paragraphs in extra.notes.items():
            merged.notes.setdefault(pk, []).extend(paragraphs)
        merged.items.extend(extra.items)
    return merged


# --- free places ------------------------------------------------------------------------------
# `free_place_hooks[mode]`: `fn(*, sessions) -> set[int]`, for a registration mode whose room is
# decided outside the session's own seat count (the lunch: table seats per rotation; Blood
# Buddies: whether trainees can still sign up). It gets sessions of that mode that pass the
# events rules (not started, registration not closed, the session's capacity not reached) and
# answers the ids of those where one more person can still get a place, in one query.
free_place_hooks: dict[str, Callable[..., set[int]]] = {}
