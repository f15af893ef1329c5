"""Times as people read them: in the event's zone, labelled, and in the person's own zone
alongside when it differs. Pure formatting, no queries."""

import zoneinfo
from datetime import datetime, timedelta


def zone_or(name: str, fallback: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return fallback


def when_in(starts_at: datetime, minutes: int, tz: zoneinfo.ZoneInfo) -> str:
    start = starts_at.astimezone(tz)
    end = start + timedelta(minutes=minutes)
    return f"{start:%A, %B %-d, %H:%M}–{end:%H:%M} ({tz.key})"


def when_both(
    starts_at: datetime, minutes: int, *, event_tz: zoneinfo.ZoneInfo, own_tz: zoneinfo.ZoneInfo
) -> str:
    """ "Friday 6 December, 09:00–09:20 (Europe/Paris); 03:00–03:20 event time
    (America/New_York)"; one zone only when the person's is the event's."""
    own = when_in(starts_at, minutes, own_tz)
    if own_tz.key == event_tz.key:
        return own
    start = starts_at.astimezone(event_tz)
    end = start + timedelta(minutes=minutes)
    return f"{own}; {start:%a, %b %-d, %H:%M}–{end:%H:%M} event time ({event_tz.key})"
