"""Formats My agenda's heading; reads only what the view already loaded."""

from django import template

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
