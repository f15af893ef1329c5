"""Reflection and Action: counts for the diversity committee, never a person. A count below
five is shown as "fewer than 5" (on the page and in the CSV), so no one can be picked out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Q

from events.models import Event

from ..models import (
    BelongingGroup,
    Format,
    GroupPlace,
    InterviewBooking,
    ListeningRequest,
    Topic,
)
from .requests import DAY_PARTS

SMALL = 5
FEWER = "fewer than 5"


def shown(count: int) -> str:
    return FEWER if count < SMALL else str(count)


@dataclass
class ReportRow:
    section: str
    measure: str
    value: str
    count: int

    @property
    def shown(self) -> str:
        return shown(self.count)


@dataclass
class Report:
    rows: list[ReportRow]

    def section(self, name: str) -> list[ReportRow]:
        return [row for row in self.rows if row.section == name]


def _day_label(value: str) -> str:
    day, _, part = value.partition(":")
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return value
    return f"{date:%A, %B} {date.day}, {dict(DAY_PARTS).get(part, part).split(' (')[0].lower()}"


def listening_report(*, event: Event) -> Report:
    """Counts by format, topic, day and status; interviews booked, held and missed; group
    places and groups filled. Reads only lists of choice values and statuses: no name, email,
    note or free text ever enters the report."""
    requests = list(
        ListeningRequest.objects.filter(event=event).values_list(
            "status", "formats", "topics", "availability"
        )
    )
    by_status = Counter(status for status, *_ in requests)
    by_format = Counter(value for _, formats, _, _ in requests for value in set(formats))
    by_topic = Counter(value for _, _, topics, _ in requests for value in set(topics))
    by_day = Counter(value for *_, availability in requests for value in set(availability))
    rows: list[ReportRow] = [ReportRow("requests", "requests", "all", len(requests))]
    rows += [
        ReportRow("status", "status", label, by_status[value])
        for value, label in ListeningRequest.Status.choices
    ]
    rows += [
        ReportRow("format", "format", label, by_format[value]) for value, label in Format.choices
    ]
    rows += [ReportRow("topic", "topic", label, by_topic[value]) for value, label in Topic.choices]
    rows += [
        ReportRow("day", "available", _day_label(value), count)
        for value, count in sorted(by_day.items())
    ]
    bookings = Counter(
        InterviewBooking.objects.filter(event=event).values_list("status", flat=True)
    )
    rows += [
        ReportRow("interviews", "interviews", label.lower(), bookings[value])
        for value, label in InterviewBooking.Status.choices
    ]
    groups = BelongingGroup.objects.filter(event=event).annotate(
        taken=Count("places", filter=Q(places__status=GroupPlace.Status.ACTIVE))
    )
    places = sum(group.taken for group in groups)
    filled = groups.filter(taken__gte=F("capacity")).count()
    rows += [
        ReportRow("groups", "groups", "planned", len(groups)),
        ReportRow("groups", "groups", "filled", filled),
        ReportRow("groups", "group places", "places taken", places),
    ]
    return Report(rows=rows)
