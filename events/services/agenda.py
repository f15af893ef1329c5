from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import CareerPath
from events.agenda_csv import AgendaRow
from events.agenda_diff import room_clashes, sessions_by_key
from events.models import Event, Room, Session

from .cache import agenda_cache_bump


def _aware(event: Event, day, clock) -> datetime:
    return datetime.combine(day, clock, tzinfo=event.tz)


@transaction.atomic
def event_create(
    *, slug: str, name: str, timezone: str, rows: list[AgendaRow], city: str = ""
) -> Event:
    event = Event(
        slug=slug,
        name=name,
        timezone=timezone,
        city=city,
        starts_on=min(row.day for row in rows),
        ends_on=max(row.day for row in rows),
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def agenda_import(
    *, event: Event, rows: list[AgendaRow], publish: bool = True, check_rooms: bool = False
) -> dict[str, int]:
    """Creates or updates the sessions by key; all rows or none. New sessions are published
    unless `publish` is False (drafts); an updated session keeps its state. With
    `check_rooms` (admin's import) a room holding two sessions at once refuses the file.

    A moved session gets its calendar SEQUENCE bumped so subscribed calendars update.
    """
    paths = {path.slug: path for path in CareerPath.objects.all()}
    rooms = {room.name: room for room in Room.objects.filter(event=event)}
    found = sessions_by_key(event, [r.key for r in rows])
    # of=("self",): the default ordering joins the nullable room, and PostgreSQL refuses
    # FOR UPDATE on the nullable side of an outer join.
    locked = {
        s.pk: s
        for s in Session.objects.select_for_update(of=("self",)).filter(
            pk__in=[s.pk for s in found.values()]
        )
    }
    existing = {key: locked[s.pk] for key, s in found.items()}
    if check_rooms:
        clashes = room_clashes(event, rows, existing)
        if clashes:
            raise ValidationError(clashes)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        room = None
        if row.room:
            room = rooms.get(row.room)
            if room is None:
                room = rooms[row.room] = Room.objects.create(event=event, name=row.room)
        values = {
            "title": row.title,
            "kind": row.kind,
            "starts_at": _aware(event, row.day, row.start),
            "ends_at": _aware(event, row.day, row.end),
            "room": room,
            "capacity": row.capacity,
            "registration_mode": row.registration_mode,
            "audience": row.audience,
            "speakers": row.speakers,
            "description": row.description,
        }
        session = existing.get(row.key)
        if session is None:
            session = Session(event=event, key=row.key, is_published=publish, **values)
            counts["created"] += 1
        else:
            changed = [name for name, value in values.items() if getattr(session, name) != value]
            wanted_paths = sorted(row.career_paths)
            paths_changed = sorted(p.slug for p in session.career_paths.all()) != wanted_paths
            if not changed and not paths_changed:
                counts["unchanged"] += 1
                continue
            if not session.key:  # a hand-made session, exported as "session-<id>"
                session.key = row.key
            if {"starts_at", "ends_at", "room"} & set(changed):
                session.sequence += 1
            for name, value in values.items():
                setattr(session, name, value)
            counts["updated"] += 1
        try:
            session.full_clean(exclude=["event", "career_paths"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(f"line {row.line}: {'; '.join(exc.messages)}") from exc
        session.save()
        session.career_paths.set([paths[slug] for slug in row.career_paths])
    days = [row.day for row in rows]
    if min(days) < event.starts_on or max(days) > event.ends_on:
        event.starts_on = min(event.starts_on, *days)
        event.ends_on = max(event.ends_on, *days)
        event.save(update_fields=["starts_on", "ends_on", "updated_at"])
    agenda_cache_bump(event.pk)
    return counts


@transaction.atomic
def event_agenda_import(
    *,
    slug: str,
    rows: list[AgendaRow],
    create: bool,
    name: str = "",
    timezone: str = "",
    city: str = "",
    publish: bool = True,
) -> tuple[Event, bool, dict[str, int]]:
    """The `import_agenda` use case: the event (made with `create`) and its sessions, or nothing."""
    event = Event.objects.filter(slug=slug).first()
    created = event is None
    if created:
        if not create:
            raise ValidationError(f"no event “{slug}” (use --create to make it)")
        event = event_create(slug=slug, name=name or slug, timezone=timezone, city=city, rows=rows)
    return event, created, agenda_import(event=event, rows=rows, publish=publish)
