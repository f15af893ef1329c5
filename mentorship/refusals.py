"""Why Blood Buddies refused: the codes of its refusals (`events.refusals.Refusal`), which
its pages show through `events.refusals.refusal_message` like every other refusal."""

from enum import StrEnum

from events.refusals import Refusal

__all__ = ["Code", "Refusal"]


class Code(StrEnum):
    BOTH = "both"
    CANCELLED = "cancelled"
    CAPACITY = "capacity"
    CLOSED = "closed"
    DRAFT = "draft"
    DUPLICATE = "duplicate"
    FULL = "full"
    NOT_FOUND = "not_found"
    NOT_IN_SLOT = "not_in_slot"
    NOT_MATCHED = "not_matched"
    NOT_MENTOR = "not_mentor"
    NOT_PUBLISHED = "not_published"
    NOT_SIGNED_UP = "not_signed_up"
    NOT_TRAINEE = "not_trainee"
    NOT_YOURS = "not_yours"
    OVER = "over"
    PUBLISHED = "published"
    RATING = "rating"
    TOO_EARLY = "too_early"
    TOO_MANY = "too_many"
    UNPUBLISHED = "unpublished"
