"""How an event's dates read: one date for a one-day event, a range otherwise."""

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def event_dates(event) -> str:
    """ "Friday 6 December 2019"; "6–9 December 2019"; "30 November – 2 December 2019";
    "30 December 2030 – 2 January 2031"."""
    start, end = event.starts_on, event.ends_on
    if start == end:
        return date_format(start, "l j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
