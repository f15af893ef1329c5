"""Who takes part in a slot: mentors offering a table, trainees with ranked mentors.

Both sign up until the slot's deadline (or, without one, until staff run the matching).
A trainee's place is a `matched` registration on their agenda, with the clash, window,
audience and capacity rules of every session (`events.services.registration_create_matched`).

A mentor's offer is held until a coordinator approves the person (`accounts.MentorApproval`,
once per person): it keeps a table, but trainees do not see or rank it and it enters no
matching. Declining the person releases their held offers.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import CareerPath, MentorApproval, Profile, User
from accounts.selectors import approved_mentor_q
from accounts.services import mentor_approval_request
from events.models import Registration, Session
from events.rules import session_is_public, session_started_reason
from events.selectors import registration_get_for_user
from events.services import registration_cancel_core, registration_create_matched
from events.services.cache import agenda_cache_bump

from ..models import (
    MAX_CAPACITY,
    Meeting,
    MentorOffer,
    MentorPreference,
    SpeedMentoringSlot,
    TraineeSignup,
)
from ..refusals import Code, Refusal
from ..scoring import MAX_RANKED
from ..selectors import local_moment, may_take_part_as_trainee
from . import notices
from .common import lock_slot

OfferStatus = MentorOffer.Status
SignupStatus = TraineeSignup.Status


def signup_check_open(slot: SpeedMentoringSlot) -> None:
    if not session_is_public(slot.session):
        raise Refusal("This session is not open for sign-up.", Code.UNPUBLISHED)
    if slot.published_at is not None:
        raise Refusal(
            "The schedule is published; please ask the staff for any change.", Code.CLOSED
        )
    if slot.matched_at is not None:
        raise Refusal("Sign-up has closed: the matching has been run.", Code.CLOSED)
    if slot.signup_closes_at and timezone.now() >= slot.signup_closes_at:
        raise Refusal(
            f"Sign-up closed on {local_moment(slot.session, slot.signup_closes_at)}.", Code.CLOSED
        )
    # From its start a slot's list of people is its history, for mentors as for trainees.
    started = session_started_reason(slot.session)
    if started:
        raise Refusal(started, Code.CLOSED)


def _active_registration(slot: SpeedMentoringSlot, user: User) -> Registration | None:
    return registration_get_for_user(session=slot.session, user=user)


@transaction.atomic
def slot_ensure(
    *,
    session: Session,
    rounds: int,
    minutes_per_round: int,
    tables: int,
    signup_closes_at: datetime | None = None,
) -> tuple[SpeedMentoringSlot, bool]:
    """The session's slot settings, created with these values when missing (the demo, scripts;
    staff use the admin). An existing slot is returned unchanged."""
    slot = SpeedMentoringSlot.objects.filter(session=session).first()
    if slot is not None:
        return slot, False
    slot = SpeedMentoringSlot(
        session=session,
        rounds=rounds,
        minutes_per_round=minutes_per_round,
        tables=tables,
        signup_closes_at=signup_closes_at,
    )
    slot.full_clean()
    slot.save()
    agenda_cache_bump(session.event_id)  # the agenda tells each slot's state
    return slot, True


# --- mentors ----------------------------------------------------------------------------------


@transaction.atomic
def mentor_offer_save(
    *, slot: SpeedMentoringSlot, mentor: User, capacity: int, excluded_institutions: str = ""
) -> MentorOffer:
    """Signs the mentor up to staff a table in the slot, or changes their offer."""
    slot = lock_slot(slot)
    signup_check_open(slot)
    profile = Profile.objects.filter(user=mentor).first()
    if profile is None or not profile.is_mentor:
        raise Refusal(
            "Only mentors staff Blood Buddies tables: tick “I volunteer as a mentor” in your "
            "profile first.",
            Code.NOT_MENTOR,
        )
    # Approval is once per person: the offer is held until a coordinator approves them.
    if mentor_approval_request(user=mentor).status == MentorApproval.Status.DECLINED:
        raise ValidationError(
            "A coordinator did not approve your mentor offer, so you cannot staff a table. "
            "Please contact the program staff if you have questions.",
            code="declined",
        )
    if isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise Refusal(f"Choose between 1 and {MAX_CAPACITY} trainees at once.", Code.CAPACITY)
    if TraineeSignup.objects.filter(
        slot=slot, trainee=mentor, status=SignupStatus.ACTIVE
    ).exists() and _active_registration(slot, mentor):
        raise Refusal(
            "You are signed up for this slot as a trainee; withdraw that first.", Code.BOTH
        )
    offer = MentorOffer.objects.filter(slot=slot, mentor=mentor).first()
    if offer is None or offer.status != OfferStatus.ACTIVE:
        staffed = MentorOffer.objects.filter(slot=slot, status=OfferStatus.ACTIVE).count()
        if staffed >= slot.tables:
            raise Refusal(
                "Every table of this slot has a mentor already."
                if slot.tables != 1
                else "This slot's table has a mentor already.",
                Code.FULL,
            )
    excluded = excluded_institutions.strip()
    if offer is None:
        return MentorOffer.objects.create(
            slot=slot, mentor=mentor, capacity=capacity, excluded_institutions=excluded
        )
    offer.capacity = capacity
    offer.excluded_institutions = excluded
    offer.status = OfferStatus.ACTIVE
    offer.save(update_fields=["capacity", "excluded_institutions", "status", "updated_at"])
    return offer


@transaction.atomic
def mentor_offer_withdraw(*, slot: SpeedMentoringSlot, mentor: User) -> MentorOffer:
    """Before the deadline only. Trainees' rankings of the mentor stay (their page shows
    "withdrew"; the matching uses active mentors only) and each of those trainees is told by
    email, so they can choose again; if the mentor signs up again, the rankings count again."""
    slot = lock_slot(slot)
    offer = MentorOffer.objects.filter(slot=slot, mentor=mentor, status=OfferStatus.ACTIVE).first()
    if offer is None:
        raise Refusal("You are not signed up to mentor in this slot.", Code.NOT_SIGNED_UP)
    try:
        signup_check_open(slot)
    except ValidationError as exc:
        raise Refusal(
            f"{exc.messages[0]} To withdraw now, please tell the staff.", Code.CLOSED
        ) from exc
    offer.status = OfferStatus.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    notices.mentor_withdrew(slot=slot, offer=offer)
    return offer


def mentor_offers_release(*, user: User) -> int:
    """A coordinator declined the person as a mentor: their held offers (never in a matching,
    never shown to trainees) give their tables back. Returns how many were released."""
    offers = list(
        MentorOffer.objects.filter(mentor=user, status=OfferStatus.ACTIVE).select_related(
            "slot__session"
        )
    )
    MentorOffer.objects.filter(pk__in=[o.pk for o in offers]).update(
        status=OfferStatus.WITHDRAWN, updated_at=timezone.now()
    )
    for event_id in {o.slot.session.event_id for o in offers}:
        agenda_cache_bump(event_id)  # the cards count staffed tables
    return len(offers)


# --- trainees ---------------------------------------------------------------------------------


@transaction.atomic
def trainee_signup_save(
    *,
    slot: SpeedMentoringSlot,
    trainee: User,
    interests: Iterable[CareerPath],
    preferred: Sequence[MentorOffer] = (),
) -> TraineeSignup:
    """Signs the trainee up (their matched registration) or updates their confirmed interests
    and ranked mentors (first = rank 1). Nothing is written when a rule refuses."""
    slot = lock_slot(slot)
    signup_check_open(slot)
    if MentorOffer.objects.filter(slot=slot, mentor=trainee, status=OfferStatus.ACTIVE).exists():
        raise Refusal("You staff a table in this slot as a mentor.", Code.BOTH)
    if not may_take_part_as_trainee(trainee):
        raise Refusal(
            "Blood Buddies pairs trainees with mentors. Your profile gives your career stage "
            f"as “{trainee.profile.get_career_stage_display()}”: you are welcome to mentor "
            "instead.",
            Code.NOT_TRAINEE,
        )
    preferred = list(preferred)
    if len(preferred) > MAX_RANKED:
        raise Refusal(f"Rank at most {MAX_RANKED} mentors.", Code.TOO_MANY)
    if len({offer.pk for offer in preferred}) != len(preferred):
        raise Refusal("Rank each mentor once.", Code.DUPLICATE)
    in_slot = set(
        MentorOffer.objects.filter(
            approved_mentor_q("mentor__"),
            slot=slot,
            status=OfferStatus.ACTIVE,
            pk__in=[o.pk for o in preferred],
        ).values_list("pk", flat=True)
    )
    for offer in preferred:
        if offer.pk not in in_slot:
            raise Refusal(
                f"{offer.mentor.get_full_name()} is not a mentor in this slot.", Code.NOT_IN_SLOT
            )

    registration = _active_registration(slot, trainee)
    if registration is None:
        registration = registration_create_matched(session=slot.session, user=trainee)
    signup, _ = TraineeSignup.objects.get_or_create(
        slot=slot, trainee=trainee, defaults={"registration": registration}
    )
    signup.registration = registration
    signup.status = SignupStatus.ACTIVE
    signup.save(update_fields=["registration", "status", "updated_at"])
    signup.interests.set(list(interests))
    signup.preferences.all().delete()
    MentorPreference.objects.bulk_create(
        MentorPreference(signup=signup, offer=offer, rank=rank)
        for rank, offer in enumerate(preferred, start=1)
    )
    return signup


@transaction.atomic
def trainee_signup_withdraw(*, slot: SpeedMentoringSlot, trainee: User) -> TraineeSignup:
    """Takes the trainee out and cancels their agenda item. After the matching their draft
    conversations go; after publishing they are cancelled for the next repair to re-fill."""
    slot = lock_slot(slot)
    signup = TraineeSignup.objects.filter(
        slot=slot, trainee=trainee, status=SignupStatus.ACTIVE
    ).first()
    if signup is None:
        raise Refusal("You are not signed up for this slot.", Code.NOT_SIGNED_UP)
    signup.status = SignupStatus.WITHDRAWN
    signup.save(update_fields=["status", "updated_at"])
    meetings = Meeting.objects.filter(signup=signup, status=Meeting.Status.SCHEDULED)
    if slot.published_at is None:
        meetings.delete()
    else:
        meetings.update(
            status=Meeting.Status.CANCELLED,
            cancelled_at=timezone.now(),
            revision=slot.revision + 1,
            updated_at=timezone.now(),
        )
    if _active_registration(slot, trainee) is not None:
        registration_cancel_core(session=slot.session, user=trainee)
    return signup


def slot_clone(*, source: Session, copy: Session, shift) -> None:
    """`hooks.session_clone_hooks`: a cloned Blood Buddies session keeps its slot's settings
    (rounds, minutes, tables, sign-up deadline moved to the new dates); no offer, sign-up or
    matching."""
    slot = SpeedMentoringSlot.objects.filter(session=source).first()
    if slot is None:
        return
    SpeedMentoringSlot.objects.create(
        session=copy,
        rounds=slot.rounds,
        minutes_per_round=slot.minutes_per_round,
        tables=slot.tables,
        signup_closes_at=shift(slot.signup_closes_at) if slot.signup_closes_at else None,
    )
