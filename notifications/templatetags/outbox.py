"""Filters for email templates; they format, never query."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

register = template.Library()


@register.filter
def until(value: str | datetime) -> str:
    """ "3 hours, 5 minutes" from the moment the email is rendered (so a reminder sent late
    never claims "in 24 hours"); accepts the ISO strings outbox contexts carry."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    if value is None:
        return ""
    return timeuntil(value, timezone.now(), depth=2).replace("\xa0", " ")
