"""Builds the emails registration changes cause and writes them to the outbox, in the
caller's transaction: confirmations, waitlist news, reminders before each item of a
person's agenda, "your session changed" notices and staff announcements.

The context holds plain data (strings, URLs, an .ics text), because the outbox knows no
event models. Reminder due times live in the outbox rows, re-timed here when staff move a
session; the outbox never sends a row after its `expires_at` (the session's start).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import BooleanField, ExpressionWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Announcement, Notification
from notifications.services import (
    ANNOUNCEMENT,
    Hold,
    Planned,
    announcement_context,
    announcement_recipients,
    announcement_send,
    announcement_send_test,
    message_render,
    notification_cancel,
    notification_coalesce,
    notification_enqueue,
    notifications_cancel,
    notifications_plan,
)

from ..calendar import agenda_ics, registration_notes
from ..hooks import calendar_additions
from ..models import Registration, Session, session_public_q

# Several quick staff edits within this window make one "changed" notice.
CHANGE_NOTICE_DELAY = timedelta(minutes=5)
REASON_MOVED_PAST = "the session moved and this reminder's moment had passed"
REASON_REGISTRATION_CANCELLED = "the registration was cancelled"
REASON_SEAT_RELEASED = "staff reduced the seats and the person is back on the waitlist"
REASON_CHANGE_REVERTED = "the session was changed back before the notice went out"


def session_context(session: Session) -> dict:
    start, end = session.local_start(), session.local_end()
    return {
        "session_id": session.pk,
        "session_title": session.title,
        "event_name": session.event.name,
        "when": f"{start:%A, %B %-d, %Y, %H:%M}–{end:%H:%M} ({session.event.timezone})",
        "start_short": f"{start:%a, %b %-d, %H:%M} {start:%Z}",
        "starts_at": session.starts_at.isoformat(),
        "room": session.room.name if session.room_id else "",
        "location": session.room.location if session.room_id else "",
        "session_url": settings.SITE_URL + session.get_absolute_url(),
        "agenda_url": settings.SITE_URL + reverse("events:my_agenda"),
    }


def _ics_attachment(registration: Registration) -> dict:
    return {
        "filename": f"session-{registration.session_id}.ics",
        "content": agenda_ics(registrations=[registration]).decode(),
        "mimetype": "text/calendar",
    }


def _enqueue(
    registration: Registration,
    kind: str,
    *,
    with_calendar: bool = False,
    session_details: dict | None = None,
) -> None:
    """`session_details`: `session_context` of the session, when the caller built it already
    (before taking the session's lock, so the lock is not held while it is built)."""
    details = session_details or session_context(registration.session)
    context = {**details, "registration_id": registration.pk}
    if with_calendar:
        context["attachments"] = [_ics_attachment(registration)]
    notification_enqueue(
        user=registration.user, kind=kind, key=f"reg:{registration.pk}:{kind}", context=context
    )


def registration_confirmed(
    registration: Registration, *, session_details: dict | None = None
) -> None:
    _enqueue(
        registration,
        "registration_confirmed",
        with_calendar=True,
        session_details=session_details,
    )
    reminders_schedule(registration)


def registration_waitlisted(
    registration: Registration, *, session_details: dict | None = None
) -> None:
    _enqueue(registration, "registration_waitlisted", session_details=session_details)


def waitlist_promoted(registration: Registration) -> None:
    _enqueue(registration, "waitlist_promoted", with_calendar=True)
    reminders_schedule(registration)


def registration_cancelled(registration: Registration) -> None:
    """No reminders, and no pending "changed" notice, for a seat given up."""
    notifications_cancel(
        key_prefix=f"reminder:{registration.pk}:", reason=REASON_REGISTRATION_CANCELLED
    )
    notifications_cancel(
        key_prefix=f"changed:{registration.session_id}:{registration.pk}:",
        reason=REASON_REGISTRATION_CANCELLED,
    )


def seat_released(registration: Registration) -> None:
    """Staff cut the seats: the person is back on the waitlist; no reminders for a seat they
    no longer hold."""
    notifications_cancel(key_prefix=f"reminder:{registration.pk}:", reason=REASON_SEAT_RELEASED)
    context = {**session_context(registration.session), "registration_id": registration.pk}
    notification_enqueue(
        user=registration.user,
        kind="seat_released",
        key=f"reg:{registration.pk}:seat_released:{registration.created_at.isoformat()}",
        context=context,
    )


def no_show_released(registration: Registration) -> None:
    """Staff at the door gave the seat of a person not checked in to someone waiting there:
    one email per registration (the outbox key) saying why, with the times in the event's
    zone."""
    session = registration.session
    tz = session.event.tz
    released_at = (registration.cancelled_at or timezone.now()).astimezone(tz)
    context = {
        **session_context(session),
        "registration_id": registration.pk,
        "released_at": f"{released_at:%H:%M} ({session.event.timezone})",
        "minutes": session.event.no_show_release_minutes,
    }
    notification_enqueue(
        user=registration.user,
        kind="no_show_released",
        key=f"reg:{registration.pk}:no_show_released",
        context=context,
    )


def session_cancelled(registration: Registration, *, status: str, reason: str) -> None:
    """Staff cancelled the session: one email per person (the outbox key), whatever they held;
    their reminders and pending "changed" notices are dropped."""
    registration_cancelled(registration)
    session = registration.session
    notification_enqueue(
        user=registration.user,
        kind="session_cancelled",
        key=f"session:{session.pk}:cancelled:{registration.user_id}",
        context={**session_context(session), "status": status, "reason": reason},
    )


def registration_cancellation(
    registration: Registration, *, gave_up: str, position: int | None
) -> None:
    """The email confirming what the person gave up (`gave_up`: see `rules.registration_stake`,
    read before the cancellation); once per registration (the outbox key)."""
    context = {
        **session_context(registration.session),
        "registration_id": registration.pk,
        "gave_up": gave_up,
        "position": position,
        "mode": registration.session.registration_mode,
    }
    notification_enqueue(
        user=registration.user,
        kind="registration_cancelled",
        key=f"reg:{registration.pk}:registration_cancelled",
        context=context,
    )


# --- reminders -------------------------------------------------------------------------------


def reminder_moments(session: Session) -> list[tuple[int, datetime, datetime]]:
    """(offset in minutes, due, expires) of each of the event's reminders before `session`.

    Each reminder expires when the next one falls due (the last one when the session starts):
    a reminder held up by an outage is dropped rather than sent late, or twice. Times are
    absolute, so "24 hours before" stays 24 hours across a daylight-saving change."""
    starts_at = session.starts_at.astimezone(UTC)
    offsets = sorted(set(session.event.reminder_offsets or []), reverse=True)
    return [
        (offset, starts_at - timedelta(minutes=offset), starts_at - timedelta(minutes=next_offset))
        for offset, next_offset in zip(offsets, [*offsets[1:], 0], strict=True)
    ]


def _reminder_plans(registration: Registration, session: Session) -> list[Planned]:
    context = {**session_context(session), "registration_id": registration.pk}
    return [
        Planned(
            key=f"reminder:{registration.pk}:{offset}",
            user=registration.user,
            kind="session_reminder",
            context={**context, "offset_minutes": offset},
            due_at=due_at,
            expires_at=expires_at,
            category=Notification.Category.REMINDER,
        )
        for offset, due_at, expires_at in reminder_moments(session)
    ]


def reminders_schedule(registration: Registration) -> None:
    """One row per offset of the event, due that long before the session starts; an offset
    whose moment has already passed is skipped (never sent late)."""
    notifications_plan(
        planned=_reminder_plans(registration, registration.session),
        passed_reason=REASON_MOVED_PAST,
    )


# --- staff changes ---------------------------------------------------------------------------


def session_snapshot(session: Session) -> dict:
    """What people were told, taken before a staff edit."""
    return {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room_id": session.room_id,
        "when": session_context(session)["when"],
        "room": session.room.name if session.room_id else "",
    }


def session_updated(session: Session, *, before: dict) -> None:
    """After a staff edit (session row locked): pending reminders follow the new time, and a
    move (time or room) queues one "changed" notice per registrant, batched over a few
    minutes so several quick edits make one email."""
    registrations = list(
        Registration.objects.active().filter(session=session).select_related("user").order_by("pk")
    )
    for registration in registrations:
        registration.session = session  # the edited instance, not a fresh copy
    confirmed = [r for r in registrations if r.status == Registration.Status.CONFIRMED]
    notifications_plan(
        planned=[plan for r in confirmed for plan in _reminder_plans(r, session)],
        passed_reason=REASON_MOVED_PAST,
    )
    moved = (before["starts_at"], before["ends_at"], before["room_id"]) != (
        session.starts_at,
        session.ends_at,
        session.room_id,
    )
    if not moved:
        return
    now = timezone.now()
    base = session_context(session)
    for registration in registrations:
        context = {**base, "registration_id": registration.pk, "status": registration.status}
        if registration.status == Registration.Status.CONFIRMED:
            context["attachments"] = [_ics_attachment(registration)]
        prefix = f"changed:{session.pk}:{registration.pk}:"
        row = notification_coalesce(
            key_prefix=prefix,
            key=f"{prefix}{session.sequence}",
            user=registration.user,
            kind="session_changed",
            context=context,
            initial={"previous_when": before["when"], "previous_room": before["room"]},
            due_at=now + CHANGE_NOTICE_DELAY,
            expires_at=session.ends_at,
        )
        seen = row.context
        if (seen.get("previous_when"), seen.get("previous_room")) == (seen["when"], seen["room"]):
            notification_cancel(notification=row, reason=REASON_CHANGE_REVERTED)


ANNOUNCE_LABELS = {"confirmed": "people with a seat", "waitlisted": "the waitlist"}


def session_announce_audience(*, session: Session, statuses: list[str]) -> list:
    """The people an announcement to the session's registrants with `statuses` reaches, each
    once, in arrival order."""
    return announcement_recipients(
        r.user
        for r in Registration.objects.filter(session=session, status__in=statuses)
        .select_related("user")
        .order_by("pk")
    )


def _announcement_about(session: Session, statuses: list[str]) -> tuple[list, dict]:
    """(recipients, whom the message is for in words, with the session's details)."""
    recipients = session_announce_audience(session=session, statuses=statuses)
    who = " and ".join(ANNOUNCE_LABELS[s] for s in statuses)
    about = {
        "target": f"{who} of “{session.title}” ({session.event.name})",
        "target_url": settings.SITE_URL + session.get_absolute_url(),
        "context": session_context(session),
    }
    return recipients, about


def session_announce(
    *,
    session: Session,
    subject: str,
    body: str,
    statuses: list[str],
    created_by: User | None = None,
) -> Announcement:
    """A staff message to the session's registrants with the chosen statuses."""
    recipients, about = _announcement_about(session, statuses)
    return announcement_send(
        subject=subject, body=body, recipients=recipients, created_by=created_by, **about
    )


def session_announce_test(
    *, session: Session, subject: str, body: str, statuses: list[str], user: User
) -> Notification:
    """The announcement as `session_announce` would send it, to `user` only, marked as a
    test (the staff member checks it in their own inbox before sending)."""
    _, about = _announcement_about(session, statuses)
    return announcement_send_test(subject=subject, body=body, to_user=user, **about)


@dataclass(frozen=True)
class AnnouncementPreview:
    recipients: int  # how many people `session_announce` would send it to
    shown_for: object  # the person the message is rendered for (a recipient if any)
    message: EmailMultiAlternatives


def session_announce_preview(
    *, session: Session, subject: str, body: str, statuses: list[str], fallback_user: User
) -> AnnouncementPreview:
    """The exact email the first recipient would get (the outbox's own rendering), and how
    many people would get one; rendered for `fallback_user` when nobody would. Sends and
    stores nothing."""
    recipients, about = _announcement_about(session, statuses)
    shown_for = recipients[0] if recipients else fallback_user
    message = message_render(
        kind=ANNOUNCEMENT,
        context=announcement_context(subject=subject, body=body, **about),
        user=shown_for,
        category=Notification.Category.ANNOUNCEMENT,
    )
    return AnnouncementPreview(recipients=len(recipients), shown_for=shown_for, message=message)


# --- nothing about a draft goes out ------------------------------------------------------------

REASON_DRAFT_HELD = (
    "held: the session is not published (a draft in admin); it goes out once it is published"
)
REASON_DRAFT_ENDED = "the session ended without being published"
REASON_SESSION_GONE = "the session no longer exists"
# How often a row held for a draft is looked at again: once the session is published, its
# mail goes out within this time.
DRAFT_RECHECK = timedelta(minutes=10)


def session_send_check(*, kind: str, category: str, context: dict) -> Hold | None:
    """Asked by the outbox before it sends a row (registered in `EventsConfig.ready`). Mail
    about a session (its context carries `session_id`, see `session_context`) goes out only
    while the session is public: while it or its event is a draft the row waits, pending,
    and goes out once staff publish it again (a reminder still only until it expires); a
    draft that ends unpublished, or a deleted session, cancels it. Staff announcements,
    written in admin where drafts are visible, are the staff's own choice and go out."""
    session_id = context.get("session_id")
    if not session_id or category == Notification.Category.ANNOUNCEMENT:
        return None
    # One light query per row: the outbox may send thousands in a run.
    found = (
        Session.objects.filter(pk=session_id)
        .annotate(is_public=ExpressionWrapper(session_public_q(), output_field=BooleanField()))
        .values_list("is_public", "ends_at")
        .first()
    )
    if found is None:
        return Hold(REASON_SESSION_GONE)
    is_public, ends_at = found
    if is_public:
        return None
    now = timezone.now()
    if now >= ends_at:
        return Hold(REASON_DRAFT_ENDED)
    return Hold(REASON_DRAFT_HELD, until=min(now + DRAFT_RECHECK, ends_at))


def reminder_personal_details(context: dict) -> dict:
    """Send-time details of a reminder: the person's lunch tables or Blood Buddies rounds as
    they are when the reminder goes out, not as they were when it was planned."""
    registration_id = context.get("registration_id")
    if not registration_id:
        return {}
    registration = (
        Registration.objects.confirmed()
        .select_related("session__event", "session__room", "user")
        .filter(pk=registration_id)
        .first()
    )
    # Only the lunch (tables) and speed mentoring (rounds) have personal details to add.
    if registration is None or registration.session.registration_mode not in {
        Session.Mode.TABLES,
        Session.Mode.MATCHED,
    }:
        return {}
    extra = calendar_additions(user=registration.user, registrations=[registration])
    notes = registration_notes(registrations=[registration], extra=extra)
    return {"personal_notes": notes.get(registration.pk, [])}
