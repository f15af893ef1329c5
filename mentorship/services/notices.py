"""The Blood Buddies emails, written to the outbox in the caller's transaction. The context is
plain data (the outbox knows no mentorship models). Keys make each notice unique: one email
per person for a publication, one per person per repair that changed their rounds."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from events.services.notices import session_context
from notifications.services import notification_enqueue

from ..models import SpeedMentoringSlot
from ..selectors import PersonSchedule, rounds_text, schedules_for_people


def _rounds_context(slot: SpeedMentoringSlot, schedule: PersonSchedule) -> list[dict]:
    tz = slot.session.event.tz
    return [
        {
            "number": view.number,
            "when": f"{view.starts_at.astimezone(tz):%H:%M}–{view.ends_at.astimezone(tz):%H:%M}",
            "table": view.table,
            "partners": [
                {"name": p.name, "stage": p.stage, "topics": ", ".join(p.topics)}
                for p in view.partners
            ],
        }
        for view in schedule.rounds
    ]


def _enqueue(*, slot: SpeedMentoringSlot, user_ids: Iterable[int], kind: str, key: str) -> None:
    schedules = schedules_for_people(slot=slot)
    users = User.objects.in_bulk(list(user_ids))
    schedule_url = settings.SITE_URL + reverse(
        "mentorship:my_schedule", kwargs={"session_id": slot.session_id}
    )
    base = session_context(slot.session)
    for user_id in sorted(users):
        schedule = schedules.get(user_id)
        if schedule is None:
            continue
        notification_enqueue(
            user=users[user_id],
            kind=kind,
            key=key.format(slot=slot.pk, user=user_id, revision=slot.revision),
            context={
                **base,
                "role": schedule.role,
                "rounds": _rounds_context(slot, schedule),
                "rounds_text": rounds_text(slot=slot, rounds=schedule.rounds, role=schedule.role),
                "meeting_count": schedule.meeting_count,
                "schedule_url": schedule_url,
            },
        )


def schedule_published(*, slot: SpeedMentoringSlot, user_ids: Iterable[int]) -> None:
    _enqueue(
        slot=slot,
        user_ids=user_ids,
        kind="mentoring_schedule_published",
        key="bb:{slot}:published:{user}",
    )


def schedule_changed(*, slot: SpeedMentoringSlot, user_ids: Iterable[int]) -> None:
    """Call after bumping the slot's revision."""
    _enqueue(
        slot=slot,
        user_ids=user_ids,
        kind="mentoring_schedule_changed",
        key="bb:{slot}:changed:{revision}:{user}",
    )
