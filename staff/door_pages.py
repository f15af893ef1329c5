"""Which sessions have a door page of their own: the career lunch (seats by rotation and
table) and a Blood Buddies slot (conversations by round)."""

from django.urls import reverse

from events.models import Session
from mentorship.models import SpeedMentoringSlot


def door_page_url(session: Session) -> str:
    """The lunch's or the slot's door page, or "" for the ordinary check-in list."""
    if session.registration_mode == Session.Mode.TABLES:
        return reverse("staff:checkin_lunch", kwargs={"session_id": session.pk})
    if (
        session.registration_mode == Session.Mode.MATCHED
        and SpeedMentoringSlot.objects.filter(session=session).exists()
    ):
        return reverse("staff:checkin_rounds", kwargs={"session_id": session.pk})
    return ""
