"""The emails bookings and group places cause, written to the outbox in the caller's
transaction: a confirmation with an .ics, reminders before the conversation (the event's
reminder offsets) and a cancellation. Each says "Private conversation" wherever a calendar
or a mail preview might show it to someone else; the meeting link is in the body only."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from notifications.models import Notification
from notifications.services import (
    Planned,
    notification_enqueue,
    notifications_cancel,
    notifications_plan,
)

from ..models import NEUTRAL_TITLE, BelongingGroup, GroupPlace, InterviewBooking
from ..timefmt import when_both, when_in, zone_or

REASON_CANCELLED = "the booking or place was cancelled"
REASON_PASSED = "the conversation's reminder moment had passed"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"


def ics_text(*, uid: str, starts_at: datetime, ends_at: datetime, tz, url: str) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Trainee Career Events//EN")
    calendar.add("version", "2.0")
    item = VEvent()
    item.add("uid", f"{uid}@{_host()}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", starts_at.astimezone(tz))
    item.add("dtend", ends_at.astimezone(tz))
    item.add("summary", NEUTRAL_TITLE)
    item.add("description", f"Details and the meeting link: {url}")
    item.add("url", url)
    item.add("status", "CONFIRMED")
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _booking_context(booking: InterviewBooking) -> dict:
    slot, event = booking.slot, booking.event
    request = booking.user.listening_requests.filter(event=event).first()
    own = zone_or(request.time_zone if request else event.timezone, event.tz)
    url = settings.SITE_URL + reverse("listening:interviews")
    return {
        "event_name": event.name,
        "when": when_both(slot.starts_at, slot.minutes, event_tz=event.tz, own_tz=own),
        "minutes": slot.minutes,
        "facilitator": slot.facilitator.get_full_name(),
        "meeting_url": slot.meeting_url,
        "page_url": url,
        "cutoff_hours": settings.LISTENING_CHANGE_CUTOFF_HOURS,
    }


def _reminders(*, prefix: str, user, kind: str, context: dict, starts_at, offsets) -> None:
    starts_at = starts_at.astimezone(UTC)
    offsets = sorted(set(offsets or []), reverse=True)
    notifications_plan(
        planned=[
            Planned(
                key=f"{prefix}reminder:{offset}",
                user=user,
                kind=kind,
                context={**context, "offset_minutes": offset},
                due_at=starts_at - timedelta(minutes=offset),
                expires_at=starts_at - timedelta(minutes=following),
                category=Notification.Category.REMINDER,
            )
            for offset, following in zip(offsets, [*offsets[1:], 0], strict=True)
        ],
        passed_reason=REASON_PASSED,
    )


def booking_confirmed(booking: InterviewBooking) -> None:
    slot = booking.slot
    context = _booking_context(booking)
    context["attachments"] = [
        {
            "filename": "private-conversation.ics",
            "content": ics_text(
                uid=f"listening-interview-{booking.pk}",
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + timedelta(minutes=slot.minutes),
                tz=booking.event.tz,
                url=context["page_url"],
            ),
            "mimetype": "text/calendar",
        }
    ]
    prefix = f"listening-booking:{booking.pk}:"
    notification_enqueue(
        user=booking.user, kind="listening_interview_booked", key=f"{prefix}booked", context=context
    )
    context.pop("attachments")
    _reminders(
        prefix=prefix,
        user=booking.user,
        kind="listening_interview_reminder",
        context=context,
        starts_at=slot.starts_at,
        offsets=booking.event.reminder_offsets,
    )


def booking_cancelled(booking: InterviewBooking, *, moved: bool = False) -> None:
    prefix = f"listening-booking:{booking.pk}:"
    notifications_cancel(key_prefix=f"{prefix}reminder:", reason=REASON_CANCELLED)
    if moved:
        return  # the new booking's confirmation says where the interview went
    notification_enqueue(
        user=booking.user,
        kind="listening_interview_cancelled",
        key=f"{prefix}cancelled",
        context=_booking_context(booking),
    )


def booking_withdrawn(booking: InterviewBooking) -> None:
    """The facilitator can no longer hold the interview: the person may book another slot."""
    prefix = f"listening-booking:{booking.pk}:"
    notifications_cancel(key_prefix=f"{prefix}reminder:", reason=REASON_CANCELLED)
    notification_enqueue(
        user=booking.user,
        kind="listening_interview_withdrawn",
        key=f"{prefix}withdrawn",
        context=_booking_context(booking),
    )


def _group_context(place: GroupPlace) -> dict:
    group: BelongingGroup = place.group
    event = group.event
    request = place.user.listening_requests.filter(event=event).first()
    own = zone_or(request.time_zone if request else event.timezone, event.tz)
    minutes = int((group.ends_at - group.starts_at).total_seconds() // 60)
    return {
        "event_name": event.name,
        "title": group.title,
        "topic": group.get_topic_display(),
        "when": when_both(group.starts_at, minutes, event_tz=event.tz, own_tz=own),
        "event_when": when_in(group.starts_at, minutes, event.tz),
        "facilitators": ", ".join(f.get_full_name() for f in group.facilitators.all()),
        "meeting_url": group.meeting_url,
        "page_url": settings.SITE_URL + reverse("listening:groups"),
    }


def place_confirmed(place: GroupPlace) -> None:
    group = place.group
    context = _group_context(place)
    prefix = f"listening-place:{place.pk}:"
    context_with_ics = {
        **context,
        "attachments": [
            {
                "filename": "private-conversation.ics",
                "content": ics_text(
                    uid=f"listening-group-{place.pk}",
                    starts_at=group.starts_at,
                    ends_at=group.ends_at,
                    tz=group.event.tz,
                    url=context["page_url"],
                ),
                "mimetype": "text/calendar",
            }
        ],
    }
    notification_enqueue(
        user=place.user,
        kind="listening_group_joined",
        key=f"{prefix}joined",
        context=context_with_ics,
    )
    _reminders(
        prefix=prefix,
        user=place.user,
        kind="listening_group_reminder",
        context=context,
        starts_at=group.starts_at,
        offsets=group.event.reminder_offsets,
    )


def place_cancelled(place: GroupPlace) -> None:
    notifications_cancel(
        key_prefix=f"listening-place:{place.pk}:reminder:", reason=REASON_CANCELLED
    )
