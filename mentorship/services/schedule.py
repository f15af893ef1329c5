"""Matching, publishing and repairing a slot's schedule.

- `schedule_draft` (staff, after the deadline): the exact scheduler of `matching.py` on the
  slot's mentors and trainees, scores and forbidden pairs from `scoring.py`. Each mentor keeps
  one table for every round (tables numbered in sign-up order); trainees rotate. Re-running
  replaces the draft; once published, only repairs change it.
- `schedule_publish`: everyone taking part gets one email with their rounds; the outbox key
  `bb:<slot>:published:<user>` makes a second publish send nothing.
- `participant_mark_absent` + `schedule_repair`: a dropped person's conversations are
  cancelled; the repair re-fills only those conversations (the rounds they were in, with the
  people who lost them or people free in that round) and never moves anyone else. It notifies
  only the people whose rounds changed, once per repair (`bb:<slot>:changed:<revision>:<user>`).
- `participant_absence_undo`: until the slot ends, the person takes part again and gets back
  the conversations that can still take place (see `selectors.absence_undo_plan`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import approved_mentor_q
from config.audit import audit_record
from events.models import Registration
from events.rules import session_is_public
from events.services.cache import agenda_cache_bump

from ..matching import Problem, solve
from ..models import Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup
from ..refusals import Code, Refusal
from ..scoring import RANK_POINTS, SHARED_PATH_POINTS
from ..selectors import Participants, absence_undo_plan, participants_for_slot
from . import notices
from .common import lock_slot

OfferStatus = MentorOffer.Status
SignupStatus = TraineeSignup.Status
SCHEDULED = Meeting.Status.SCHEDULED
CANCELLED = Meeting.Status.CANCELLED

# A repair fills one round at a time. Its score puts trainees with fewer conversations first
# (the fair spread), then the pair's own score; the bonus exceeds any pair score (50 + 5 x 11).
REPAIR_FAIRNESS_BONUS = 10 * (max(RANK_POINTS.values()) + 11 * SHARED_PATH_POINTS)


@dataclass
class DraftResult:
    meetings: int
    total_score: int
    trainees: int
    mentors: int
    unmatched_trainees: int


def _check_can_match(slot: SpeedMentoringSlot) -> None:
    if slot.published_at is not None:
        raise Refusal(
            "The schedule is published: mark people absent and repair instead.", Code.PUBLISHED
        )
    if slot.signup_closes_at and timezone.now() < slot.signup_closes_at:
        tz = slot.session.event.tz
        raise Refusal(
            f"Sign-up is open until {slot.signup_closes_at.astimezone(tz):%B %-d, %Y at %H:%M}; "
            "run the matching after the deadline.",
            Code.TOO_EARLY,
        )


def _problem(participants: Participants, rounds: int) -> Problem:
    scores, forbidden = {}, set()
    for signup in participants.signups:
        for offer in participants.offers:
            key = (str(signup.pk), str(offer.pk))
            if participants.is_forbidden(signup, offer):
                forbidden.add(key)
            elif score := participants.score(signup, offer):
                scores[key] = score
    return Problem(
        rounds=rounds,
        trainees=tuple(str(s.pk) for s in participants.signups),
        mentors={str(o.pk): o.capacity for o in participants.offers},
        scores=scores,
        forbidden=frozenset(forbidden),
    )


@transaction.atomic
def schedule_draft(*, slot: SpeedMentoringSlot) -> DraftResult:
    """Runs the matching and stores the result as the slot's draft schedule."""
    slot = lock_slot(slot)
    _check_can_match(slot)
    participants = participants_for_slot(slot=slot)
    problem = _problem(participants, slot.rounds)
    schedule = solve(problem)

    Meeting.objects.filter(slot=slot).delete()
    MentorOffer.objects.filter(slot=slot).update(table=None)
    tables = {}
    for number, offer in enumerate(participants.offers, start=1):
        offer.table = tables[offer.pk] = number
    MentorOffer.objects.bulk_update(participants.offers, ["table"])
    Meeting.objects.bulk_create(
        Meeting(
            slot=slot,
            round=meeting.round + 1,
            table=tables[int(meeting.mentor)],
            signup_id=int(meeting.trainee),
            offer_id=int(meeting.mentor),
            score=problem.scores.get((meeting.trainee, meeting.mentor), 0),
        )
        for meeting in schedule.meetings
    )
    slot.matched_at = timezone.now()
    slot.save(update_fields=["matched_at", "updated_at"])
    agenda_cache_bump(slot.session.event_id)  # the agenda tells each slot's state
    return DraftResult(
        meetings=schedule.count,
        total_score=schedule.total_score,
        trainees=len(participants.signups),
        mentors=len(participants.offers),
        unmatched_trainees=len(schedule.unmatched_rounds()),
    )


@transaction.atomic
def schedule_draft_discard(*, slot: SpeedMentoringSlot) -> None:
    """Drops an unpublished draft, which reopens sign-up until the deadline."""
    slot = lock_slot(slot)
    if slot.published_at is not None:
        raise Refusal("A published schedule cannot be discarded.", Code.PUBLISHED)
    Meeting.objects.filter(slot=slot).delete()
    MentorOffer.objects.filter(slot=slot).update(table=None)
    slot.matched_at = None
    slot.save(update_fields=["matched_at", "updated_at"])
    agenda_cache_bump(slot.session.event_id)


def _participant_ids(slot: SpeedMentoringSlot) -> list[int]:
    mentors = MentorOffer.objects.filter(
        approved_mentor_q("mentor__"), slot=slot, status=OfferStatus.ACTIVE
    ).values_list("mentor_id", flat=True)
    trainees = TraineeSignup.objects.filter(
        slot=slot, status=SignupStatus.ACTIVE, registration__status=Registration.Status.CONFIRMED
    ).values_list("trainee_id", flat=True)
    return [*mentors, *trainees]


def _touch_registrations(slot: SpeedMentoringSlot, trainee_ids) -> None:
    # The calendar's LAST-MODIFIED follows the registration: its description (the rounds)
    # changed, so calendar apps should replace their copy.
    Registration.objects.filter(session=slot.session, user_id__in=list(trainee_ids)).update(
        updated_at=timezone.now()
    )


def schedule_check_session_public(slot: SpeedMentoringSlot) -> None:
    """Publishing the schedule emails everyone taking part about the session: refused while
    the session, or its event, is a draft that nobody outside admin can open."""
    if not session_is_public(slot.session):
        raise Refusal(
            f"“{slot.session.title}” is not published (the session or its event is a draft in "
            "admin): publish it first, then the schedule, so that everyone's email names a "
            "session they can open.",
            Code.DRAFT,
        )


@transaction.atomic
def schedule_publish(*, slot: SpeedMentoringSlot, by: User | None = None) -> int:
    """Publishes the draft; returns how many people were emailed (0 when it was already
    published: each person gets one email, ever, for the publication)."""
    slot = lock_slot(slot)
    if slot.matched_at is None:
        raise Refusal("Run the matching first.", Code.NOT_MATCHED)
    if slot.published_at is not None:
        return 0
    schedule_check_session_public(slot)
    slot.published_at = timezone.now()
    slot.save(update_fields=["published_at", "updated_at"])
    agenda_cache_bump(slot.session.event_id)
    people = set(_participant_ids(slot))
    notices.schedule_published(slot=slot, user_ids=people)
    mentors = MentorOffer.objects.filter(
        approved_mentor_q("mentor__"), slot=slot, status=OfferStatus.ACTIVE
    )
    notices.mentor_reminders_schedule(
        slot=slot, user_ids=mentors.values_list("mentor_id", flat=True)
    )
    _touch_registrations(slot, people)
    audit_record(user=by, obj=slot, message=f"Published the matching; {len(people)} emailed.")
    return len(people)


@transaction.atomic
def participant_mark_absent(*, slot: SpeedMentoringSlot, user: User) -> int:
    """Staff: the person dropped out or is absent at the door. Their conversations are
    cancelled at once; `schedule_repair` re-fills them. Returns how many were cancelled."""
    slot = lock_slot(slot)
    if slot.published_at is None:
        raise Refusal(
            "Before publishing, withdraw the person and run the matching again.", Code.NOT_PUBLISHED
        )
    offer = MentorOffer.objects.filter(slot=slot, mentor=user, status=OfferStatus.ACTIVE).first()
    signup = TraineeSignup.objects.filter(
        slot=slot, trainee=user, status=SignupStatus.ACTIVE
    ).first()
    if offer is None and signup is None:
        raise Refusal("That person has no active place in this slot.", Code.NOT_FOUND)
    if offer is not None:
        offer.status = OfferStatus.ABSENT
        offer.save(update_fields=["status", "updated_at"])
        notices.mentor_reminders_cancel(slot=slot, user_id=user.pk, reason=notices.REASON_ABSENT)
        meetings = Meeting.objects.filter(offer=offer, status=SCHEDULED)
    else:
        signup.status = SignupStatus.ABSENT
        signup.save(update_fields=["status", "updated_at"])
        meetings = Meeting.objects.filter(signup=signup, status=SCHEDULED)
    now = timezone.now()
    return meetings.update(
        status=CANCELLED, cancelled_at=now, revision=slot.revision + 1, updated_at=now
    )


@dataclass
class UndoResult:
    restored: int
    lost: int
    notified: int


@transaction.atomic
def participant_absence_undo(*, slot: SpeedMentoringSlot, user: User) -> UndoResult:
    """Staff: the person marked absent takes part again, until the slot ends. Each
    conversation the absence cancelled comes back if it still can (`absence_undo_plan`); the
    rest stay cancelled (a pending one is re-filled by the next repair, which then includes
    the person). Nobody is emailed when nothing they were told changes; otherwise the
    partners told of the cancellation, and the person if some rounds did not come back, get
    their new rounds, as after a repair (a new revision)."""
    slot = lock_slot(slot)
    if slot.published_at is None:
        raise Refusal("Publish the schedule first.", Code.NOT_PUBLISHED)
    if timezone.now() >= slot.session.ends_at:
        raise Refusal("The slot is over; absences stay as they are.", Code.OVER)
    plan = absence_undo_plan(slot=slot, user_id=user.pk)
    if plan is None:
        raise Refusal("That person is not marked absent in this slot.", Code.NOT_FOUND)
    place = plan.place
    if place.offer is not None:
        place.offer.status = OfferStatus.ACTIVE
        place.offer.save(update_fields=["status", "updated_at"])
        notices.mentor_reminders_restore(slot=slot, user_id=user.pk)
    else:
        place.signup.status = SignupStatus.ACTIVE
        place.signup.save(update_fields=["status", "updated_at"])
    revision = slot.revision
    if plan.notify:
        # A new revision, like a repair's; cancellations still waiting for a repair move on
        # to the next one.
        revision = slot.revision + 1
        Meeting.objects.filter(slot=slot, status=CANCELLED, revision=revision).exclude(
            pk__in=[m.pk for m in plan.restore]
        ).update(revision=revision + 1)
    now = timezone.now()
    Meeting.objects.filter(pk__in=[m.pk for m in plan.restore]).update(
        status=SCHEDULED, cancelled_at=None, revision=revision, updated_at=now
    )
    if plan.notify:
        slot.revision = revision
        slot.save(update_fields=["revision", "updated_at"])
        notices.schedule_changed(slot=slot, user_ids=plan.notify)
        _touch_registrations(slot, plan.notify)
    return UndoResult(restored=len(plan.restore), lost=len(plan.lost), notified=len(plan.notify))


@dataclass
class RepairResult:
    cancelled: int
    added: int
    notified: int


def _cancel_left_agenda(slot: SpeedMentoringSlot, revision: int) -> None:
    """Trainees who cancelled the slot from "my agenda" count as dropped out."""
    left = TraineeSignup.objects.filter(slot=slot, status=SignupStatus.ACTIVE).exclude(
        registration__status=Registration.Status.CONFIRMED
    )
    left_ids = list(left.values_list("pk", flat=True))
    if not left_ids:
        return
    TraineeSignup.objects.filter(pk__in=left_ids).update(
        status=SignupStatus.WITHDRAWN, updated_at=timezone.now()
    )
    now = timezone.now()
    Meeting.objects.filter(signup_id__in=left_ids, status=SCHEDULED).update(
        status=CANCELLED, cancelled_at=now, revision=revision, updated_at=now
    )


def _fill_round(
    *,
    participants: Participants,
    number: int,
    scheduled: list[Meeting],
    lost_trainees: set[int],
    lost_seats: dict[int, int],
    standby: Collection[int] | None = None,
) -> list[tuple[int, int, int]]:
    """New (signup, offer, score) meetings in round `number`: a trainee who lost this round's
    conversation with any mentor who has a free seat, or a mentor's lost seat with any trainee
    free in this round (with `standby`, sign-up ids: only those, the trainees present at the
    door). Exact for the round (`matching.solve` with one round)."""
    busy = {m.signup_id for m in scheduled if m.round == number}
    seats_used: dict[int, int] = defaultdict(int)
    met: set[tuple[int, int]] = set()
    count: dict[int, int] = defaultdict(int)
    for m in scheduled:
        met.add((m.signup_id, m.offer_id))
        count[m.signup_id] += 1
        if m.round == number:
            seats_used[m.offer_id] += 1
    free_trainees = [s for s in participants.signups if s.pk not in busy]
    rounds = participants.slot.rounds
    # Each mentor is split in two: their lost seats take anyone free; their other free seats
    # take only trainees who lost this round (so no one else's round changes shape).
    mentors: dict[str, int] = {}
    node_offer: dict[str, object] = {}
    for offer in participants.offers:
        free = offer.capacity - seats_used[offer.pk]
        lost = min(lost_seats.get(offer.pk, 0), free)
        if lost > 0:
            mentors[f"{offer.pk}:lost"] = lost
            node_offer[f"{offer.pk}:lost"] = offer
        if free - lost > 0:
            mentors[f"{offer.pk}:spare"] = free - lost
            node_offer[f"{offer.pk}:spare"] = offer
    scores, forbidden = {}, set()
    for signup in free_trainees:
        for node, offer in node_offer.items():
            key = (str(signup.pk), node)
            allowed = (
                (signup.pk, offer.pk) not in met
                and not participants.is_forbidden(signup, offer)
                and (node.endswith(":lost") or signup.pk in lost_trainees)
                and (standby is None or signup.pk in standby or signup.pk in lost_trainees)
            )
            if not allowed:
                forbidden.add(key)
                continue
            bonus = REPAIR_FAIRNESS_BONUS * (rounds - count[signup.pk])
            scores[key] = bonus + participants.score(signup, offer)
    if not mentors or not free_trainees:
        return []
    result = solve(
        Problem(
            rounds=1,
            trainees=tuple(str(s.pk) for s in free_trainees),
            mentors=mentors,
            scores=scores,
            forbidden=frozenset(forbidden),
        )
    )
    by_pk = {s.pk: s for s in free_trainees}
    return [
        (
            int(m.trainee),
            node_offer[m.mentor].pk,
            participants.score(by_pk[int(m.trainee)], node_offer[m.mentor]),
        )
        for m in result.meetings
    ]


@transaction.atomic
def schedule_repair(
    *,
    slot: SpeedMentoringSlot,
    by: User | None = None,
    standby: Collection[int] | None = None,
    rounds_from: int = 1,
) -> RepairResult:
    """Re-fills the conversations cancelled since the last repair and notifies only the
    people whose rounds changed. Nothing to repair: nothing happens, nobody is emailed.
    At the door: a lost seat goes only to trainees of `standby` (sign-up ids) and rounds
    before `rounds_from` (over already) stay as they are."""
    slot = lock_slot(slot)
    if slot.published_at is None:
        raise Refusal("Publish the schedule first.", Code.NOT_PUBLISHED)
    revision = slot.revision + 1
    _cancel_left_agenda(slot, revision)
    cancelled = list(
        Meeting.objects.filter(slot=slot, status=CANCELLED, revision=revision).select_related(
            "signup", "offer"
        )
    )
    if not cancelled:
        return RepairResult(cancelled=0, added=0, notified=0)

    participants = participants_for_slot(slot=slot)
    active_offers = {o.pk for o in participants.offers}
    active_signups = {s.pk for s in participants.signups}
    scheduled = list(Meeting.objects.filter(slot=slot, status=SCHEDULED))
    tables = {o.pk: o.table for o in participants.offers}
    added: list[Meeting] = []
    for number in sorted({m.round for m in cancelled if m.round >= rounds_from}):
        lost_here = [m for m in cancelled if m.round == number]
        lost_trainees = {m.signup_id for m in lost_here if m.signup_id in active_signups}
        lost_seats: dict[int, int] = defaultdict(int)
        for m in lost_here:
            if m.offer_id in active_offers:
                lost_seats[m.offer_id] += 1
        for signup_id, offer_id, score in _fill_round(
            participants=participants,
            number=number,
            scheduled=scheduled + added,
            lost_trainees=lost_trainees,
            lost_seats=lost_seats,
            standby=standby,
        ):
            added.append(
                Meeting(
                    slot=slot,
                    round=number,
                    table=tables[offer_id],
                    signup_id=signup_id,
                    offer_id=offer_id,
                    score=score,
                    revision=revision,
                )
            )
    Meeting.objects.bulk_create(added)

    mentor_of = dict(MentorOffer.objects.filter(slot=slot).values_list("pk", "mentor_id"))
    trainee_of = dict(TraineeSignup.objects.filter(slot=slot).values_list("pk", "trainee_id"))
    changed: set[int] = set()
    for m in cancelled + added:
        if m.offer_id in active_offers:
            changed.add(mentor_of[m.offer_id])
        if m.signup_id in active_signups:
            changed.add(trainee_of[m.signup_id])
    slot.revision = revision
    slot.save(update_fields=["revision", "updated_at"])
    notices.schedule_changed(slot=slot, user_ids=changed)
    _touch_registrations(slot, changed)
    audit_record(
        user=by,
        obj=slot,
        message=f"Repaired the matching: {len(added)} of {len(cancelled)} cancelled "
        f"conversations re-filled; {len(changed)} told.",
    )
    return RepairResult(cancelled=len(cancelled), added=len(added), notified=len(changed))
