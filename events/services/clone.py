"""Cloning an event to next year: its program as drafts, none of its people.

Copied: the event's settings, its rooms, its sessions (shifted to the new dates and kept as
drafts, with their career paths) and whatever the apps built on events attach to a session
(lunch rotations and tables with their hosts, Blood Buddies slot settings) through
`hooks.session_clone_hooks`. Never copied: registrations, table seats, sign-ups, matchings,
meetings, feedback, emails.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from config.audit import audit_record
from events import hooks
from events.models import Event, Room, Session

Shift = Callable[[datetime], datetime]


def clone_shift(*, source: Event, starts_on: date) -> Shift:
    """Moves a moment by whole days, keeping its wall-clock time in the event's zone (a 10:00
    session stays at 10:00 across a daylight-saving change)."""
    days = timedelta(days=(starts_on - source.starts_on).days)
    tz = source.tz

    def shift(moment: datetime) -> datetime:
        local = moment.astimezone(tz).replace(tzinfo=None) + days
        return local.replace(tzinfo=tz)

    return shift


def _maybe(shift: Shift, moment: datetime | None) -> datetime | None:
    return None if moment is None else shift(moment)


@transaction.atomic
def event_clone(*, source: Event, slug: str, name: str, starts_on: date, by=None) -> Event:
    """A draft copy of `source` starting on `starts_on`, with a draft copy of its program."""
    if Event.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"An event with the slug “{slug}” exists already."})
    shift = clone_shift(source=source, starts_on=starts_on)
    event = Event(
        slug=slug,
        name=name,
        timezone=source.timezone,
        city=source.city,
        venue=source.venue,
        starts_on=starts_on,
        ends_on=starts_on + (source.ends_on - source.starts_on),
        description=source.description,
        is_published=False,
        registration_opens_at=_maybe(shift, source.registration_opens_at),
        registration_closes_at=_maybe(shift, source.registration_closes_at),
        reminder_offsets=list(source.reminder_offsets),
    )
    event.full_clean()
    event.save()
    rooms = {
        room.pk: Room.objects.create(event=event, name=room.name, location=room.location)
        for room in source.rooms.all()
    }
    sessions = source.sessions.prefetch_related("career_paths").order_by("starts_at", "pk")
    for session in sessions:
        copy = Session.objects.create(
            event=event,
            key=session.key,
            title=session.title,
            kind=session.kind,
            starts_at=shift(session.starts_at),
            ends_at=shift(session.ends_at),
            room=rooms[session.room_id] if session.room_id else None,
            capacity=session.capacity,
            registration_mode=session.registration_mode,
            audience=list(session.audience),
            speakers=list(session.speakers),
            description=session.description,
            is_published=False,
            registration_opens_at=_maybe(shift, session.registration_opens_at),
            registration_closes_at=_maybe(shift, session.registration_closes_at),
        )
        copy.career_paths.set(session.career_paths.all())
        for hook in hooks.session_clone_hooks:
            hook(source=session, copy=copy, shift=shift)
    audit_record(user=by, obj=event, added=True, message=f"Cloned from “{source}” ({source.slug}).")
    audit_record(user=by, obj=source, message=f"Cloned to “{event}” ({event.slug}).")
    return event
