"""A member's request (`/listening/`, withdraw) and the reviewers' report. Thin: a form, one
service call, an answer."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.csv_safe import csv_download, csv_writer

from .forms import ListeningRequestForm
from .selectors.report import listening_report
from .selectors.requests import (
    availability_choices,
    is_reviewer,
    listening_event_get,
    listening_request_for_user,
)
from .services.requests import listening_request_submit, listening_request_withdraw


def _event(request):
    return listening_event_get(slug=request.GET.get("event") or None)


def _here(event) -> str:
    return reverse("listening:index") + f"?event={event.slug}"


@require_http_methods(["GET", "POST"])
def index(request):
    event = _event(request)
    mine = listening_request_for_user(event=event, user=request.user)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={_here(event)}")
    editing = mine is None or mine.status in ("submitted", "withdrawn")
    form = None
    status = 200
    if request.user.is_authenticated and editing:
        kwargs = {"availability_choices": availability_choices(event=event), "zone": event.timezone}
        if request.method == "POST":
            form = ListeningRequestForm(request.POST, **kwargs)
            if form.is_valid():
                try:
                    listening_request_submit(event=event, user=request.user, data=form.cleaned_data)
                except ValidationError as exc:
                    # A rule of the service (a field's) or a refusal of the whole request.
                    errors = (
                        exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                    )
                    for field, messages_ in errors.items():
                        form.add_error(field if field in form.fields else None, messages_)
                else:
                    messages.success(
                        request,
                        "Your request is saved. Reviewers will read it; you will get an email"
                        " when it is decided.",
                    )
                    return redirect(_here(event))
            status = 400
        else:
            initial = {"time_zone": event.timezone}
            if mine is not None:
                initial = {
                    field: getattr(mine, field)
                    for field in ("formats", "topics", "topic_other", "availability", "note")
                } | {"time_zone": mine.time_zone, "consent": mine.status == "submitted"}
            form = ListeningRequestForm(initial=initial, **kwargs)
    elif request.method == "POST":
        messages.error(request, "Your request was already decided; it can no longer be changed.")
        return redirect(_here(event))
    context = {
        "event": event,
        "mine": mine,
        "form": form,
        "retention_days": settings.LISTENING_RETENTION_DAYS,
    }
    return render(request, "listening/index.html", context, status=status)


@login_required
@require_POST
def withdraw(request):
    event = _event(request)
    try:
        listening_request_withdraw(event=event, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, "Your request is withdrawn. You can send it again until it is decided."
        )
    return redirect(_here(event))


def _reviewer_only(request) -> None:
    if not request.user.is_authenticated:
        return
    if not is_reviewer(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET"])
def report(request):
    _reviewer_only(request)
    event = _event(request)
    report = listening_report(event=event)
    sections = [
        (title, report.section(name))
        for name, title in [
            ("requests", "Requests"),
            ("status", "Status"),
            ("format", "Format"),
            ("topic", "Topic"),
            ("day", "Availability by day"),
            ("interviews", "Interviews"),
            ("groups", "Conversations on Belonging"),
        ]
    ]
    return render(request, "listening/report.html", {"event": event, "sections": sections})


@login_required
@require_http_methods(["GET"])
def report_csv(request):
    _reviewer_only(request)
    event = _event(request)
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["measure", "value", "count"])
    for row in listening_report(event=event).rows:
        writer.writerow([row.measure, row.value, row.shown])
    response = csv_download(f"listening-report-{event.slug}.csv")
    response.write(out.getvalue())
    return response
