"""Every write of feedback: the requests after each session (outbox rows, one per person and
session, ever) and a person's answer (once per person and session)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Registration, Session
from notifications.models import Notification
from notifications.services import notification_enqueue, notifications_dispatch_soon

from .models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN, SessionFeedback
from .selectors import RATINGS, REQUEST_WINDOW, feedback_request_key, feedback_requests_due
from .tokens import MAX_AGE, feedback_token

REQUEST_KIND = "session_feedback_request"
RATING_LABELS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}


def feedback_request_context(*, registration: Registration) -> dict:
    """What the email says: plain data, as the outbox wants it. Times in the event's zone."""
    session: Session = registration.session
    start, end = session.local_start(), session.local_end()
    token = feedback_token(session_id=session.pk, user_id=registration.user_id)
    page = settings.SITE_URL + reverse("feedback:respond", kwargs={"token": token})
    return {
        "session_id": session.pk,
        "session_title": session.title,
        "event_name": session.event.name,
        "when": f"{start:%A, %B %-d, %H:%M}–{end:%H:%M} ({session.event.timezone})",
        "room": session.room.name if session.room is not None else "",
        "form_url": page,
        "rating_links": [
            {"rating": n, "label": RATING_LABELS[n], "url": f"{page}?rating={n}"} for n in RATINGS
        ],
        "valid_days": MAX_AGE.days,
    }


def feedback_requests_send(*, now: datetime | None = None) -> int:
    """Queues one "How was …?" email to each person checked in at a session that has ended
    (see `feedback_requests_due`). Idempotent: the outbox key `feedback:<session>:<person>`
    is unique, so a second run, or two workers at once, queue nothing twice (the second
    insert of a key finds the first). Rows honor the person's "reminders" setting and carry
    its one-click stop link (category reminder). Returns how many people this run asked."""
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        for registration in feedback_requests_due(now=now):
            session = registration.session
            notification_enqueue(
                user=registration.user,
                kind=REQUEST_KIND,
                key=feedback_request_key(session_id=session.pk, user_id=registration.user_id),
                context=feedback_request_context(registration=registration),
                category=Notification.Category.REMINDER,
                # Never sent long after the session, even if mail is down for days.
                expires_at=session.ends_at + REQUEST_WINDOW,
                schedule=False,
            )
            queued += 1
        if queued:
            notifications_dispatch_soon()  # one dispatcher run for the whole batch
    return queued


def _clean(*, rating: object, comment: str) -> tuple[int, str]:
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise ValidationError(f"Choose a rating from {RATING_MIN} to {RATING_MAX}.")
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ValidationError(f"Choose a rating from {RATING_MIN} to {RATING_MAX}.")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(f"Keep the comment to {COMMENT_MAX_LENGTH} characters or fewer.")
    return rating, comment


@transaction.atomic
def session_feedback_create(
    *, session: Session, user: User, rating: int, comment: str = ""
) -> SessionFeedback | None:
    """Records a person's rating of a session they attended, once: returns None (and changes
    nothing) when they sent feedback for it already, also when two tabs send at the same
    moment (the database's unique constraint decides). A rating outside 1–5 is refused."""
    rating, comment = _clean(rating=rating, comment=comment)
    try:
        with transaction.atomic():
            return SessionFeedback.objects.create(
                session=session, user=user, rating=rating, comment=comment
            )
    except IntegrityError:
        if SessionFeedback.objects.filter(session=session, user=user).exists():
            return None
        raise
