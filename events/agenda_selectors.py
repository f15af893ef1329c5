"""Reads behind the agenda page's ways of looking: search, "For you", the day tabs, the
"now" marker and the rooms × time grid. They work on the session list the agenda already
read (and cached), so none of them adds a query per session; the person's interests cost
one query."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from accounts.selectors import profile_interests_for_user

from .agenda_grid import Grid, grid_build
from .for_you import Match, for_you_match, for_you_rank
from .models import Event, Session
from .selectors import AgendaDay, agenda_group

SEARCH_MAX_CHARS = 80
SEARCH_MAX_WORDS = 8
FOR_YOU_PICKS = 5


def search_normalise(raw: str) -> str:
    """The search term as the page applies it (and the cache would see it): Unicode NFKC,
    case folded, control characters dropped, words separated by one space, at most
    `SEARCH_MAX_WORDS` words and `SEARCH_MAX_CHARS` characters."""
    text = unicodedata.normalize("NFKC", (raw or "")[: SEARCH_MAX_CHARS * 25]).casefold()
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    words = text.split()[:SEARCH_MAX_WORDS]
    return " ".join(words)[:SEARCH_MAX_CHARS].strip()


def _haystack(session: Session) -> str:
    parts = [
        session.title,
        session.description,
        *(session.speakers or []),
        *getattr(session, "career_path_names", []),
    ]
    return unicodedata.normalize("NFKC", " ".join(parts)).casefold()


def sessions_search(*, sessions: list[Session], term: str) -> list[Session]:
    """Sessions whose title, speakers, description or career paths hold every word of the
    (normalised) term."""
    words = term.split()
    if not words:
        return sessions
    return [s for s in sessions if all(word in _haystack(s) for word in words)]


@dataclass(frozen=True)
class Interests:
    stage: str  # "" when the person has not said
    paths: dict[str, str]  # slug -> name, in the taxonomy's order

    @property
    def is_known(self) -> bool:
        return bool(self.stage or self.paths)


NO_INTERESTS = Interests(stage="", paths={})


def interests_for_user(user) -> Interests:
    """The person's career stage and interests from their profile (cached by accounts)."""
    if not user.is_authenticated:
        return NO_INTERESTS
    stage, paths = profile_interests_for_user(user=user)
    return Interests(stage=stage, paths=paths)


def sessions_annotate_for_you(*, sessions: list[Session], interests: Interests) -> None:
    """Adds `for_you` (a `for_you.Match`) to each session."""
    for session in sessions:
        session.for_you = for_you_match(  # type: ignore[attr-defined]  # a page annotation
            paths=getattr(session, "career_path_slugs", []),
            audience=session.audience or [],
            stage=interests.stage,
            interests=interests.paths,
        )


def for_you_order(*, items: list, user, paths: Callable[[Any], list[str]]) -> list:
    """Lunch tables, mentors or anything else with career paths, best for the person first
    (ties in the order given), each with `for_you` (a `for_you.Match`). Open to everyone:
    only interests count. Anonymous visitors get the items as they came."""
    interests = interests_for_user(user)
    for item in items:
        item.for_you = for_you_match(
            paths=paths(item), audience=[], stage=interests.stage, interests=interests.paths
        )
    if not interests.paths:
        return list(items)
    return [item for item, _ in for_you_rank(items, match=lambda item: item.for_you)]


def sessions_for_you_picks(
    *, sessions: list, now: datetime | None = None, match: Callable[[Any], Match] | None = None
) -> list:
    """The best few sessions for the person that have not started, best first (sessions
    annotated by `sessions_annotate_for_you`, or `match` giving each one's `for_you.Match`)."""
    now = now or timezone.now()
    upcoming = [s for s in sessions if s.starts_at > now]
    ranked = for_you_rank(upcoming, match=match or (lambda s: s.for_you))
    return [s for s, match in ranked if match.is_open and match.score > 0][:FOR_YOU_PICKS]


def event_local_now(event: Event, now: datetime | None = None) -> datetime | None:
    """Now in the event's zone while the event runs (by its own calendar), else None."""
    local = (now or timezone.now()).astimezone(event.tz)
    if event.starts_on <= local.date() <= event.ends_on:
        return local
    return None


def agenda_day_chosen(*, days: list[date], local_now: datetime | None) -> date | None:
    """The day the agenda opens on: today while the event runs, else the first day."""
    if local_now is not None and local_now.date() in days:
        return local_now.date()
    return days[0] if days else None


def agenda_mark_now(*, days: list[AgendaDay], local_now: datetime | None) -> None:
    """While the event runs, on today's agenda: marks each time slot `is_now` (a session in
    it is running), puts `now_before` on the first slot that starts after now (the page
    draws its "now" line there), and splits the day into `earlier` (slots whose sessions
    have all ended, folded away on the page) and `slots_ahead` (the rest)."""
    for agenda_day in days:
        agenda_day.is_today = local_now is not None and agenda_day.day == local_now.date()
        agenda_day.earlier = []
        agenda_day.slots_ahead = agenda_day.slots
        agenda_day.has_now_anchor = False
        for slot in agenda_day.slots:
            slot.is_now = False
            slot.now_before = False
            slot.is_anchor = False
        if not agenda_day.is_today or local_now is None:
            continue
        for slot in agenda_day.slots:
            slot.is_now = any(s.starts_at <= local_now < s.ends_at for s in slot.sessions)
        agenda_day.earlier = [
            slot for slot in agenda_day.slots if all(s.ends_at <= local_now for s in slot.sessions)
        ]
        agenda_day.slots_ahead = [s for s in agenda_day.slots if s not in agenda_day.earlier]
        upcoming = [slot for slot in agenda_day.slots_ahead if slot.starts_at > local_now]
        if upcoming:
            upcoming[0].now_before = True
        # Where the page's "Now" link lands: the first running slot, else the next one.
        running = [slot for slot in agenda_day.slots_ahead if slot.is_now]
        anchor = running[0] if running else (upcoming[0] if upcoming else None)
        if anchor is not None:
            anchor.is_anchor = True
            agenda_day.has_now_anchor = True


def agenda_grid_for_day(*, agenda_day: AgendaDay, event: Event, local_now) -> Grid:
    sessions = [s for slot in agenda_day.slots for s in slot.sessions]
    return grid_build(
        sessions,
        start=lambda s: s.starts_at.astimezone(event.tz),
        end=lambda s: s.ends_at.astimezone(event.tz),
        column=lambda s: s.room.name if s.room_id else "",
        now=local_now,
    )


@dataclass
class AgendaArrangement:
    """What the agenda page shows of its sessions for one person and one way of looking."""

    days: list[AgendaDay]
    picks: list[Session]  # the best few for the person (empty: nothing known about them)
    interests: Interests
    local_now: datetime | None  # now in the event's zone while it runs
    session_count: int


def agenda_arrange(
    *, sessions: list[Session], event: Event, user, for_you: bool, view: str
) -> AgendaArrangement:
    """Marks "For you" (and keeps only those sessions when asked), groups by day and time,
    chooses the day the page opens on, marks "now" and lays out the rooms grid."""
    interests = interests_for_user(user)
    sessions_annotate_for_you(sessions=sessions, interests=interests)
    picks = sessions_for_you_picks(sessions=sessions) if interests.is_known else []
    if for_you and interests.is_known:
        sessions = [s for s in sessions if s.for_you.score > 0]  # type: ignore[attr-defined]
    days = agenda_group(sessions=sessions, event=event)
    local_now = event_local_now(event)
    agenda_mark_now(days=days, local_now=local_now)
    chosen = agenda_day_chosen(days=[d.day for d in days], local_now=local_now)
    for agenda_day in days:
        agenda_day.is_chosen = agenda_day.day == chosen
        if view == "grid":
            agenda_day.grid = agenda_grid_for_day(
                agenda_day=agenda_day, event=event, local_now=local_now
            )
    return AgendaArrangement(
        days=days,
        picks=picks,
        interests=interests,
        local_now=local_now,
        session_count=len(sessions),
    )
