"""Why the career lunch refused: the codes of its refusals (`events.refusals.Refusal`); the
rules it shares with every session (window, clash, mode) keep the events codes."""

from enum import StrEnum


class Code(StrEnum):
    LUNCH_FULL = "lunch_full"
    TABLE_FULL = "table_full"
    TABLE_ONCE = "table_once"
    ALREADY_PICKED = "already_picked"
    ONE_PER_ROTATION = "one_per_rotation"
    NO_PICK = "no_pick"
    OTHER = "other"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    HAS_SEATS = "has_seats"
    SAME = "same"
    HAS_TABLES = "has_tables"
