"""Admin pages of anything that belongs to an event read and take times in the event's own
time zone, labelled "Orlando time (America/New_York)".

An admin names the way from its model to the event (`event_path = "session__event"`); the
mixins find the event of the object shown, of the one chosen in the form being posted (an
add form uses the zone of the event picked there), or the only zone the events use. The
mechanism itself is `config/admin_time.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfoNotFoundError

from django.core.exceptions import ObjectDoesNotExist, ValidationError

from config.admin_time import (
    UTC,
    UTC_ZONE,
    AdminZone,
    ZoneAdminMixin,
    ZoneInlineMixin,
    format_span,
    format_span_html,
)

from .models import Event, Session


def event_zone(event: Event) -> AdminZone:
    place = event.city or "Event"
    return AdminZone(tz=event.tz, label=f"{place} time ({event.timezone})")


def zone_named(name: str, *, city: str = "") -> AdminZone | None:
    """The zone of an event that is being typed in (its form's `timezone` and `city`)."""
    try:
        return event_zone(Event(timezone=name, city=city))
    # Not a zone (a folder such as "America" or a name too long for a file is an OSError):
    # the form says so on the field.
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return None


def shared_zone(events: Iterable[Event] | None = None) -> AdminZone | None:
    """The zone every event uses, when they agree (one event: its own, with its city)."""
    events = list(Event.objects.only("timezone", "city") if events is None else events)
    zones = {event.timezone for event in events}
    if len(zones) != 1:
        return None
    if len(events) == 1:
        return event_zone(events[0])
    (name,) = zones
    return AdminZone(tz=events[0].tz, label=f"Event time ({name})")


def choose_event_zone() -> AdminZone:
    """An add form before an event is chosen: the shared zone, else a label naming them all."""
    events = list(Event.objects.only("name", "timezone", "city").order_by("-starts_on"))
    zone = shared_zone(events)
    if zone is not None:
        return zone
    if not events:
        return UTC_ZONE
    zones = "; ".join(f"{event.name}: {event.timezone}" for event in events)
    return AdminZone(tz=UTC, label=f"In the time zone of the event you choose ({zones})")


def session_when(session: Session) -> str:
    """Reads "Fri, Dec 6, 2019, 13:00–14:00 EST" in the session's event's zone."""
    return format_span(session.starts_at, session.ends_at, session.event.tz)


def session_when_html(session: Session) -> str:
    return format_span_html(session.starts_at, session.ends_at, session.event.tz)


def event_along(obj, path: str) -> Event | None:
    """The event `obj` reaches along `path` ("session__event"; "" when obj is the event)."""
    for step in filter(None, path.split("__")):
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return obj if isinstance(obj, Event) else None


class EventZoneMixin:
    """`row_zone` of an object that reaches its event along `event_path` ("" = the event)."""

    event_path = "event"

    def event_of(self, obj) -> Event | None:
        return event_along(obj, self.event_path)

    def row_zone(self, obj) -> dt.tzinfo:
        event = self.event_of(obj)
        return event.tz if event is not None else UTC


class EventZoneAdmin(EventZoneMixin, ZoneAdminMixin):
    """A ModelAdmin of event-owned rows: pages in the event's zone, lists in the zone of the
    event filtered on (or the one all events share)."""

    def event_chosen(self, request) -> Event | None:
        """The event picked in the posted form (or preset by ?field=id on an add form)."""
        first, _, rest = self.event_path.partition("__")
        data = request.POST if request.method == "POST" else request.GET
        value = data.get(first)
        if not first or not value:
            return None
        related = self.model._meta.get_field(first).related_model
        try:
            chosen = related._default_manager.get(pk=value)
        except (ObjectDoesNotExist, ValueError, ValidationError):
            return None
        return event_along(chosen, rest)

    def page_zone(self, request, obj) -> AdminZone:
        event = self.event_chosen(request) or (self.event_of(obj) if obj is not None else None)
        if event is not None:
            return event_zone(event)
        return choose_event_zone()

    def list_zone(self, request) -> AdminZone:
        key = f"{self.event_path}__id__exact" if self.event_path else "id__exact"
        event_id = request.GET.get(key)
        if event_id:
            event = Event.objects.filter(pk=event_id).first() if event_id.isdigit() else None
            if event is not None:
                return event_zone(event)
        return shared_zone() or UTC_ZONE

    def changelist_view(self, request, extra_context=None):
        if self.date_hierarchy and self.list_zone(request) is UTC_ZONE and Event.objects.exists():
            # Events in several zones: each row names its own, but the day links above the
            # list can only count days in one.
            extra_context = {
                "subtitle": "The events use several time zones: the day links count UTC days. "
                "Filter by event to count that event's days.",
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)


class EventZoneInline(EventZoneMixin, ZoneInlineMixin):
    pass
