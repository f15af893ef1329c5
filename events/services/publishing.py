"""Drafts and publishing: staff build sessions (or a whole event) unseen, then publish.

Publishing only makes a session visible: it writes no email. A first publication has nobody
to tell (a draft takes no registration), and a session taken back to draft and published
again lets the emails that waited for it go out on their own (notifications hold them).
"""

from django.db import transaction

from config.audit import audit_record
from events.models import Event, Session

from .cache import agenda_cache_bump
from .registrations import session_update


@transaction.atomic
def session_publish_set(*, session: Session, is_published: bool, by=None) -> bool:
    """Publishes a session or takes it back to draft; False when it already was so."""
    if session.is_published == is_published:
        return False
    session_update(session=session, changes={"is_published": is_published})
    audit_record(
        user=by, obj=session, message="Published." if is_published else "Taken back to draft."
    )
    return True


@transaction.atomic
def event_publish(*, event: Event, by=None) -> int:
    """Publishes the event and every draft session of it, at once; returns how many sessions
    were drafts."""
    count = 0
    for session in Session.objects.filter(event=event, is_published=False).order_by("pk"):
        count += session_publish_set(session=session, is_published=True, by=by)
    if not event.is_published:
        Event.objects.filter(pk=event.pk).update(is_published=True)
        event.is_published = True
        audit_record(user=by, obj=event, message="Published.")
    agenda_cache_bump(event.pk)
    return count
