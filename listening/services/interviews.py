"""Interview slots and bookings: generating a facilitator's slots from an availability window,
booking one slot (race-safe), moving, cancelling and the facilitator marking it held or
missed. One transaction per use case; rules raised as `Refusal`."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.refusals import Refusal
from events.services.locking import LOCK_TIMEOUT, user_lock

from ..models import ACTIVE_BOOKING, Format, InterviewBooking, InterviewSlot, ListeningRequest
from ..refusals import Code
from ..selectors.interviews import is_past_cutoff
from ..timefmt import when_in
from . import booking_notices


def _slot_lock(pk: int) -> InterviewSlot:
    """Locks one slot row: every booking of it waits here, so the last free slot goes to one
    person (the partial unique constraint is the backstop). Same timeout as events' locks."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    return (
        InterviewSlot.objects.select_for_update(of=("self",))
        .select_related("event", "facilitator")
        .get(pk=pk)
    )


@transaction.atomic
def interview_slots_generate(
    *,
    event: Event,
    facilitator: User,
    day: date,
    start: time,
    end: time,
    minutes: int,
    meeting_url: str = "",
) -> list[InterviewSlot]:
    """Back-to-back slots of `minutes` from `start` until `end` (times in the event's zone) on
    `day`; a time the facilitator already has a slot at is left as it is."""
    if minutes not in InterviewSlot.Length.values:
        raise Refusal("Slots last 15 or 20 minutes.", Code.NOT_OPEN)
    if not event.starts_on - timedelta(days=7) <= day <= event.ends_on + timedelta(days=7):
        raise Refusal("Choose a day of the meeting (or the week around it).", Code.NOT_OPEN)
    tz = event.tz
    cursor = datetime.combine(day, start, tzinfo=tz)
    finish = datetime.combine(day, end, tzinfo=tz)
    if finish <= cursor:
        raise Refusal("The window must end after it starts.", Code.NOT_OPEN)
    step = timedelta(minutes=minutes)
    existing = set(
        InterviewSlot.objects.filter(
            facilitator=facilitator, starts_at__gte=cursor, starts_at__lt=finish
        ).values_list("starts_at", flat=True)
    )
    made = []
    while cursor + step <= finish:
        if cursor not in existing:
            made.append(
                InterviewSlot(
                    event=event,
                    facilitator=facilitator,
                    starts_at=cursor,
                    minutes=minutes,
                    meeting_url=meeting_url,
                )
            )
        cursor += step
    if not made:
        raise Refusal(
            "No slot fits in that window (or the facilitator already has every one of them).",
            Code.NOT_OPEN,
        )
    return InterviewSlot.objects.bulk_create(made)


def _accepted_request(*, event: Event, user: User) -> ListeningRequest:
    request = ListeningRequest.objects.filter(
        event=event, user=user, status=ListeningRequest.Status.ACCEPTED
    ).first()
    if request is None or Format.INTERVIEW not in (request.formats or []):
        raise Refusal(
            "Booking an interview needs an accepted request for a one-on-one interview. "
            "Ask to take part on the listening sessions page; you will hear from us by email.",
            Code.NOT_ACCEPTED,
        )
    return request


def _refuse_if_past_cutoff(slot: InterviewSlot, *, action: str) -> None:
    if is_past_cutoff(slot.starts_at):
        hours = settings.LISTENING_CHANGE_CUTOFF_HOURS
        raise Refusal(
            f"Interviews can be {action} until {hours} hours before they start; the one at "
            f"{when_in(slot.starts_at, slot.minutes, slot.event.tz)} is too close now. "
            "Please write to the listening sessions team if you cannot attend.",
            Code.CUTOFF,
        )


@transaction.atomic
def interview_book(*, slot_id: int, user: User, move: bool = False) -> InterviewBooking:
    """Books `slot_id` for `user`. A person holds one interview: with an active booking the
    call is refused (code ALREADY_BOOKED) unless `move`, which cancels the old booking in the
    same transaction. A slot someone else holds: TAKEN."""
    slot = _slot_lock(slot_id)
    user_lock(user)  # serialises one person's bookings (two tabs, two slots)
    _accepted_request(event=slot.event, user=user)
    _refuse_if_past_cutoff(slot, action="booked")
    current = (
        InterviewBooking.objects.select_for_update()
        .select_related("slot", "slot__event")
        .filter(event=slot.event, user=user, status__in=ACTIVE_BOOKING)
        .first()
    )
    if current is not None and current.slot_id == slot.pk:
        raise Refusal("This interview is already yours.", Code.ALREADY_BOOKED)
    if InterviewBooking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING).exists():
        raise Refusal("Sorry, this slot was just taken.", Code.TAKEN)
    if current is not None:
        when = when_in(current.slot.starts_at, current.slot.minutes, slot.event.tz)
        if not move:
            raise Refusal(
                f"You already have an interview at {when} — move it?", Code.ALREADY_BOOKED
            )
        if current.status != InterviewBooking.Status.BOOKED:
            raise Refusal("Your interview has taken place already.", Code.ALREADY_BOOKED)
        _refuse_if_past_cutoff(current.slot, action="moved")
        current.status = InterviewBooking.Status.CANCELLED
        current.save(update_fields=["status", "updated_at"])
        booking_notices.booking_cancelled(current, moved=True)
    try:
        with transaction.atomic():
            booking = InterviewBooking.objects.create(event=slot.event, slot=slot, user=user)
    except IntegrityError:  # the constraints' word, should the locks ever be bypassed
        raise Refusal("Sorry, this slot was just taken.", Code.TAKEN) from None
    booking.slot = slot
    booking_notices.booking_confirmed(booking)
    return booking


@transaction.atomic
def interview_cancel(*, booking: InterviewBooking, user: User) -> InterviewBooking:
    """The person gives up their interview until the cut-off; the slot is free again."""
    booking = (
        InterviewBooking.objects.select_for_update(of=("self",))
        .select_related("slot", "slot__event", "slot__facilitator", "event", "user")
        .get(pk=booking.pk, user=user)
    )
    if booking.status != InterviewBooking.Status.BOOKED:
        raise Refusal("You have no interview booked to cancel.", Code.NOT_BOOKED)
    _refuse_if_past_cutoff(booking.slot, action="cancelled")
    booking.status = InterviewBooking.Status.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    booking_notices.booking_cancelled(booking)
    return booking


@transaction.atomic
def interview_mark(*, booking: InterviewBooking, facilitator: User, held: bool) -> InterviewBooking:
    """The facilitator records that the interview took place (or that the person did not come);
    only once it has started, and only for their own slot."""
    booking = (
        InterviewBooking.objects.select_for_update(of=("self",))
        .select_related("slot")
        .get(pk=booking.pk, slot__facilitator=facilitator)
    )
    if booking.status == InterviewBooking.Status.CANCELLED:
        raise Refusal("This booking was cancelled.", Code.NOT_BOOKED)
    if timezone.now() < booking.slot.starts_at:
        raise Refusal("An interview can be marked once it has started.", Code.NOT_YET)
    booking.status = InterviewBooking.Status.HELD if held else InterviewBooking.Status.MISSED
    booking.save(update_fields=["status", "updated_at"])
    booking_notices.notifications_cancel(
        key_prefix=f"listening-booking:{booking.pk}:reminder:",
        reason=booking_notices.REASON_CANCELLED,
    )
    return booking


def facilitator_slots_release(*, user: User) -> None:
    """Before a facilitator's account is deleted (accounts' deletion hook): their slots go,
    and anyone booked in one is told the interview is off and may book another. Slots
    protect their facilitator, so without this the deletion would fail."""
    owned = list(InterviewSlot.objects.filter(facilitator=user).select_for_update())
    if not owned:
        return
    booked = (
        InterviewBooking.objects.filter(slot__in=owned, status=InterviewBooking.Status.BOOKED)
        .exclude(user=user)
        .select_related("slot", "slot__event", "slot__facilitator", "event", "user")
    )
    for booking in booked:
        booking_notices.booking_withdrawn(booking)
    InterviewSlot.objects.filter(pk__in=[s.pk for s in owned]).delete()
