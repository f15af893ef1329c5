"""Blood Buddies at the door of a published slot: mentors' check-in, the standby line of
trainees present without a conversation, and an absent trainee's seats offered to that line.

Trainees' check-in is their registration's mark (the events app's, the one the dashboard
counts); staff call it next to these services. Every write here locks the slot (its session
row first), so the line, the absences and the repair of one slot never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from events.models import Registration
from events.selectors import registration_get_for_user
from events.services.cache import agenda_cache_bump
from events.services.locking import user_lock
from events.services.registrations import registration_seat_take

from ..models import DoorStandby, Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup
from ..refusals import Code, Refusal
from ..selectors import may_take_part_as_trainee
from .common import lock_slot
from .schedule import participant_mark_absent, schedule_repair

SCHEDULED = Meeting.Status.SCHEDULED
ACTIVE = TraineeSignup.Status.ACTIVE


def _check_door_open(slot: SpeedMentoringSlot) -> None:
    if slot.published_at is None:
        raise Refusal(
            "The schedule is not published yet: the door opens with it. Nothing changed.",
            Code.NOT_PUBLISHED,
        )
    if slot.session.cancelled_at is not None:
        raise Refusal("This session has been cancelled. Nothing changed.", Code.CANCELLED)
    if timezone.now() >= slot.session.ends_at:
        raise Refusal("The slot is over. Nothing changed.", Code.OVER)


# --- mentors' check-in ------------------------------------------------------------------------


@transaction.atomic
def mentor_checkin_mark(*, offer: MentorOffer, by: User) -> bool:
    """Marks the mentor present. A conditional UPDATE, so the first of two staff keeps the
    mark and the second changes nothing. Returns whether this call made the mark."""
    return (
        MentorOffer.objects.filter(pk=offer.pk, checked_in_at__isnull=True).update(
            checked_in_at=timezone.now(), checked_in_by=by
        )
        == 1
    )


@transaction.atomic
def mentor_checkin_undo(*, offer: MentorOffer) -> bool:
    return (
        MentorOffer.objects.filter(pk=offer.pk, checked_in_at__isnull=False).update(
            checked_in_at=None, checked_in_by=None
        )
        == 1
    )


# --- the standby line -------------------------------------------------------------------------


@transaction.atomic
def standby_add(*, slot: SpeedMentoringSlot, trainee: User, by: User) -> DoorStandby:
    """Puts a trainee present at the door on the slot's standby line, in arrival order. One
    who did not sign up gets a place in the session (the room's seats and the clash check
    hold; sign-up has closed, so its window does not) and a sign-up with the interests of
    their profile, which the repair reads. Nothing is written when a rule refuses."""
    slot = lock_slot(slot)
    _check_door_open(slot)
    trainee = user_lock(trainee)
    name = trainee.get_full_name()
    if (
        MentorOffer.objects.filter(slot=slot, mentor=trainee)
        .exclude(status=MentorOffer.Status.WITHDRAWN)
        .exists()
    ):
        raise Refusal(f"{name} is a mentor in this slot. Nothing changed.", Code.BOTH)
    if not may_take_part_as_trainee(trainee):
        raise Refusal(
            f"{name}'s profile gives a faculty career stage: Blood Buddies pairs trainees with "
            "mentors. Nothing changed.",
            Code.NOT_TRAINEE,
        )
    if DoorStandby.objects.filter(slot=slot, trainee=trainee).exists():
        raise Refusal(f"{name} is on the standby line already. Nothing changed.", Code.DUPLICATE)
    signup = TraineeSignup.objects.filter(slot=slot, trainee=trainee).first()
    if signup is not None and signup.status == TraineeSignup.Status.ABSENT:
        raise Refusal(
            f"{name} is marked absent: undo that on the slot's review page first. Nothing changed.",
            Code.NOT_FOUND,
        )
    rounds = sorted(
        Meeting.objects.filter(slot=slot, signup__trainee=trainee, status=SCHEDULED).values_list(
            "round", flat=True
        )
    )
    if rounds:
        listed = ", ".join(str(n) for n in rounds)
        raise Refusal(
            f"{name} has conversations (round{'s' if len(rounds) > 1 else ''} {listed}): check "
            "them in with their rounds instead. Nothing changed.",
            Code.DUPLICATE,
        )
    registration = registration_get_for_user(session=slot.session, user=trainee)
    if registration is None:
        registration = registration_seat_take(
            session=slot.session,
            user=trainee,
            full=Refusal(
                "Every place in this session is taken: the room holds no one more. "
                "Nothing changed.",
                Code.FULL,
            ),
        )
        agenda_cache_bump(slot.session.event_id)
    if signup is None:
        signup = TraineeSignup.objects.create(slot=slot, trainee=trainee, registration=registration)
        profile = Profile.objects.filter(user=trainee).first()
        if profile is not None:  # what the repair scores the fit on
            signup.interests.set(profile.interests.all())
    else:
        signup.registration = registration
        signup.status = ACTIVE
        signup.save(update_fields=["registration", "status", "updated_at"])
    return DoorStandby.objects.create(
        slot=slot, trainee=trainee, arrived_at=timezone.now(), added_by=by
    )


@transaction.atomic
def standby_remove(*, slot: SpeedMentoringSlot, trainee: User) -> Registration | None:
    """Takes a trainee who left off the line, while no repair has given them a conversation.
    Returns their registration (the caller takes back its check-in mark)."""
    slot = lock_slot(slot)
    row = DoorStandby.objects.filter(slot=slot, trainee=trainee).first()
    name = trainee.get_full_name()
    if row is None:
        raise Refusal(f"{name} is not on the standby line. Nothing changed.", Code.NOT_FOUND)
    if Meeting.objects.filter(slot=slot, signup__trainee=trainee, status=SCHEDULED).exists():
        raise Refusal(
            f"{name} has a conversation now; mark them absent instead if they left. "
            "Nothing changed.",
            Code.DUPLICATE,
        )
    row.delete()
    return registration_get_for_user(session=slot.session, user=trainee)


def standby_signup_ids(*, slot: SpeedMentoringSlot) -> list[int]:
    """The sign-ups of the trainees on the line, in arrival order."""
    trainees = list(
        DoorStandby.objects.filter(slot=slot)
        .order_by("arrived_at", "id")
        .values_list("trainee_id", flat=True)
    )
    by_trainee = dict(
        TraineeSignup.objects.filter(
            slot=slot,
            trainee_id__in=trainees,
            status=ACTIVE,
            registration__status=Registration.Status.CONFIRMED,
        ).values_list("trainee_id", "pk")
    )
    return [by_trainee[t] for t in trainees if t in by_trainee]


# --- an absent trainee ------------------------------------------------------------------------


@dataclass
class DoorAbsence:
    cancelled: int  # the absent trainee's conversations cancelled
    placed: list[Meeting]  # the standby trainees' new conversations (their mentors' seats)
    notified: int


@transaction.atomic
def door_trainee_absent(
    *, slot: SpeedMentoringSlot, signup: TraineeSignup, by: User
) -> DoorAbsence:
    """The trainee did not come: their conversations are cancelled (`participant_mark_absent`)
    and the repair offers each of their mentors, in the rounds not over yet, a trainee of the
    standby line; no other conversation changes. The mentors and the placed trainees are
    emailed their new rounds, as after any repair."""
    slot = lock_slot(slot)
    _check_door_open(slot)
    signup = TraineeSignup.objects.select_related("trainee", "registration").get(pk=signup.pk)
    name = signup.trainee.get_full_name()
    if signup.status != ACTIVE:
        raise Refusal(f"{name} is not taking part any more. Nothing changed.", Code.NOT_FOUND)
    if signup.registration is not None and signup.registration.checked_in_at is not None:
        raise Refusal(
            f"{name} is checked in: undo the check-in first if they left. Nothing changed.",
            Code.DUPLICATE,
        )
    first_round = slot.round_not_over(timezone.now())
    if first_round is None:  # _check_door_open: not reached while the slot runs
        raise Refusal("The slot is over. Nothing changed.", Code.OVER)
    cancelled = participant_mark_absent(slot=slot, user=signup.trainee)
    result = schedule_repair(
        slot=slot, by=by, standby=standby_signup_ids(slot=slot), rounds_from=first_round
    )
    placed: list[Meeting] = []
    if result.added:  # the repair's rows carry its new revision
        slot.refresh_from_db(fields=["revision"])
        placed = list(
            Meeting.objects.filter(slot=slot, status=SCHEDULED, revision=slot.revision)
            .select_related("signup__trainee", "offer__mentor")
            .order_by("round", "table", "id")
        )
    return DoorAbsence(cancelled=cancelled, placed=placed, notified=result.notified)
