"""How an event's dates read: one date for a one-day event, a range otherwise."""

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def event_dates(event) -> str:
    """ "Friday, December 6, 2019"; "December 6–9, 2019"; "November 30 – December 2, 2019";
    "December 30, 2030 – January 2, 2031"."""
    start, end = event.starts_on, event.ends_on
    if start == end:
        return date_format(start, "l, F j, Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'F j')}–{end.day}, {end.year}"
    if start.year == end.year:
        return f"{date_format(start, 'F j')} – {date_format(end, 'F j, Y')}"
    return f"{date_format(start, 'F j, Y')} – {date_format(end, 'F j, Y')}"
