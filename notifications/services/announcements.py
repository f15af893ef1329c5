"""Staff announcements: one outbox row per person, sent by one dispatcher run after commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from django.db import transaction

from ..models import Announcement, Notification
from .outbox import notification_enqueue, notifications_dispatch_soon
from .types import Context, Person, user_column

ANNOUNCEMENT = "announcement"

P = TypeVar("P", bound=Person)


def announcement_context(
    *,
    subject: str,
    body: str,
    target: str,
    target_url: str = "",
    context: Context | None = None,
) -> Context:
    """What an announcement's templates read: the staff's subject and text, and whom it is for
    (the greeting "Dear <name>," is the template's, never the staff's)."""
    return {
        **(context or {}),
        "subject": subject,
        "body": body,
        "target": target,
        "target_url": target_url,
    }


def announcement_recipients(recipients: Iterable[P]) -> list[P]:
    """Each person once, in the order given."""
    return list({person.pk: person for person in recipients}.values())


@transaction.atomic
def announcement_send(
    *,
    subject: str,
    body: str,
    target: str,
    recipients: Iterable[Person],
    target_url: str = "",
    created_by: Person | None = None,
    context: Context | None = None,
) -> Announcement:
    """A staff message to a group, one outbox row per person (`announcement:{id}:{user_id}`);
    one dispatcher run after commit sends them all."""
    people = announcement_recipients(recipients)
    announcement = Announcement.objects.create(
        subject=subject,
        body=body,
        target=target,
        target_url=target_url,
        created_by=user_column(created_by),
        recipient_count=len(people),
    )
    data = announcement_context(
        subject=subject, body=body, target=target, target_url=target_url, context=context
    )
    for person in people:
        notification_enqueue(
            user=person,
            kind=ANNOUNCEMENT,
            key=f"announcement:{announcement.pk}:{person.pk}",
            context=data,
            category=Notification.Category.ANNOUNCEMENT,
            schedule=False,
        )
    if people:
        notifications_dispatch_soon()
    return announcement


@transaction.atomic
def announcement_send_test(
    *,
    subject: str,
    body: str,
    target: str,
    to_user: Person,
    target_url: str = "",
    context: Context | None = None,
) -> Notification:
    """A test copy of an announcement not sent yet, to `to_user` (the staff member writing
    it) and nobody else: through the outbox like the real one, its subject and first line
    marking it as a test. Not recorded as an announcement."""
    data = announcement_context(
        subject=subject, body=body, target=target, target_url=target_url, context=context
    )
    return notification_enqueue(
        user=to_user,
        kind=ANNOUNCEMENT,
        key=f"announcement-test:{uuid.uuid4().hex}",
        context={**data, "is_test": True},
        category=Notification.Category.ANNOUNCEMENT,
    )
