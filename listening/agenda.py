"""What the agenda says about listening sessions (events/hooks.py): where to ask to take part.
No query: the agenda's sessions come with their event."""

from django.urls import reverse
from django.utils import timezone

from accounts.types import AnyUser
from events.hooks import SessionNote
from events.models import Session


def listening_session_notes(*, sessions: list[Session], user: AnyUser) -> dict[int, SessionNote]:
    now = timezone.now()
    return {
        session.pk: SessionNote(
            link_url=reverse("listening:index") + f"?event={session.event.slug}",
            link_text="Ask to take part in the listening sessions",
        )
        for session in sessions
        if session.kind == Session.Kind.LISTENING and session.ends_at > now
    }
