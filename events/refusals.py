"""Refusals: a rule said no. A `Refusal` is a `ValidationError` with a message for the person
and a code from an enum, so pages decide how to show it by code rather than by string, and
`refusal_message` is the one place that turns any refusal into the page's message (events,
the lunch, Blood Buddies). An app built on events keeps its own enum of codes
(`events/lunch/refusals.py`, `mentorship/refusals.py`)."""

from enum import StrEnum

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class Code(StrEnum):
    """Why events refused. Values are the codes pages and tests have always read
    (`exc.code == "clash"` holds: a StrEnum is its value)."""

    UNPUBLISHED = "unpublished"
    STARTED = "started"
    CANCELLED = "cancelled"
    UNVERIFIED = "unverified"
    WINDOW = "window"
    AUDIENCE = "audience"
    MODE = "mode"
    ALREADY_REGISTERED = "already_registered"
    FULL = "full"
    CLASH = "clash"
    NO_SEAT = "no_seat"
    NOT_REGISTERED = "not_registered"
    # at the door (walk-ins, the standby line, no-show release)
    ENDED = "ended"
    TOO_EARLY = "too_early"
    NO_SEATS_LIMIT = "no_seats_limit"
    ALREADY_CHECKED_IN = "already_checked_in"
    ALREADY_STANDBY = "already_standby"


class Refusal(ValidationError):
    def __init__(self, message: str, code: StrEnum):
        super().__init__(message, code=code)


# Codes named "already_…" say nothing went wrong: the person already holds what they asked
# for (already_registered; the lunch's already_picked).
INFO_PREFIX = "already_"
# A choice to make rather than an error: the page says how (switch, cancel the other one).
WARNING_CODES = frozenset({Code.CLASH})


def refusal_message(
    request: HttpRequest, exc: ValidationError, *, then: str = "", level: int | None = None
) -> None:
    """Adds the refusal's message (followed by `then`, what the person can do about it) at the
    level its code calls for, unless the page asks for one `level` for every refusal."""
    if level is None:
        level = (
            messages.INFO
            if str(exc.code).startswith(INFO_PREFIX)
            else messages.WARNING
            if exc.code in WARNING_CODES
            else messages.ERROR
        )
    text = exc.messages[0]
    messages.add_message(request, level, f"{text} {then}" if then else text)
