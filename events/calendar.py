"""A person's agenda as RFC 5545 iCalendar, built with the icalendar library."""

import functools

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from accounts.models import User

from .hooks import (
    CalendarAdditions,
    CalendarItem,
    calendar_additions,
    registration_notes_from_apps,
)
from .models import Registration


def registration_notes(
    *, registrations: list[Registration], extra: CalendarAdditions | None = None
) -> dict[int, list[str]]:
    """Per registration, the person's own details of the item: their lunch tables per rotation
    and other apps' additions (Blood Buddies rounds). Used by the calendar and reminders."""
    notes = registration_notes_from_apps(registrations=registrations)
    for registration_id, paragraphs in (extra.notes if extra else {}).items():
        notes.setdefault(registration_id, []).extend(paragraphs)
    return notes


def agenda_ics(*, registrations: list[Registration], user: User | None = None) -> bytes:
    """Confirmed items only: a cancelled or lost seat disappears from subscribed calendars.

    UIDs are stable per registration, SEQUENCE follows the session's, and times carry the
    event's time zone (with its VTIMEZONE), so calendar apps show them correctly anywhere.
    """
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Trainee Career Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "My trainee agenda")
    now = timezone.now()
    # Other apps' additions (Blood Buddies rounds), for a person's whole feed.
    extra = calendar_additions(user=user, registrations=registrations) if user else None
    notes = registration_notes(registrations=registrations, extra=extra)
    for registration in registrations:
        if registration.status != Registration.Status.CONFIRMED:
            continue
        session = registration.session
        tz = session.event.tz
        item = VEvent()
        item.add("uid", f"registration-{registration.pk}@{host}")
        item.add("dtstamp", now)
        item.add("dtstart", session.starts_at.astimezone(tz))
        item.add("dtend", session.ends_at.astimezone(tz))
        item.add("summary", session.title)
        item.add("sequence", session.sequence)
        item.add("last-modified", max(session.updated_at, registration.updated_at))
        if session.room_id:
            item.add("location", session.room.name)
        url = settings.SITE_URL + session.get_absolute_url()
        item.add("url", url)
        description = [session.get_kind_display(), url]
        if session.description:
            description.insert(1, session.description)
        description[1:1] = notes.get(registration.pk, [])
        item.add("description", "\n\n".join(description))
        item.add("status", "CONFIRMED")
        calendar.add_component(item)
    for other in extra.items if extra else []:
        calendar.add_component(_extra_item(other, host, now))
    _add_missing_timezones(calendar)
    return calendar.to_ical()


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    """A zone's VTIMEZONE, built once per process: deriving it from the zone's rules was most
    of the cost of a one-event calendar (every confirmation email carries one, written while
    the session's row is locked). icalendar's own default date range, so the text is the same."""
    return Timezone.from_tzid(tzid)


def _add_missing_timezones(calendar: Calendar) -> None:
    """`Calendar.add_missing_timezones`, with each zone's component reused (never changed)."""
    count = len(calendar.timezones)
    for tzid in calendar.get_missing_tzids():
        try:
            component = _vtimezone(tzid)
        except ValueError:  # a zone icalendar does not know: left out, as icalendar does
            continue
        calendar.subcomponents.insert(count, component)
        count += 1


def _extra_item(other: CalendarItem, host: str, now) -> VEvent:
    session, tz = other.session, other.session.event.tz
    item = VEvent()
    item.add("uid", f"{other.uid}@{host}")
    item.add("dtstamp", now)
    item.add("dtstart", session.starts_at.astimezone(tz))
    item.add("dtend", session.ends_at.astimezone(tz))
    item.add("summary", other.summary)
    item.add("sequence", other.sequence)
    item.add("last-modified", other.last_modified)
    if session.room_id:
        item.add("location", session.room.name)
    url = settings.SITE_URL + session.get_absolute_url()
    item.add("url", url)
    item.add("description", f"{other.description}\n\n{url}")
    item.add("status", "CONFIRMED")
    return item
