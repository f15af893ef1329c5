"""The audit trail: who changed what, when, in Django admin's own history (LogEntry).

Admin's change forms write their history rows themselves; the actions and services that
change things outside a change form (publishing, importing, cloning, the Blood Buddies
matching, announcements, resending an email) call `audit_record`, so staff read every change
of an object on its admin "History" page, in one place. The outbox uses it too, which is why
it lives here and not in an app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models

MAX_VALUE = 80  # characters of a value shown in a history line


def audit_value(value: Any) -> str:
    """A value as a history line shows it: lists joined, empty as "(empty)", long text cut."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list | tuple | set):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """ "Changed capacity: 40 → 30; room: W230 → W231." for the fields whose value differs."""
    parts = [
        f"{name.replace('_', ' ')}: {audit_value(before.get(name))} → {audit_value(value)}"
        for name, value in after.items()
        if before.get(name) != value
    ]
    return f"Changed {'; '.join(parts)}." if parts else ""


def audit_record(
    *, user: Any, obj: models.Model, message: str, added: bool = False
) -> LogEntry | None:
    """One history row on `obj`'s admin page. Nothing is written without a person to name
    (a command run from a shell, a test calling a service) or without a message."""
    if user is None or not getattr(user, "pk", None) or not message:
        return None
    return LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=ADDITION if added else CHANGE,
        change_message=message,
    )


def audit_record_many(*, user: Any, objects: Iterable[models.Model], message: str) -> None:
    for obj in objects:
        audit_record(user=user, obj=obj, message=message)
