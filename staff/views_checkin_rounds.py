"""Blood Buddies at the door: a slot's rounds with their conversations, one tap to check a
mentor or a trainee in and one to undo, the standby line, and an absent trainee's seats
offered to that line after a confirmation page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.refusals import refusal_message
from mentorship.models import SpeedMentoringSlot
from mentorship.services.door import mentor_checkin_mark, mentor_checkin_undo
from mentorship.text import counted

from .selectors import checkin_session_get
from .selectors_door import (
    door_absence_preview,
    door_offer_get,
    door_person_find,
    door_signup_get,
    door_standby_get,
    rounds_door,
    slot_for_door,
)
from .services import checkin_mark, checkin_undo
from .services_door import door_absent, door_standby_add, door_standby_remove
from .views_checkin import door_staff


def _slot_get(session_id: int) -> SpeedMentoringSlot:
    return slot_for_door(session=checkin_session_get(session_id=session_id))


def _back(slot: SpeedMentoringSlot, request) -> str:
    url = reverse("staff:checkin_rounds", kwargs={"session_id": slot.session_id})
    number = request.POST.get("round", "").strip()[:10]
    return f"{url}?{urlencode({'round': number})}" if number else url


def _attended(request, name: str, mark, undo) -> None:
    attended = request.POST.get("attended")
    if attended == "1":
        if mark():
            messages.success(request, f"{name} is checked in.")
        else:
            messages.info(request, f"{name} was already checked in; nothing changed.")
    elif attended == "0":
        if undo():
            messages.success(request, f"{name} is no longer checked in.")
        else:
            messages.info(request, f"{name} was not checked in; nothing changed.")
    else:
        messages.error(request, "Choose check in or undo; nothing changed.")


@login_required
@door_staff
@require_GET
def checkin_rounds_view(request, session_id: int):
    slot = _slot_get(session_id)
    door = rounds_door(slot=slot, round=request.GET.get("round"))
    context = {"session": slot.session, "event": slot.session.event, "slot": slot, "door": door}
    return render(request, "staff/checkin_rounds.html", context)


@login_required
@door_staff
@require_POST
def rounds_mentor_mark_view(request, session_id: int, offer_id: int):
    slot = _slot_get(session_id)
    offer = door_offer_get(slot=slot, offer_id=offer_id)
    _attended(
        request,
        offer.mentor.get_full_name(),
        lambda: mentor_checkin_mark(offer=offer, by=request.user),
        lambda: mentor_checkin_undo(offer=offer),
    )
    return redirect(_back(slot, request))


@login_required
@door_staff
@require_POST
def rounds_trainee_mark_view(request, session_id: int, signup_id: int):
    slot = _slot_get(session_id)
    signup = door_signup_get(slot=slot, signup_id=signup_id)
    registration = signup.registration
    assert registration is not None  # door_signup_get: a confirmed place only
    _attended(
        request,
        signup.trainee.get_full_name(),
        lambda: checkin_mark(registration=registration, by=request.user),
        lambda: checkin_undo(registration=registration),
    )
    return redirect(_back(slot, request))


@login_required
@door_staff
@require_POST
def rounds_standby_add_view(request, session_id: int):
    slot = _slot_get(session_id)
    user, problem = door_person_find(text=request.POST.get("person", ""))
    if user is None:
        messages.error(request, problem)
        return redirect(_back(slot, request))
    try:
        door_standby_add(slot=slot, trainee=user, by=request.user)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(
            request, f"{user.get_full_name()} is checked in and waits on the standby line."
        )
    return redirect(_back(slot, request))


@login_required
@door_staff
@require_POST
def rounds_standby_remove_view(request, session_id: int, standby_id: int):
    slot = _slot_get(session_id)
    row = door_standby_get(slot=slot, standby_id=standby_id)
    name = row.trainee.get_full_name()
    try:
        door_standby_remove(slot=slot, trainee=row.trainee)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(request, f"{name} left the standby line; their check-in is undone.")
    return redirect(_back(slot, request))


@login_required
@door_staff
@require_http_methods(["GET", "POST"])
def rounds_absent_view(request, session_id: int, signup_id: int):
    """GET: what marking the trainee absent does (which conversations are cancelled, which
    go to the standby line), with the button; POST: do it."""
    slot = _slot_get(session_id)
    signup = door_signup_get(slot=slot, signup_id=signup_id)
    name = signup.trainee.get_full_name()
    if request.method == "GET":
        context = {
            "session": slot.session,
            "event": slot.session.event,
            "slot": slot,
            "preview": door_absence_preview(slot=slot, signup=signup),
            "name": name,
            "round": request.GET.get("round", "")[:10],
        }
        return render(request, "staff/checkin_rounds_absent.html", context)
    try:
        result = door_absent(slot=slot, signup=signup, by=request.user)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
        return redirect(_back(slot, request))
    placed = "; ".join(
        f"round {m.round}: {m.signup.trainee.get_full_name()} with {m.offer.mentor.get_full_name()}"
        for m in result.placed
    )
    text = f"{name} is marked absent; {counted(result.cancelled, 'conversation')} cancelled. "
    text += (
        f"From the standby line — {placed}. Those people are emailed their new rounds."
        if placed
        else "Nobody on the standby line could take their place."
    )
    messages.success(request, text)
    return redirect(_back(slot, request))
