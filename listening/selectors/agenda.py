"""The person's own interview and group place on "my agenda" and in their calendar feed,
under the neutral title "Private conversation" (events/hooks.py). Nobody else's page or
feed calls these with anyone but the signed-in person."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import DateTimeField, F, PositiveSmallIntegerField, Value
from django.urls import reverse

from accounts.models import Profile, User
from events.hooks import AgendaSection, CalendarAdditions, CalendarItem

from ..models import ACTIVE_BOOKING, NEUTRAL_TITLE, GroupPlace, InterviewBooking
from ..timefmt import when_in


@dataclass
class PrivateItem:
    uid: str
    starts_at: datetime
    ends_at: datetime
    when: str
    url: str
    changed_at: datetime


def private_items(*, user: User) -> list[PrivateItem]:
    """One query (a UNION): the person's active bookings and group places, in time order."""
    columns = ["pk", "kind", "start", "minutes", "end", "zone", "changed"]
    bookings = (
        InterviewBooking.objects.filter(user=user, status__in=ACTIVE_BOOKING)
        .annotate(
            kind=Value("interview"),
            start=F("slot__starts_at"),
            end=Value(None, output_field=DateTimeField()),
            zone=F("slot__event__timezone"),
            changed=F("updated_at"),
        )
        .annotate(minutes=F("slot__minutes"))
        .order_by()  # no ORDER BY inside a UNION (SQLite refuses it); sorted below
        .values_list(*columns)
    )
    places = (
        GroupPlace.objects.filter(user=user, status="active")
        .annotate(
            kind=Value("group"),
            start=F("group__starts_at"),
            end=F("group__ends_at"),
            zone=F("group__event__timezone"),
            changed=F("created_at"),
        )
        .annotate(minutes=Value(0, output_field=PositiveSmallIntegerField()))
        .order_by()
        .values_list(*columns)
    )
    items = []
    for pk, kind, start, minutes, end, zone, changed in bookings.union(places, all=True):
        tz = zoneinfo.ZoneInfo(zone)
        end = end or start + timedelta(minutes=minutes)
        length = int((end - start).total_seconds() // 60)
        items.append(
            PrivateItem(
                uid=f"listening-{kind}-{pk}",
                starts_at=start.astimezone(tz),
                ends_at=end.astimezone(tz),
                when=when_in(start, length, tz),
                url=reverse("listening:interviews" if kind == "interview" else "listening:groups"),
                changed_at=changed,
            )
        )
    return sorted(items, key=lambda item: item.starts_at)


def agenda_section_private(
    *, user: User, profile: Profile | None, registrations: list
) -> AgendaSection | None:
    items = private_items(user=user)
    if not items:
        return None
    return AgendaSection(
        template="listening/_agenda_section.html",
        context={"items": items, "title": NEUTRAL_TITLE},
        starts_at=items[0].starts_at,
    )


def calendar_private(*, user: User, registrations: list) -> CalendarAdditions:
    return CalendarAdditions(
        items=[
            CalendarItem(
                uid=item.uid,
                session=None,
                summary=NEUTRAL_TITLE,
                description="",
                sequence=0,
                last_modified=item.changed_at,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                url=item.url,
            )
            for item in private_items(user=user)
        ]
    )
