"""The door's check-in: a phone-first list of a session's confirmed people, one tap to mark
each attended and one to undo."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .door_pages import door_page_url
from .selectors import (
    checkin_counts,
    checkin_registration_get,
    checkin_roster,
    checkin_session_get,
    door_state,
)
from .services import checkin_mark, checkin_undo

# Marking attendance changes registrations: the job's permission, not is_staff. It is asked
# before anything is looked up, so a 403 tells nothing about which sessions exist.
door_staff = permission_required("events.change_registration", raise_exception=True)

QUERY_MAX = 100


def _query(request) -> str:
    return request.GET.get("q", request.POST.get("q", ""))[:QUERY_MAX].strip()


@login_required
@door_staff
@require_GET
def checkin_view(request, session_id: int):
    session = checkin_session_get(session_id=session_id)
    if door := door_page_url(session):  # the lunch and Blood Buddies have their own pages
        return redirect(door)
    q = _query(request)
    rows = [
        # every time shown is the event's own
        (reg, reg.checked_in_at and reg.checked_in_at.astimezone(session.event.tz))
        for reg in checkin_roster(session=session, q=q)
    ]
    counts = checkin_counts(session=session)
    context = {
        "session": session,
        "event": session.event,
        "q": q,
        "rows": rows,
        "counts": counts,
        # walk-ins, the standby line and the no-show release (views_door)
        "door": door_state(
            session=session,
            walkin=request.GET.get("walkin", "")[:QUERY_MAX].strip(),
            confirmed=counts.expected,
        ),
    }
    return render(request, "staff/checkin.html", context)


@login_required
@door_staff
@require_POST
def checkin_mark_view(request, session_id: int, registration_id: int):
    session = checkin_session_get(session_id=session_id)
    registration = checkin_registration_get(session=session, registration_id=registration_id)
    name = registration.user.get_full_name()
    attended = request.POST.get("attended")
    if attended == "1":
        if checkin_mark(registration=registration, by=request.user):
            messages.success(request, f"{name} is checked in.")
        else:
            messages.info(request, f"{name} was already checked in; nothing changed.")
    elif attended == "0":
        if checkin_undo(registration=registration):
            messages.success(request, f"{name} is no longer checked in.")
        else:
            messages.info(request, f"{name} was not checked in; nothing changed.")
    else:
        messages.error(request, "Choose check in or undo; nothing changed.")
    url = reverse("staff:checkin", kwargs={"session_id": session.pk})
    q = _query(request)
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)
