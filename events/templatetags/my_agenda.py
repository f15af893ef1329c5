"""Formats My agenda's heading; reads only what the view already loaded."""

from django import template

from events import timeline

register = template.Library()


@register.filter
def agenda_events(days) -> list:
    """The events of the items on My agenda (days → time slots → registrations or sessions),
    each once, in the order they first appear."""
    events = {}
    for day in days:
        for slot in day.slots:
            for item in slot.items:
                session = getattr(item, "session", item)
                events.setdefault(session.event_id, session.event)
    return list(events.values())


@register.filter
def day_timeline(agenda_day) -> list:
    """The day's registrations in time order with the free time between them (a Gap entry)."""
    return timeline.day_timeline(
        (item for slot in agenda_day.slots for item in slot.items),
        start=lambda item: getattr(item, "session", item).local_start(),
        end=lambda item: getattr(item, "session", item).local_end(),
    )


@register.filter
def day_zones(agenda_day) -> str:
    """The time zones the day's items are shown in: 'Orlando time (America/New_York)'."""
    return ", ".join(
        f"{event.city} time ({event.timezone})" if event.city else event.timezone
        for event in agenda_events([agenda_day])
    )
