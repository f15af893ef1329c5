"""Reads for the interview pages: the person's accepted request, their booking and the free
slots, each slot's time in the person's zone with the event's alongside."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from events.models import Event

from ..models import ACTIVE_BOOKING, Format, InterviewBooking, InterviewSlot, ListeningRequest
from ..timefmt import when_both, zone_or


def change_cutoff() -> timedelta:
    return timedelta(hours=settings.LISTENING_CHANGE_CUTOFF_HOURS)


def is_past_cutoff(starts_at: datetime, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= starts_at - change_cutoff()


def accepted_request_for_user(
    *, user: User, event: Event | None = None, format: str
) -> ListeningRequest | None:
    """The person's accepted request naming `format`, for `event` or their latest event."""
    if not user.is_authenticated:
        return None
    requests = ListeningRequest.objects.filter(
        user=user, status=ListeningRequest.Status.ACCEPTED, formats__contains=[format]
    ).select_related("event")
    if event is not None:
        requests = requests.filter(event=event)
    return requests.order_by("-event__starts_on", "-pk").first()


def _free_slots(event: Event) -> QuerySet[InterviewSlot]:
    taken = InterviewBooking.objects.filter(slot=OuterRef("pk"), status__in=ACTIVE_BOOKING)
    return (
        InterviewSlot.objects.filter(event=event, starts_at__gt=timezone.now() + change_cutoff())
        .exclude(Exists(taken))
        .select_related("event")
    )


def interview_slots_free(*, event: Event) -> list[InterviewSlot]:
    """Slots nobody holds that can still be booked (before the cut-off), in time order."""
    return list(_free_slots(event).order_by("starts_at", "pk"))


def interview_slots_nearest_free(*, slot: InterviewSlot, limit: int = 3) -> list[InterviewSlot]:
    """The free slots closest in time to `slot` (after a "just taken"), in time order."""
    free = [s for s in interview_slots_free(event=slot.event) if s.pk != slot.pk]
    free.sort(key=lambda s: abs((s.starts_at - slot.starts_at).total_seconds()))
    return sorted(free[:limit], key=lambda s: (s.starts_at, s.pk))


def interview_booking_active(*, user: User, event: Event) -> InterviewBooking | None:
    return (
        InterviewBooking.objects.filter(user=user, event=event, status__in=ACTIVE_BOOKING)
        .select_related("slot", "slot__facilitator", "event")
        .first()
    )


def interview_slot_get(*, pk: int) -> InterviewSlot:
    """Any slot by id (the booking rules decide who may take it); DoesNotExist else."""
    return InterviewSlot.objects.select_related("event").get(pk=pk)


@dataclass
class SlotView:
    slot: InterviewSlot
    when: str


@dataclass
class InterviewPage:
    request: ListeningRequest | None
    booking: InterviewBooking | None = None
    booking_when: str = ""
    can_change: bool = False
    slots: list[SlotView] = field(default_factory=list)
    cutoff_hours: int = 0


def slot_views(*, slots: list[InterviewSlot], request: ListeningRequest) -> list[SlotView]:
    event_tz = request.event.tz
    own = zone_or(request.time_zone, event_tz)
    return [
        SlotView(s, when_both(s.starts_at, s.minutes, event_tz=event_tz, own_tz=own)) for s in slots
    ]


def interview_page(*, user: User) -> InterviewPage:
    request = accepted_request_for_user(user=user, format=Format.INTERVIEW)
    page = InterviewPage(request=request, cutoff_hours=settings.LISTENING_CHANGE_CUTOFF_HOURS)
    if request is None:
        return page
    page.booking = interview_booking_active(user=user, event=request.event)
    if page.booking is not None:
        slot = page.booking.slot
        page.booking_when = slot_views(slots=[slot], request=request)[0].when
        page.can_change = page.booking.status == InterviewBooking.Status.BOOKED and (
            not is_past_cutoff(slot.starts_at)
        )
    page.slots = slot_views(slots=interview_slots_free(event=request.event), request=request)
    return page
