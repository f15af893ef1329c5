"""Times on staff pages, in the event's own zone and labelled with it; they format, never
query (the session's event is selected with it)."""

from django import template

from ..admin_time import session_when as _session_when

register = template.Library()


@register.filter
def session_when(session) -> str:
    """Reads "Fri, Dec 6, 2019, 13:00–14:00 EST"."""
    return _session_when(session)
