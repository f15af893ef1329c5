"""Interviews, Conversations on Belonging and the facilitator's day. Thin: read through a
selector filtered by the person, write through one service, answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from events.refusals import refusal_message

from .models import Format
from .refusals import Code
from .selectors.facilitator import facilitator_booking_get, facilitator_day
from .selectors.groups import groups_page, place_active
from .selectors.interviews import (
    accepted_request_for_user,
    interview_booking_active,
    interview_page,
    interview_slot_get,
    interview_slots_nearest_free,
    slot_views,
)
from .services.groups import group_join as group_join_service
from .services.groups import group_leave as group_leave_service
from .services.interviews import interview_book as interview_book_service
from .services.interviews import interview_cancel as interview_cancel_service
from .services.interviews import interview_mark


def _interviews_page(request, *, status: int = 200, **extra):
    page = interview_page(user=request.user)
    return render(request, "listening/interviews.html", {"page": page, **extra}, status=status)


@login_required
@require_GET
def interviews(request):
    return _interviews_page(request)


@login_required
@require_POST
def interview_book(request, slot_id: int):
    try:
        slot = interview_slot_get(pk=slot_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    move = request.POST.get("move") == "1"
    try:
        interview_book_service(slot_id=slot.pk, user=request.user, move=move)
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code == Code.TAKEN:
            own = accepted_request_for_user(user=request.user, event=slot.event, format="interview")
            nearest = interview_slots_nearest_free(slot=slot)
            return _interviews_page(
                request,
                status=409,
                refusal=exc.messages[0],
                nearest=slot_views(slots=nearest, request=own) if own else [],
            )
        if code == Code.ALREADY_BOOKED and "move it?" in exc.messages[0]:
            return _interviews_page(
                request,
                status=409,
                refusal=exc.messages[0],
                move_to=slot_views(
                    slots=[slot],
                    # A person told to move holds an accepted request: they have a booking.
                    request=accepted_request_for_user(  # type: ignore[arg-type]
                        user=request.user, event=slot.event, format=Format.INTERVIEW
                    ),
                )[0],
            )
        refusal_message(request, exc, level=messages.ERROR)
        return redirect("listening:interviews")
    messages.success(
        request,
        ("Your interview is moved" if move else "Your interview is booked")
        + "; the confirmation with a calendar file is on its way by email.",
    )
    return redirect("listening:interviews")


@login_required
@require_POST
def interview_cancel(request):
    own = accepted_request_for_user(user=request.user, format=Format.INTERVIEW)
    booking = interview_booking_active(user=request.user, event=own.event) if own else None
    if booking is None:
        messages.error(request, "You have no interview booked to cancel.")
        return redirect("listening:interviews")
    try:
        interview_cancel_service(booking=booking, user=request.user)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(request, "Your interview is cancelled; the slot is free for others.")
    return redirect("listening:interviews")


@login_required
@require_GET
def groups(request):
    return render(request, "listening/groups.html", {"page": groups_page(user=request.user)})


@login_required
@require_POST
def group_join(request, group_id: int):
    try:
        group_join_service(group_id=group_id, user=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(request, "Your place is confirmed; details are on their way by email.")
    return redirect("listening:groups")


@login_required
@require_POST
def group_leave(request):
    own = accepted_request_for_user(user=request.user, format=Format.GROUP)
    place = place_active(user=request.user, event=own.event) if own else None
    if place is None:
        messages.error(request, "You have no place in a Conversation on Belonging.")
        return redirect("listening:groups")
    try:
        group_leave_service(place=place, user=request.user)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(request, "You have left the conversation; your place is free again.")
    return redirect("listening:groups")


@login_required
@require_GET
def facilitator(request):
    day = facilitator_day(user=request.user)
    if not day.is_facilitator:
        raise Http404
    return render(request, "listening/facilitator.html", {"day": day})


def _mark(request, booking_id: int, *, held: bool):
    try:
        booking = facilitator_booking_get(user=request.user, pk=booking_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    try:
        interview_mark(booking=booking, facilitator=request.user, held=held)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(request, "Marked as held." if held else "Marked as missed.")
    return redirect("listening:facilitator")


@login_required
@require_POST
def facilitator_held(request, booking_id: int):
    return _mark(request, booking_id, held=True)


@login_required
@require_POST
def facilitator_missed(request, booking_id: int):
    return _mark(request, booking_id, held=False)
