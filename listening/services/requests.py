"""A member's request to take part and its private review. Every write is one transaction;
each decision is logged for reviewers and emailed once (the outbox key is the request's)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event
from notifications.services import notification_enqueue

from ..models import NOTE_MAX_LENGTH, Format, ListeningRequest, ReviewLogEntry, Topic
from ..selectors.requests import availability_choices

Status = ListeningRequest.Status
OPEN_STATUSES = (Status.SUBMITTED,)  # a person may still edit or withdraw


def _clean(*, event: Event, data: dict) -> dict:
    """The rules of a request, whatever sent it (the form checks the same; a forged post that
    skips the form still ends here)."""
    formats = list(dict.fromkeys(data.get("formats") or []))
    topics = list(dict.fromkeys(data.get("topics") or []))
    availability = list(dict.fromkeys(data.get("availability") or []))
    errors: dict[str, str] = {}
    if not formats or not set(formats) <= set(Format.values):
        errors["formats"] = "Choose the interview, a group conversation or both."
    if not topics or not set(topics) <= set(Topic.values):
        errors["topics"] = "Choose at least one topic from the list."
    topic_other = (data.get("topic_other") or "").strip()
    if Topic.OTHER in topics and not topic_other:
        errors["topic_other"] = "Say in a few words which other topic you want to speak to."
    if Topic.OTHER not in topics:
        topic_other = ""
    allowed = {value for value, _ in availability_choices(event=event)}
    if not set(availability) <= allowed:
        errors["availability"] = "Choose among the listed days and times."
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = (
            f"Keep the note to {NOTE_MAX_LENGTH:,} characters (you typed {len(note):,})."
        )
    time_zone = data.get("time_zone") or ""
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = "Choose your time zone from the list."
    if data.get("consent") is not True:
        errors["consent"] = "We can only contact you with your consent: tick the box."
    if errors:
        raise ValidationError(errors)
    return {
        "formats": formats,
        "topics": topics,
        "topic_other": topic_other,
        "availability": availability,
        "note": note,
        "time_zone": time_zone,
    }


def _log(*, request: ListeningRequest, actor: User | None, action: str, detail: str = "") -> None:
    ReviewLogEntry.objects.create(request=request, actor=actor, action=action, detail=detail)


@transaction.atomic
def listening_request_submit(*, event: Event, user: User, data: dict) -> ListeningRequest:
    """Sends the person's request, or changes it while it waits for review. A withdrawn
    request may be sent again; a decided one stays as it is."""
    clean = _clean(event=event, data=data)
    existing = ListeningRequest.objects.select_for_update().filter(event=event, user=user).first()
    if existing is not None and existing.status not in (Status.SUBMITTED, Status.WITHDRAWN):
        raise ValidationError(
            f"Your request was already {existing.get_status_display().lower()}; it can no"
            " longer be changed.",
            code="decided",
        )
    request = existing or ListeningRequest(event=event, user=user)
    action = "submitted" if existing is None or existing.status == Status.WITHDRAWN else "edited"
    for field, value in clean.items():
        setattr(request, field, value)
    request.status = Status.SUBMITTED
    request.consent = True
    request.consent_at = timezone.now()
    request.full_clean(exclude=["event", "user", "decided_by"], validate_unique=False)
    request.save()
    _log(request=request, actor=user, action=action)
    return request


@transaction.atomic
def listening_request_withdraw(*, event: Event, user: User) -> ListeningRequest:
    request = ListeningRequest.objects.select_for_update().filter(event=event, user=user).first()
    if request is None:
        raise ValidationError("You have no request to withdraw.", code="no_request")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            f"Your request was already {request.get_status_display().lower()}; it can no"
            " longer be withdrawn.",
            code="decided",
        )
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    _log(request=request, actor=user, action="withdrawn")
    return request


def _decision_context(request: ListeningRequest, message: str) -> dict:
    return {
        "event_name": request.event.name,
        "formats": [Format(value).label for value in request.formats if value in Format.values],
        "message": message,
        "listening_url": settings.SITE_URL
        + reverse("listening:index")
        + f"?event={request.event.slug}",
    }


@transaction.atomic
def listening_request_decide(
    *, request: ListeningRequest, accept: bool, message: str = "", reviewer: User
) -> ListeningRequest:
    """A reviewer accepts or declines a waiting request, with an optional message to the
    person. A decision is final: a second one is refused and changes nothing. The email goes
    once, through the outbox, in this transaction."""
    request = (
        ListeningRequest.objects.select_for_update()
        .select_related("event", "user")
        .get(pk=request.pk)
    )
    if request.status not in OPEN_STATUSES:
        raise ValidationError(
            f"Request #{request.pk} is {request.get_status_display().lower()}; only submitted"
            " requests can be decided.",
            code="decided",
        )
    message = message.strip()
    if len(message) > NOTE_MAX_LENGTH:
        raise ValidationError(
            f"Keep the message to {NOTE_MAX_LENGTH:,} characters.", code="message_too_long"
        )
    request.status = Status.ACCEPTED if accept else Status.DECLINED
    request.decision_message = message
    request.decided_by = reviewer
    request.decided_at = timezone.now()
    request.full_clean(exclude=["event", "user", "decided_by"], validate_unique=False)
    request.save(
        update_fields=["status", "decision_message", "decided_by", "decided_at", "updated_at"]
    )
    _log(request=request, actor=reviewer, action=request.status, detail=message)
    notification_enqueue(
        user=request.user,
        kind=f"listening_{request.status}",
        key=f"listening-request:{request.pk}:{request.status}",
        context=_decision_context(request, message),
    )
    return request


def listening_requests_decide(
    *, requests: Iterable[ListeningRequest], accept: bool, message: str = "", reviewer: User
) -> tuple[int, list[str]]:
    """Decides several requests, each in its own transaction (one refused request does not
    undo the others). Returns how many were decided and why the others were not."""
    decided, refused = 0, []
    for request in requests:
        try:
            listening_request_decide(
                request=request, accept=accept, message=message, reviewer=reviewer
            )
        except ValidationError as exc:
            refused.append(exc.messages[0])
        else:
            decided += 1
    return decided, refused
