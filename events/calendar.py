"""A person's agenda as RFC 5545 iCalendar, built with the icalendar library."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Registration


def agenda_ics(*, registrations: list[Registration]) -> bytes:
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
        item.add("description", "\n\n".join(description))
        item.add("status", "CONFIRMED")
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()
