"""Retention: a person's listening-session data lives only as long as it serves the event.
`LISTENING_RETENTION_DAYS` after an event ends, its requests (with their review log),
interview bookings and group places are deleted; slots and groups stay (they name only
facilitators), so the counts of held interviews go with the bookings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import Event

from ..models import GroupPlace, InterviewBooking, ListeningRequest, ReviewLogEntry


@dataclass
class PurgeCounts:
    events: list[str]
    requests: int
    log_entries: int
    bookings: int
    places: int


def events_past_retention(*, today: dt.date | None = None, days: int | None = None):
    days = settings.LISTENING_RETENTION_DAYS if days is None else days
    today = today or timezone.localdate()
    return Event.objects.filter(ends_on__lt=today - dt.timedelta(days=days))


@transaction.atomic
def listening_data_purge(
    *, today: dt.date | None = None, days: int | None = None, dry_run: bool = False
) -> PurgeCounts:
    """Deletes the personal listening data of every event past retention (or, with
    `dry_run`, only counts it). Running it twice deletes nothing the second time."""
    events = events_past_retention(today=today, days=days)
    requests = ListeningRequest.objects.filter(event__in=events)
    log = ReviewLogEntry.objects.filter(request__in=requests)
    bookings = InterviewBooking.objects.filter(event__in=events)
    places = GroupPlace.objects.filter(group__event__in=events)
    counts = PurgeCounts(
        events=list(events.values_list("slug", flat=True)),
        requests=requests.count(),
        log_entries=log.count(),
        bookings=bookings.count(),
        places=places.count(),
    )
    if not dry_run:
        places.delete()
        bookings.delete()
        log.delete()
        requests.delete()
    return counts
