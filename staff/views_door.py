"""The door beyond marking: walk-ins, the standby line and the release of no-shows' seats.
Each asks the check-in's permission (`events.change_registration`) before anything is
looked up, and every change is a POST with a message saying what happened."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from events.door_selectors import no_show_release_plan
from events.models import Session
from events.refusals import refusal_message
from events.rules import no_show_release_refusal
from events.services.door import (
    WalkInOutcome,
    no_show_release,
    standby_leave,
    walk_in_admit,
)

from .selectors import checkin_session_get, standby_entry_get, walk_in_user_get
from .views_checkin import QUERY_MAX, door_staff

ID_MAX = 2**63 - 1  # the largest primary key; a bigger number is simply unknown


class IdForm(forms.Form):
    id = forms.IntegerField(min_value=1, max_value=ID_MAX)


def _id(request: HttpRequest, name: str) -> int | None:
    form = IdForm({"id": request.POST.get(name, "")})
    return form.cleaned_data["id"] if form.is_valid() else None


def _back(session: Session, **params: str) -> str:
    url = reverse("staff:checkin", kwargs={"session_id": session.pk})
    params = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@door_staff
@require_POST
def walk_in_view(request, session_id: int):
    session = checkin_session_get(session_id=session_id)
    walkin = request.POST.get("walkin", "")[:QUERY_MAX].strip()
    user_id = _id(request, "user")
    user = walk_in_user_get(user_id=user_id) if user_id is not None else None
    if user is None:
        messages.error(
            request,
            "Choose a person from the search results; walk-ins need an account. Nothing changed.",
        )
        return redirect(_back(session, walkin=walkin))
    try:
        walk_in = walk_in_admit(session=session, user=user, by=request.user)
    except ValidationError as exc:
        refusal_message(request, exc)
        return redirect(_back(session, walkin=walkin))
    name = user.get_full_name()
    if walk_in.outcome == WalkInOutcome.CHECKED_IN:
        messages.success(request, f"{name} already had a seat and is now checked in.")
    elif walk_in.outcome == WalkInOutcome.SEATED:
        messages.success(request, f"{name} has a seat and is checked in.")
    else:
        messages.success(
            request,
            f"The session is full: {name} is number {walk_in.position} on the standby line.",
        )
    return redirect(_back(session))


@login_required
@door_staff
@require_POST
def standby_left_view(request, session_id: int):
    session = checkin_session_get(session_id=session_id)
    entry_id = _id(request, "standby")
    if entry_id is None:
        messages.error(request, "Choose a person on the standby line. Nothing changed.")
        return redirect(_back(session))
    entry = standby_entry_get(session=session, entry_id=entry_id)
    name = entry.user.get_full_name()
    if standby_leave(entry=entry):
        messages.success(request, f"{name} has left the standby line.")
    else:
        messages.info(request, f"{name} was no longer on the standby line; nothing changed.")
    return redirect(_back(session))


@login_required
@door_staff
@require_http_methods(["GET", "POST"])
def release_view(request, session_id: int):
    """GET: who would lose their seat and who would get one (nothing changes); POST with the
    ids the page showed and `confirm=1`: the release."""
    session = checkin_session_get(session_id=session_id)
    refusal = no_show_release_refusal(session)
    if refusal is not None:
        refusal_message(request, refusal)
        return redirect(_back(session))
    if request.method == "POST":
        return _release(request, session)
    plan = no_show_release_plan(session=session)
    context = {"session": session, "event": session.event, "plan": plan}
    return render(request, "staff/checkin_release.html", context)


def _release(request, session: Session):
    raw = request.POST.getlist("registration")
    ids = [IdForm({"id": value}) for value in raw]
    if request.POST.get("confirm") != "1" or not all(form.is_valid() for form in ids):
        messages.error(request, "Confirm the release on its page. Nothing changed.")
        return redirect(reverse("staff:checkin_release", kwargs={"session_id": session.pk}))
    shown = {form.cleaned_data["id"] for form in ids}
    try:
        result = no_show_release(session=session, by=request.user, shown=shown)
    except ValidationError as exc:
        refusal_message(request, exc)
        return redirect(_back(session))
    if not result.released and not result.seated:
        messages.info(
            request,
            "Nothing changed: everyone listed has checked in or lost their seat already, and "
            "nobody on the standby line could be seated.",
        )
        return redirect(_back(session))
    released = len(result.released)
    text = f"Released {released} seat{'s' if released != 1 else ''} of people not checked in."
    if result.seated:
        names = ", ".join(entry.user.get_full_name() for entry in result.seated)
        text += f" Seated and checked in from the standby line: {names}."
    else:
        text += " Nobody was waiting on the standby line."
    messages.success(request, text)
    return redirect(_back(session))
