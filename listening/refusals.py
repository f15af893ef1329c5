"""Why the booking rules said no (see events/refusals.py: a `Refusal` carries a code)."""

from enum import StrEnum


class Code(StrEnum):
    NOT_ACCEPTED = "not_accepted"
    CUTOFF = "cutoff"
    ALREADY_BOOKED = "already_booked"
    TAKEN = "taken"
    NOT_BOOKED = "not_booked"
    FULL = "full"
    ALREADY_PLACED = "already_placed"
    NOT_OPEN = "not_open"
    NOT_YET = "not_yet"
