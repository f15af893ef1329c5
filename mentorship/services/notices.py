"""The Blood Buddies emails, written to the outbox in the caller's transaction. The context is
plain data (the outbox knows no mentorship models). Keys make each notice unique: one email
per person for a publication, one per person per repair that changed their rounds, one per
trainee for a mentor they ranked who withdrew."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from events.models import Registration
from events.services.notices import REASON_MOVED_PAST, reminder_moments, session_context
from notifications.models import Notification
from notifications.services import (
    Planned,
    notification_enqueue,
    notifications_cancel,
    notifications_plan,
)

from ..models import MentorOffer, MentorPreference, SpeedMentoringSlot, TraineeSignup
from ..selectors import PersonSchedule, rounds_text, schedules_for_people, slot_state


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


def mentor_withdrew(*, slot: SpeedMentoringSlot, offer: MentorOffer) -> int:
    """Tells each trainee taking part who ranked the mentor (once per mentor and trainee:
    `bb:<slot>:withdrew:<offer>:<user>`); their ranking stays, shown as "withdrew", and they
    may choose again until sign-up closes. Returns how many were told."""
    session = slot.session
    state = slot_state(session=session, slot=slot)
    ranked = list(
        MentorPreference.objects.filter(
            offer=offer,
            signup__status=TraineeSignup.Status.ACTIVE,
            signup__registration__status=Registration.Status.CONFIRMED,
        ).select_related("signup__trainee")
    )
    others: dict[int, list[str]] = {}
    for signup_id, name in (
        MentorPreference.objects.filter(
            signup_id__in=[p.signup_id for p in ranked],
            offer__status=MentorOffer.Status.ACTIVE,
        )
        .order_by("rank")
        .values_list("signup_id", "offer__mentor__name")
    ):
        others.setdefault(signup_id, []).append(name)
    slot_url = settings.SITE_URL + reverse(
        "mentorship:slot_detail", kwargs={"session_id": slot.session_id}
    )
    base = session_context(session)
    for preference in ranked:
        trainee = preference.signup.trainee
        notification_enqueue(
            user=trainee,
            kind="mentoring_mentor_withdrew",
            key=f"bb:{slot.pk}:withdrew:{offer.pk}:{trainee.pk}",
            context={
                **base,
                "mentor_name": offer.mentor.get_full_name(),
                "rank": preference.rank,
                "other_choices": others.get(preference.signup_id, []),
                "sign_up_state": state.text,
                "may_choose_again": state.trainees_may_sign_up,
                "slot_url": slot_url,
            },
        )
    return len(ranked)


# --- mentors' reminders -----------------------------------------------------------------------


def _mentor_reminder_prefix(slot: SpeedMentoringSlot, user_id: int) -> str:
    return f"bb:{slot.pk}:reminder:{user_id}:"


def mentor_reminders_schedule(*, slot: SpeedMentoringSlot, user_ids: Iterable[int]) -> None:
    """Mentors staff a slot without an agenda registration, so the session reminders never
    reach them: they get their own, at the event's offsets before the first round. The rounds
    are filled in when the reminder goes out (`mentor_reminder_details`), so a repair needs no
    re-planning."""
    base = session_context(slot.session)
    users = User.objects.in_bulk(list(user_ids))
    notifications_plan(
        planned=[
            Planned(
                key=f"{_mentor_reminder_prefix(slot, user_id)}{offset}",
                user=users[user_id],
                kind="mentoring_reminder",
                context={**base, "slot_id": slot.pk, "user_id": user_id, "offset_minutes": offset},
                due_at=due_at,
                expires_at=expires_at,
                category=Notification.Category.REMINDER,
            )
            for user_id in sorted(users)
            for offset, due_at, expires_at in reminder_moments(slot.session)
        ],
        passed_reason=REASON_MOVED_PAST,
    )


def mentor_reminders_cancel(*, slot: SpeedMentoringSlot, user_id: int, reason: str) -> None:
    notifications_cancel(key_prefix=_mentor_reminder_prefix(slot, user_id), reason=reason)


REASON_ABSENT = "marked absent"


def mentor_reminders_restore(*, slot: SpeedMentoringSlot, user_id: int) -> None:
    """After an absence is undone: the reminders it cancelled come back if their moment is
    still ahead (`notifications_plan` revives rows cancelled for the reason it is given;
    none of this mentor's rows is pending, so none is cancelled with it)."""
    base = session_context(slot.session)
    user = User.objects.get(pk=user_id)
    notifications_plan(
        planned=[
            Planned(
                key=f"{_mentor_reminder_prefix(slot, user_id)}{offset}",
                user=user,
                kind="mentoring_reminder",
                context={**base, "slot_id": slot.pk, "user_id": user_id, "offset_minutes": offset},
                due_at=due_at,
                expires_at=expires_at,
                category=Notification.Category.REMINDER,
            )
            for offset, due_at, expires_at in reminder_moments(slot.session)
        ],
        passed_reason=REASON_ABSENT,
    )


def mentor_reminder_details(context: dict) -> dict:
    """Send-time context of a mentor's reminder: their table and trainees per round now."""
    slot = (
        SpeedMentoringSlot.objects.select_related("session__event")
        .filter(pk=context.get("slot_id"))
        .first()
    )
    schedule = schedules_for_people(slot=slot).get(context.get("user_id")) if slot else None
    if schedule is None:
        return {"rounds_text": ""}
    return {
        "rounds_text": rounds_text(slot=slot, rounds=schedule.rounds, role=schedule.role),
        "schedule_url": settings.SITE_URL
        + reverse("mentorship:my_schedule", kwargs={"session_id": slot.session_id}),
    }
