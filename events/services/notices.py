"""Builds the emails registration changes cause and writes them to the outbox.

The context holds plain data (strings, URLs), because the outbox knows no event models.
"""

from django.conf import settings
from django.urls import reverse

from notifications.services import notification_enqueue

from ..models import Registration, Session


def session_context(session: Session) -> dict:
    start, end = session.local_start(), session.local_end()
    return {
        "session_id": session.pk,
        "session_title": session.title,
        "event_name": session.event.name,
        "when": f"{start:%A %-d %B %Y, %H:%M}–{end:%H:%M} ({session.event.timezone})",
        "room": session.room.name if session.room_id else "",
        "session_url": settings.SITE_URL + session.get_absolute_url(),
        "agenda_url": settings.SITE_URL + reverse("events:my_agenda"),
    }


def _enqueue(registration: Registration, kind: str) -> None:
    notification_enqueue(
        user=registration.user,
        kind=kind,
        key=f"reg:{registration.pk}:{kind}",
        context={**session_context(registration.session), "registration_id": registration.pk},
    )


def registration_confirmed(registration: Registration) -> None:
    _enqueue(registration, "registration_confirmed")


def registration_waitlisted(registration: Registration) -> None:
    _enqueue(registration, "registration_waitlisted")


def waitlist_promoted(registration: Registration) -> None:
    _enqueue(registration, "waitlist_promoted")
