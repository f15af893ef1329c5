"""The career lunch at the door: seats by rotation then table, one tap to check a seated
person in and one to undo, and walk-ins to a table with free seats."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from events.models import Session
from events.refusals import refusal_message

from .selectors import checkin_session_get
from .selectors_door import door_person_find, lunch_cell_get, lunch_door, lunch_seat_get
from .services_door import lunch_seat_checkin_mark, lunch_seat_checkin_undo, lunch_walk_in
from .views_checkin import door_staff


def _lunch_get(session_id: int) -> Session:
    session = checkin_session_get(session_id=session_id)
    if session.registration_mode != Session.Mode.TABLES:
        raise Http404("This session has no lunch tables.")
    return session


def _back(session: Session, request) -> str:
    url = reverse("staff:checkin_lunch", kwargs={"session_id": session.pk})
    params = {
        key: request.POST.get(key, "")[:100]
        for key in ("rotation", "q")
        if request.POST.get(key, "").strip()
    }
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@door_staff
@require_GET
def checkin_lunch_view(request, session_id: int):
    session = _lunch_get(session_id)
    door = lunch_door(
        session=session, rotation=request.GET.get("rotation"), q=request.GET.get("q", "")
    )
    context = {"session": session, "event": session.event, "door": door}
    return render(request, "staff/checkin_lunch.html", context)


@login_required
@door_staff
@require_POST
def lunch_seat_mark_view(request, session_id: int, seat_id: int):
    session = _lunch_get(session_id)
    seat = lunch_seat_get(session=session, seat_id=seat_id)
    name = seat.user.get_full_name()
    where = f"table {seat.table.number}, rotation {seat.rotation.number}"
    attended = request.POST.get("attended")
    if attended == "1":
        if lunch_seat_checkin_mark(seat=seat, by=request.user):
            messages.success(request, f"{name} is checked in at {where}.")
        else:
            messages.info(request, f"{name} was already checked in at {where}; nothing changed.")
    elif attended == "0":
        if lunch_seat_checkin_undo(seat=seat):
            messages.success(request, f"{name} is no longer checked in at {where}.")
        else:
            messages.info(request, f"{name} was not checked in at {where}; nothing changed.")
    else:
        messages.error(request, "Choose check in or undo; nothing changed.")
    return redirect(_back(session, request))


@login_required
@door_staff
@require_POST
def lunch_walk_in_view(request, session_id: int):
    session = _lunch_get(session_id)
    cell = lunch_cell_get(
        session=session,
        rotation_id=request.POST.get("rotation_id", ""),
        table_id=request.POST.get("table_id", ""),
    )
    if cell is None:
        messages.error(request, "Choose one of this lunch's tables; nothing changed.")
        return redirect(_back(session, request))
    user, problem = door_person_find(text=request.POST.get("person", ""))
    if user is None:
        messages.error(request, problem)
        return redirect(_back(session, request))
    rotation, table = cell
    try:
        lunch_walk_in(session=session, rotation=rotation, table=table, user=user, by=request.user)
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
    else:
        messages.success(
            request,
            f"{user.get_full_name()} is seated at table {table.number} in rotation "
            f"{rotation.number} and checked in.",
        )
    return redirect(_back(session, request))
