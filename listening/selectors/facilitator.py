"""The facilitator's day: their own slots and groups, each participant's name and chosen
topics, nothing else (no email, no note, no availability)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from accounts.models import User

from ..models import (
    ACTIVE_BOOKING,
    BelongingGroup,
    GroupPlace,
    InterviewBooking,
    InterviewSlot,
    ListeningRequest,
    Topic,
)
from ..timefmt import when_in


@dataclass
class Participant:
    name: str
    topics: list[str]


@dataclass
class SlotLine:
    slot: InterviewSlot
    when: str
    booking: InterviewBooking | None
    participant: Participant | None


@dataclass
class GroupLine:
    group: BelongingGroup
    when: str
    participants: list[Participant] = field(default_factory=list)


@dataclass
class FacilitatorDay:
    slots: list[SlotLine]
    groups: list[GroupLine]

    @property
    def is_facilitator(self) -> bool:
        return bool(self.slots or self.groups)


def _topics(request: ListeningRequest | None) -> list[str]:
    if request is None:
        return []
    labels = dict(Topic.choices)
    names = [labels.get(t, t) for t in request.topics or [] if t != Topic.OTHER]
    if Topic.OTHER in (request.topics or []):
        names.append(f"Other: {request.topic_other}" if request.topic_other else "Other")
    return names


def is_facilitator(*, user: User) -> bool:
    return (
        InterviewSlot.objects.filter(facilitator=user).exists()
        or BelongingGroup.objects.filter(facilitators=user).exists()
    )


def facilitator_day(*, user: User) -> FacilitatorDay:
    """Four queries whatever the number of slots and groups."""
    active = InterviewBooking.objects.filter(status__in=ACTIVE_BOOKING).select_related("user")
    slots = list(
        InterviewSlot.objects.filter(facilitator=user)
        .select_related("event")
        .prefetch_related(Prefetch("bookings", queryset=active, to_attr="active"))
        .order_by("starts_at", "pk")
    )
    groups = list(
        BelongingGroup.objects.filter(facilitators=user)
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "places",
                queryset=GroupPlace.objects.filter(status="active").select_related("user"),
                to_attr="active",
            )
        )
        .order_by("starts_at", "pk")
    )
    people = {b.user_id for s in slots for b in s.active} | {
        p.user_id for g in groups for p in g.active
    }
    events = {s.event_id for s in slots} | {g.event_id for g in groups}
    requests = {
        (r.event_id, r.user_id): r
        for r in ListeningRequest.objects.filter(user_id__in=people, event_id__in=events).only(
            "event_id", "user_id", "topics", "topic_other"
        )
    }

    def person(user: User, event_id: int) -> Participant:
        return Participant(user.get_full_name(), _topics(requests.get((event_id, user.pk))))

    slot_lines = []
    for slot in slots:
        booking = slot.active[0] if slot.active else None
        slot_lines.append(
            SlotLine(
                slot=slot,
                when=when_in(slot.starts_at, slot.minutes, slot.event.tz),
                booking=booking,
                participant=person(booking.user, slot.event_id) if booking else None,
            )
        )
    group_lines = [
        GroupLine(
            group=g,
            when=when_in(g.starts_at, _minutes(g.starts_at, g.ends_at), g.event.tz),
            participants=[person(p.user, g.event_id) for p in g.active],
        )
        for g in groups
    ]
    return FacilitatorDay(slots=slot_lines, groups=group_lines)


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def facilitator_booking_get(*, user: User, pk: int) -> InterviewBooking:
    """A booking on one of `user`'s own slots; DoesNotExist for anything else (a 404)."""
    return InterviewBooking.objects.select_related("slot").get(pk=pk, slot__facilitator=user)
