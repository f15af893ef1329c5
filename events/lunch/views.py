"""The career lunch's pages: trainees' grid and picks (one POST each), a host's table list,
the staff overview and CSV roster per table."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from config.csv_safe import csv_download
from events.models import Session, TableSeat
from events.refusals import refusal_message
from events.selectors import event_get
from events.services import ClashError

from .forms import TablePickForm
from .roster import lunch_roster_write_csv
from .selectors import (
    lunch_get,
    lunch_get_for_action,
    lunch_grid,
    lunch_overview,
    lunch_rotation_get,
    lunch_table_get,
    lunch_table_get_for_host,
    lunch_table_guests,
    rotation_when,
    table_seat_position,
)
from .services import (
    TableFullError,
    lunch_join,
    table_label,
    table_seat_change,
    table_seat_drop,
    table_seat_take,
)


def _grid_url(session: Session, anchor: str = "") -> str:
    url = reverse("events:lunch_grid", kwargs={"slug": session.event.slug, "pk": session.pk})
    return f"{url}#{anchor}" if anchor else url


def lunch_grid_view(request, slug: str, pk: int):
    event = event_get(slug=slug)
    session = lunch_get(event=event, pk=pk)
    grid = lunch_grid(session=session, user=request.user)
    return render(
        request, "events/lunch_grid.html", {"event": event, "session": session, "grid": grid}
    )


def _refused(request, session: Session, exc: ValidationError):
    refusal_message(
        request,
        exc,
        then="Cancel that one from your agenda first to join the lunch."
        if isinstance(exc, ClashError)
        else "",
    )
    return redirect(_grid_url(session))


def _full(request, session: Session, exc: TableFullError, *, changing: bool):
    """A full table is an answer, not an error: the alternatives and the waitlist, as forms."""
    context = {
        "event": session.event,
        "session": session,
        "table": exc.table,
        "rotation": exc.rotation,
        "alternatives": exc.alternatives,
        "message": exc.messages[0],
        "changing": changing,
    }
    exc.rotation.session = session
    return render(request, "events/lunch_full.html", context)


def _seat_message(request, seat: TableSeat, verb: str) -> None:
    when = rotation_when(seat.rotation, seat.rotation.session.event.tz)
    where = f"{table_label(seat.table)} in rotation {seat.rotation.number} ({when})"
    if seat.status == TableSeat.Status.WAITLISTED:
        position = table_seat_position(seat=seat)
        messages.info(
            request,
            f"You are number {position} on the waitlist of {where}. We'll email you if a seat opens.",
        )
    else:
        messages.success(request, f"{verb} {where}.")


def _action_target(request, slug: str, pk: int):
    """The lunch a POST names (404 when unknown), and a login redirect for anonymous people."""
    session = lunch_get_for_action(slug=slug, pk=pk)
    if not request.user.is_authenticated:
        return session, redirect_to_login(_grid_url(session))
    return session, None


@require_POST
def lunch_join_view(request, slug: str, pk: int):
    session, login = _action_target(request, slug, pk)
    if login:
        return login
    try:
        lunch_join(session=session, user=request.user)
    except ValidationError as exc:
        return _refused(request, session, exc)
    messages.success(
        request,
        f"“{session.title}” is on your agenda: walk in and sit where there is room, "
        "or pick tables below.",
    )
    return redirect(_grid_url(session))


@require_POST
def lunch_take_view(request, slug: str, pk: int, table_id: int, rotation_id: int):
    return _pick(request, slug, pk, table_id, rotation_id, changing=False)


@require_POST
def lunch_change_view(request, slug: str, pk: int, table_id: int, rotation_id: int):
    return _pick(request, slug, pk, table_id, rotation_id, changing=True)


def _pick(request, slug, pk, table_id, rotation_id, *, changing: bool):
    session, login = _action_target(request, slug, pk)
    table = lunch_table_get(session=session, pk=table_id)
    rotation = lunch_rotation_get(session=session, pk=rotation_id)
    if login:
        return login
    form = TablePickForm(request.POST)
    form.is_valid()
    service = table_seat_change if changing else table_seat_take
    try:
        seat = service(
            session=session,
            rotation=rotation,
            table=table,
            user=request.user,
            join_waitlist=form.cleaned_data.get("waitlist", False),
        )
    except TableFullError as exc:
        return _full(request, session, exc, changing=changing)
    except ValidationError as exc:
        return _refused(request, session, exc)
    seat.rotation.session = session
    _seat_message(request, seat, "You moved to" if changing else "You have a seat at")
    return redirect(_grid_url(session, f"table-{table.pk}"))


@require_POST
def lunch_drop_view(request, slug: str, pk: int, rotation_id: int):
    session, login = _action_target(request, slug, pk)
    rotation = lunch_rotation_get(session=session, pk=rotation_id)
    if login:
        return login
    try:
        seat = table_seat_drop(session=session, rotation=rotation, user=request.user)
    except ValidationError as exc:
        return _refused(request, session, exc)
    what = "seat at" if seat.confirmed_at else "waitlist place for"
    messages.success(
        request,
        f"You gave up your {what} {table_label(seat.table)} in rotation {rotation.number}. "
        "The lunch stays on your agenda: you can walk in.",
    )
    return redirect(_grid_url(session))


# --- hosts and staff --------------------------------------------------------------------------


@login_required
@require_GET
def lunch_table_guests_view(request, slug: str, pk: int, table_id: int):
    """A host's list of the people at their table, per rotation; someone else's table is 404."""
    event = event_get(slug=slug)
    session = lunch_get(event=event, pk=pk)
    table = lunch_table_get_for_host(session=session, pk=table_id, user=request.user)
    table.session = session
    context = {
        "event": event,
        "session": session,
        "table": table,
        "rotations": lunch_table_guests(table=table),
    }
    return render(request, "events/lunch_table_guests.html", context)


# People's dietary and accessibility needs are read by those whose job is catering, not by
# every staff account: the permission is asked before anything is looked up, so the answer
# (403) tells nothing about which lunches or tables exist.
catering_only = permission_required("events.view_catering_needs", raise_exception=True)


@login_required
@catering_only
@require_GET
def lunch_overview_view(request, slug: str, pk: int):
    event = event_get(slug=slug)
    session = lunch_get(event=event, pk=pk)
    context = {"event": event, "session": session, "overview": lunch_overview(session=session)}
    return render(request, "events/lunch_overview.html", context)


@login_required
@catering_only
@require_GET
def lunch_table_roster_csv_view(request, slug: str, pk: int, table_id: int):
    event = event_get(slug=slug)
    session = lunch_get(event=event, pk=pk)
    table = lunch_table_get(session=session, pk=table_id)
    table.session = session
    response = csv_download(f"lunch-{session.pk}-table-{table.number}.csv")
    lunch_roster_write_csv(table=table, out=response)
    return response
