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


def agenda_ics(
    *,
    registrations: list[Registration],
    user: User | None = None,
    cancelled: list[Registration] = (),
) -> bytes:
    """Confirmed items, and (`cancelled`) seats in sessions staff cancelled, kept as
    STATUS:CANCELLED with a higher SEQUENCE so calendar apps show the cancellation; a seat
    the person gave up disappears from subscribed calendars.

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
    for registration in [*registrations, *cancelled]:
        is_cancelled = registration.session.cancelled_at is not None
        if registration.status != Registration.Status.CONFIRMED and not is_cancelled:
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
        if is_cancelled:
            description.insert(0, "Cancelled. " + session.cancel_reason)
        item.add("description", "\n\n".join(description).strip())
        item.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
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
    if other.session is None:
        return _plain_item(other, host, now)
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


def session_ics(*, session) -> bytes:
    """One session as a calendar file ("Add to calendar" on its page): the same for everyone,
    in the event's time zone; the UID is the session's, so adding it twice updates it."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    tz = session.event.tz
    calendar = Calendar()
    calendar.add("prodid", "-//Trainee Career Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = VEvent()
    item.add("uid", f"session-{session.pk}@{host}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", session.starts_at.astimezone(tz))
    item.add("dtend", session.ends_at.astimezone(tz))
    item.add("summary", session.title)
    item.add("sequence", session.sequence)
    item.add("last-modified", session.updated_at)
    if session.room_id:
        location = session.room.name
        if session.room.location:
            location += f", {session.room.location}"
        item.add("location", location)
    url = settings.SITE_URL + session.get_absolute_url()
    item.add("url", url)
    description = [session.get_kind_display(), url]
    if session.description:
        description.insert(1, session.description)
    item.add("description", "\n\n".join(description))
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _plain_item(other: CalendarItem, host: str, now) -> VEvent:
    """An item with its own times and URL (not a session): no room, no session page."""
    item = VEvent()
    item.add("uid", f"{other.uid}@{host}")
    item.add("dtstamp", now)
    item.add("dtstart", other.starts_at)
    item.add("dtend", other.ends_at)
    item.add("summary", other.summary)
    item.add("sequence", other.sequence)
    item.add("last-modified", other.last_modified)
    url = settings.SITE_URL + other.url
    item.add("url", url)
    item.add("description", f"{other.description}\n\n{url}" if other.description else url)
    item.add("status", "CONFIRMED")
    return item
