"""Reads for a member's request and its review. Everything a person owns is fetched through
their own user, so someone else's id is a 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.types import AnyUser
from events.models import Event, Session, session_public_q

from ..models import ListeningRequest, ReviewLogEntry

REVIEW_PERMISSION = "listening.review_requests"
DAY_PARTS = [
    ("morning", "Morning (9:00–12:00)"),
    ("afternoon", "Afternoon (12:00–17:00)"),
    ("evening", "Evening (17:00–20:00)"),
]


def is_reviewer(user: AnyUser) -> bool:
    """Holders of the permission only: a superuser without it is no reviewer (has_perm would
    say yes to every superuser, so the permission is read from the person's own grants)."""
    if not user.is_authenticated or not user.is_active:
        return False
    app, codename = REVIEW_PERMISSION.split(".")
    return (
        user.user_permissions.filter(content_type__app_label=app, codename=codename).exists()
        or user.groups.filter(
            permissions__content_type__app_label=app, permissions__codename=codename
        ).exists()
    )


def _listening_sessions() -> QuerySet[Session]:
    return Session.objects.filter(session_public_q(), kind=Session.Kind.LISTENING)


def listening_event_get(*, slug: str | None = None) -> Event:
    """The event whose listening sessions a page is about: `slug` when given, else the
    running or next published event with listening sessions, else the latest past one."""
    events = Event.objects.public().filter(sessions__in=_listening_sessions()).distinct()
    if slug:
        return get_object_or_404(events, slug=slug)
    today = timezone.localdate()
    event = (
        events.filter(ends_on__gte=today).order_by("starts_on").first()
        or events.order_by("-ends_on").first()
    )
    if event is None:
        raise Http404("No listening sessions are planned.")
    return event


def listening_days(*, event: Event) -> list[dt.date]:
    """The days of the event's listening sessions, in the event's zone (at most three)."""
    starts = _listening_sessions().filter(event=event).values_list("starts_at", flat=True)
    days = sorted({start.astimezone(event.tz).date() for start in starts})
    return days[:3]


def availability_choices(*, event: Event) -> list[tuple[str, str]]:
    return [
        (f"{day.isoformat()}:{part}", f"{day:%A, %B} {day.day}, {label}")
        for day in listening_days(event=event)
        for part, label in DAY_PARTS
    ]


def listening_request_for_user(*, event: Event, user: AnyUser) -> ListeningRequest | None:
    if not user.is_authenticated:
        return None
    return ListeningRequest.objects.filter(event=event, user=user).first()


def listening_request_get_own(*, pk: int, user: AnyUser) -> ListeningRequest:
    return get_object_or_404(ListeningRequest, pk=pk, user=user)


def review_log_for_request(*, request: ListeningRequest) -> QuerySet[ReviewLogEntry]:
    return request.log.select_related("actor")
