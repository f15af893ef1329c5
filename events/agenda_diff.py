"""What an agenda CSV would do to an event, before anything is written: the preview staff
see in admin (new, changed field by field, unchanged, bad lines), and the checks that need
the event (a room holding two sessions at once). `agenda_import` asks the same checks, so the
command and admin refuse the same files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .agenda_csv import AgendaRow
from .models import Event, Session

# Columns compared, in the CSV's order, with the labels a preview shows.
FIELDS = [
    "title", "kind", "starts_at", "ends_at", "room", "capacity", "registration_mode",
    "audience", "career_paths", "speakers", "description",
]  # fmt: skip


def row_moments(event: Event, row: AgendaRow) -> tuple[datetime, datetime]:
    return (
        datetime.combine(row.day, row.start, tzinfo=event.tz),
        datetime.combine(row.day, row.end, tzinfo=event.tz),
    )


def row_fields(event: Event, row: AgendaRow) -> dict:
    starts_at, ends_at = row_moments(event, row)
    return {
        "title": row.title,
        "kind": row.kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room": row.room,
        "capacity": row.capacity,
        "registration_mode": row.registration_mode,
        "audience": list(row.audience),
        "career_paths": sorted(row.career_paths),
        "speakers": list(row.speakers),
        "description": row.description,
    }


def session_fields(session: Session) -> dict:
    return {
        "title": session.title,
        "kind": session.kind,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room": session.room.name if session.room is not None else "",
        "capacity": session.capacity,
        "registration_mode": session.registration_mode,
        "audience": list(session.audience),
        "career_paths": sorted(p.slug for p in session.career_paths.all()),
        "speakers": list(session.speakers),
        "description": session.description,
    }


def sessions_by_key(event: Event, keys: list[str]) -> dict[str, Session]:
    """The event's sessions that rows with these keys update."""
    by_id = {
        int(key.removeprefix("session-")): key
        for key in keys
        if key.startswith("session-") and key.removeprefix("session-").isdigit()
    }
    found = (
        Session.objects.filter(event=event)
        .filter(key__in=keys)
        .select_related("room")
        .prefetch_related("career_paths")
    )
    sessions = {session.key: session for session in found}
    for session in (
        Session.objects.filter(event=event, key="", pk__in=by_id)
        .select_related("room")
        .prefetch_related("career_paths")
    ):
        sessions.setdefault(by_id[session.pk], session)
    return sessions


def room_clashes(event: Event, rows: list[AgendaRow], updated: dict[str, Session]) -> list[str]:
    """A room holds one session at a time: rows that overlap each other in a room, or overlap
    a session of the event that the file leaves as it is."""
    taken: dict[str, list[tuple[datetime, datetime, str]]] = {}
    kept_ids = {session.pk for session in updated.values()}
    others = (
        Session.objects.filter(event=event, room__isnull=False)
        .exclude(pk__in=kept_ids)
        .select_related("room")
    )
    for session in others:
        if session.room is None:
            continue
        taken.setdefault(session.room.name, []).append(
            (
                session.starts_at,
                session.ends_at,
                f"“{session.title}”, which the file leaves as it is",
            )
        )
    problems = []
    for row in sorted(rows, key=lambda r: r.line):
        if not row.room:
            continue
        start, end = row_moments(event, row)
        for other_start, other_end, what in taken.get(row.room, []):
            if start < other_end and other_start < end:
                problems.append(
                    f"line {row.line}: room “{row.room}” is taken at that time by {what}"
                )
                break
        taken.setdefault(row.room, []).append((start, end, f"line {row.line} (“{row.title}”)"))
    return problems


@dataclass
class Change:
    row: AgendaRow
    session: Session
    fields: list[tuple[str, object, object]]  # (field, old, new)


@dataclass
class AgendaPreview:
    new: list[AgendaRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[AgendaRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def agenda_preview(*, event: Event, rows: list[AgendaRow]) -> AgendaPreview:
    preview = AgendaPreview()
    existing = sessions_by_key(event, [row.key for row in rows])
    preview.problems = room_clashes(event, rows, existing)
    for row in rows:
        session = existing.get(row.key)
        if session is None:
            preview.new.append(row)
            continue
        before, after = session_fields(session), row_fields(event, row)
        diffs = [
            (name, before[name], after[name]) for name in FIELDS if before[name] != after[name]
        ]
        if diffs:
            preview.changed.append(Change(row, session, diffs))
        else:
            preview.unchanged.append(row)
    return preview
