"""The sessions list in admin reads like a program: the filters that narrow it to a day, a
room or an audience, and the counts each row shows, annotated once for the whole page (10
rows or 500 cost the same queries)."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.contrib import admin
from django.db.models import Count, Q, QuerySet

from accounts.models import CareerStage

from .models import Event, Registration, Session

Status = Registration.Status


def sessions_annotate_counts(queryset: QuerySet) -> QuerySet:
    """Seats taken and waitlist length per session, in the list's one query."""
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def _chosen_events(request) -> list[Event]:
    events = Event.objects.only("pk", "name", "timezone", "starts_on", "ends_on")
    event_id = request.GET.get("event__id__exact", "")
    if event_id.isdigit():
        events = events.filter(pk=event_id)
    return list(events.order_by("starts_on", "pk"))


class DayFilter(admin.SimpleListFilter):
    """A day of the program, in each event's own zone (a session at 23:30 in Orlando is on
    that Orlando day, whatever UTC says)."""

    title = "day (event's time zone)"
    parameter_name = "day"

    def lookups(self, request, model_admin):
        days: set[dt.date] = set()
        for event in _chosen_events(request):
            span = (event.ends_on - event.starts_on).days
            days.update(event.starts_on + dt.timedelta(days=n) for n in range(span + 1))
        return [(day.isoformat(), f"{day:%a, %b %-d, %Y}") for day in sorted(days)]

    def queryset(self, request, queryset):
        try:
            day = dt.date.fromisoformat(self.value() or "")
        except ValueError:
            return queryset
        ranges = []
        for event in _chosen_events(request):
            start = dt.datetime.combine(day, dt.time(), tzinfo=event.tz)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=event.tz)
            ranges.append(Q(event=event, starts_at__gte=start, starts_at__lt=end))
        return queryset.filter(reduce(or_, ranges)) if ranges else queryset.none()


class AudienceFilter(admin.SimpleListFilter):
    """Sessions a career stage may register for: those naming it and those open to all."""

    title = "open to"
    parameter_name = "open_to"
    EVERYONE = "everyone"

    def lookups(self, request, model_admin):
        return [(self.EVERYONE, "Everyone (no audience set)"), *CareerStage.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.EVERYONE:
            return queryset.filter(audience=[])
        if value in CareerStage.values:
            return queryset.filter(Q(audience__contains=[value]) | Q(audience=[]))
        return queryset


class CancelledFilter(admin.SimpleListFilter):
    title = "cancelled"
    parameter_name = "cancelled"

    def lookups(self, request, model_admin):
        return [("no", "Taking place"), ("yes", "Cancelled")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cancelled_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(cancelled_at__isnull=True)
        return queryset


def seats_column(session: Session) -> str:
    """ "12 / 40" seats taken of the capacity; "12" when there is no limit."""
    if session.capacity is None:
        return f"{session.seats_taken}"
    return f"{session.seats_taken} / {session.capacity}"


SESSION_LIST_FILTERS = [
    "event",
    DayFilter,
    "kind",
    ("room", admin.RelatedOnlyFieldListFilter),
    "career_paths",
    AudienceFilter,
    "registration_mode",
    "is_published",
    CancelledFilter,
]
