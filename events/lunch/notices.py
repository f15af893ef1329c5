"""The career lunch's emails, written to the outbox in the transaction of the change.

- A person's own changes (joining, taking, switching or dropping a table) make one email per
  quick series: the first change queues it a few minutes ahead and later changes in that
  window are gathered into it (`notification_coalesce`). The first email after joining is
  `lunch_joined` ("on your agenda", with the .ics); later ones are `lunch_tables_changed`.
- A seat freed by someone else is news the person did not ask for, so `lunch_table_promoted`
  goes out at once.
- Every lunch email lists what the person holds, rotation by rotation, read when it is sent
  (`lunch_notice_details`, a context provider), so a waitlist place or a walk-in is never
  called a confirmed seat and an email never repeats a table given up meanwhile.
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.calendar import agenda_ics
from events.models import Registration, Session, TableSeat
from events.services import notices
from notifications.models import Notification
from notifications.services import (
    notification_coalesce,
    notification_enqueue,
    notifications_cancel,
)

from .selectors import lunch_holdings, rotation_when

# Picks made within this window after the first one make one email.
LUNCH_NOTICE_DELAY = timedelta(minutes=2)
LUNCH_NOTICE_KINDS = ("lunch_joined", "lunch_tables_changed", "lunch_table_promoted")
REASON_LEFT_LUNCH = "the person left the lunch before the email went out"
REASON_SEAT_GIVEN_UP = "the seat was given up before the email went out"


def _key_prefix(session: Session, user: User) -> str:
    return f"lunch:{session.pk}:{user.pk}:"


def _tables_url(session: Session) -> str:
    path = reverse("events:lunch_grid", kwargs={"slug": session.event.slug, "pk": session.pk})
    return settings.SITE_URL + path


def lunch_picks_notice(*, registration: Registration, joined: bool) -> Notification:
    """After the person's own change (call with the lunch's session row locked): queues the
    email a few minutes ahead, or folds the change into the one already waiting."""
    session, user = registration.session, registration.user
    prefix = _key_prefix(session, user)
    now = timezone.now()
    # Serialised by the lunch's row lock: the number of earlier emails keeps keys unique.
    number = Notification.objects.filter(key__startswith=prefix).count() + 1
    context = {
        **notices.session_context(session),
        "registration_id": registration.pk,
        "tables_url": _tables_url(session),
        # Refreshed with every change, so the calendar file has the latest tables.
        "attachments": [
            {
                "filename": f"session-{session.pk}.ics",
                "content": agenda_ics(registrations=[registration]).decode(),
                "mimetype": "text/calendar",
            }
        ],
    }
    return notification_coalesce(
        key_prefix=prefix,
        key=f"{prefix}{number}",
        user=user,
        kind="lunch_joined" if joined else "lunch_tables_changed",
        context=context,
        due_at=now + LUNCH_NOTICE_DELAY,
        expires_at=session.ends_at,
    )


def lunch_promoted_notice(*, session: Session, seat: TableSeat, registration: Registration) -> None:
    """A seat opened at a table the person waited for: told at once."""
    rotation, table = seat.rotation, seat.table
    notification_enqueue(
        user=seat.user,
        kind="lunch_table_promoted",
        key=f"tableseat:{seat.pk}:promoted",
        context={
            **notices.session_context(session),
            "registration_id": registration.pk,
            "rotation_number": rotation.number,
            "rotation_when": rotation_when(rotation, session.event.tz),
            "table_label": f"Table {table.number} ({table.career_path.name})",
            "table_title": table.title,
            "tables_url": _tables_url(session),
        },
    )


def lunch_seat_notices_cancel(*, seat: TableSeat) -> None:
    """A seat given up before its "a seat opened" email went out: the email would be wrong."""
    notifications_cancel(key_prefix=f"tableseat:{seat.pk}:promoted", reason=REASON_SEAT_GIVEN_UP)


def lunch_notices_cancel(*, session: Session, user: User) -> None:
    """The person left the lunch: no "on your agenda" or "your tables" email still waiting."""
    notifications_cancel(key_prefix=_key_prefix(session, user), reason=REASON_LEFT_LUNCH)


def lunch_notice_details(context: dict) -> dict:
    """Send-time context of every lunch email: the person's tables, rotation by rotation."""
    registration_id = context.get("registration_id")
    holdings = lunch_holdings(registration_id=registration_id) if registration_id else None
    if holdings is None:
        return {"lunch_lines": [], "lunch_seated": False, "lunch_waiting": False}
    return {
        "lunch_lines": holdings.lines,
        "lunch_seated": holdings.is_seated,
        "lunch_waiting": holdings.is_waiting,
    }
