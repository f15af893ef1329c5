"""The staff dashboard and its CSV: thin views over staff.selectors."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.csv_safe import csv_download, private_download
from events.models import Event
from events.selectors import event_get, event_get_current

from .dashboard_charts import dashboard_charts
from .dashboard_csv import dashboard_write_csv
from .selectors import dashboard_for_event

# Seeing who registered where is the job of those who may view registrations; is_staff alone
# is not enough. The permission is asked before anything is looked up.
DASHBOARD_PERMISSION = "events.view_registration"
# People's dietary needs, even counted, are for those whose job is catering (as on the lunch's
# own overview): the rest of the dashboard shows without them.
CATERING_PERMISSION = "events.view_catering_needs"


def _staff_page(view):
    return login_required(permission_required(DASHBOARD_PERMISSION, raise_exception=True)(view))


def _event(request) -> Event:
    """`?event=<slug>` when given (an unknown or draft slug is 404), else the running or next
    published event."""
    slug = request.GET.get("event", "").strip()
    if slug:
        return event_get(slug=slug)
    event = event_get_current()
    if event is None:
        raise Http404("No published event yet.")
    return event


@_staff_page
@require_GET
def dashboard_view(request):
    dashboard = dashboard_for_event(event=_event(request))
    charts = dashboard_charts(
        dashboard=dashboard,
        now=timezone.now(),
        show_catering=request.user.has_perm(CATERING_PERMISSION),
    )
    context = {"dashboard": dashboard, "charts": charts}
    response = render(request, "staff/dashboard.html", context)
    return private_download(response)


@_staff_page
@require_GET
def dashboard_csv_view(request):
    dashboard = dashboard_for_event(event=_event(request))
    response = csv_download(f"dashboard-{dashboard.event.slug}.csv")
    text = io.StringIO()  # a TextIO for the writer; HttpResponse is not one to the type checker
    dashboard_write_csv(dashboard=dashboard, out=text)
    response.write(text.getvalue())
    return response
