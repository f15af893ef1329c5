"""What staff's irreversible actions on a published schedule will do, read before they act:
marking someone absent, and undoing it. The services act on the same reads under the slot's
lock, so what the confirmation page says is what happens."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from accounts.selectors import approved_mentor_q
from events.models import Registration

from ..models import Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup

ACTIVE = MentorOffer.Status.ACTIVE  # the same value for trainees' sign-ups
ABSENT = MentorOffer.Status.ABSENT
SCHEDULED = Meeting.Status.SCHEDULED
CANCELLED = Meeting.Status.CANCELLED


@dataclass
class Place:
    """A person's place in a slot: as a mentor (`offer`) or as a trainee (`signup`)."""

    user_id: int
    name: str
    offer: MentorOffer | None = None
    signup: TraineeSignup | None = None

    @property
    def role(self) -> str:
        return "mentor" if self.offer is not None else "trainee"

    @property
    def user(self):
        return self.offer.mentor if self.offer is not None else self.signup.trainee

    def partner_name(self, meeting: Meeting) -> str:
        other = meeting.signup.trainee if self.offer is not None else meeting.offer.mentor
        return other.get_full_name()

    def partner_id(self, meeting: Meeting) -> int:
        return meeting.signup.trainee_id if self.offer is not None else meeting.offer.mentor_id


def _place(slot: SpeedMentoringSlot, user_id: int, status: str) -> Place | None:
    offer = (
        MentorOffer.objects.filter(slot=slot, mentor_id=user_id, status=status)
        .select_related("mentor")
        .first()
    )
    if offer is not None:
        return Place(user_id=user_id, name=offer.mentor.get_full_name(), offer=offer)
    signups = TraineeSignup.objects.filter(slot=slot, trainee_id=user_id, status=status)
    if status == ABSENT:
        # Someone who has since cancelled the slot from their agenda has left for good.
        signups = signups.filter(registration__status=Registration.Status.CONFIRMED)
    signup = signups.select_related("trainee").first()
    if signup is not None:
        return Place(user_id=user_id, name=signup.trainee.get_full_name(), signup=signup)
    return None


def _meetings_of(slot: SpeedMentoringSlot, place: Place, status: str) -> list[Meeting]:
    """The person's conversations with `status`, each with its round's times and partner."""
    mine = {"offer": place.offer} if place.offer is not None else {"signup": place.signup}
    meetings = list(
        Meeting.objects.filter(status=status, **mine)
        .select_related("signup__trainee", "offer__mentor")
        .order_by("round", "id")
    )
    for meeting in meetings:
        meeting.starts_at = slot.round_start(meeting.round)
        meeting.ends_at = slot.round_end(meeting.round)
        meeting.partner_name = place.partner_name(meeting)
    return meetings


# --- mark absent ------------------------------------------------------------------------------


@dataclass
class AbsencePreview:
    place: Place
    meetings: list[Meeting]  # the scheduled conversations marking absent cancels

    @property
    def rounds(self) -> list[int]:
        return sorted({m.round for m in self.meetings})

    @property
    def partners(self) -> list[str]:
        return sorted({self.place.partner_name(m) for m in self.meetings})


def absence_preview(*, slot: SpeedMentoringSlot, user_id: int) -> AbsencePreview | None:
    """None when the person has no active place in the slot."""
    place = _place(slot, user_id, ACTIVE)
    if place is None:
        return None
    return AbsencePreview(place=place, meetings=_meetings_of(slot, place, SCHEDULED))


# --- undo absent ------------------------------------------------------------------------------

REASON_ROUND_OVER = "the round is over"
REASON_SEAT_TAKEN = "the seat went to someone else in a repair"
REASON_BUSY = "the trainee meets someone else in that round"
REASON_MET = "the pair meets in another round"


@dataclass
class Lost:
    meeting: Meeting
    reason: str


@dataclass
class UndoPlan:
    """Undoing an absence restores each conversation it cancelled that can still take place:
    the round is not over, the partner still takes part and is free in that round (a repair
    may have given the seat to someone else), and the pair does not meet in another round.
    The people told of the cancellation by a repair are told again; so is the person, when
    some of their conversations cannot come back."""

    place: Place
    restore: list[Meeting] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)  # cannot come back, not over yet
    over: list[Meeting] = field(default_factory=list)  # rounds already over
    notify: set[int] = field(default_factory=set)  # user ids
    notify_names: list[str] = field(default_factory=list)
    waiting_repair: int = 0  # lost conversations the next repair re-fills

    @property
    def rounds_back(self) -> list[int]:
        return sorted({m.round for m in self.restore})


def absence_undo_plan(
    *, slot: SpeedMentoringSlot, user_id: int, now: datetime | None = None
) -> UndoPlan | None:
    """None when the person is not marked absent (or left the slot since)."""
    place = _place(slot, user_id, ABSENT)
    if place is None:
        return None
    now = now or timezone.now()
    active_offers = dict(
        MentorOffer.objects.filter(
            approved_mentor_q("mentor__"), slot=slot, status=ACTIVE
        ).values_list("pk", "capacity")
    )
    if place.offer is not None:
        active_offers[place.offer.pk] = place.offer.capacity  # back, if the undo goes ahead
    active_signups = set(
        TraineeSignup.objects.filter(
            slot=slot, status=ACTIVE, registration__status=Registration.Status.CONFIRMED
        ).values_list("pk", flat=True)
    )
    if place.signup is not None:
        active_signups.add(place.signup.pk)
    scheduled = list(Meeting.objects.filter(slot=slot, status=SCHEDULED))
    trainee_busy = {(m.signup_id, m.round) for m in scheduled}
    pairs = {(m.signup_id, m.offer_id) for m in scheduled}
    seats: dict[tuple[int, int], int] = defaultdict(int)
    for m in scheduled:
        seats[(m.offer_id, m.round)] += 1

    plan = UndoPlan(place=place)
    for meeting in _meetings_of(slot, place, CANCELLED):
        if meeting.offer_id not in active_offers or meeting.signup_id not in active_signups:
            continue  # cancelled because the partner left: not this absence's to undo
        if now >= slot.round_end(meeting.round):
            plan.over.append(meeting)
            continue
        if (meeting.signup_id, meeting.round) in trainee_busy:
            plan.lost.append(Lost(meeting, REASON_BUSY))
            continue
        if (meeting.signup_id, meeting.offer_id) in pairs:
            plan.lost.append(Lost(meeting, REASON_MET))
            continue
        if seats[(meeting.offer_id, meeting.round)] >= active_offers[meeting.offer_id]:
            plan.lost.append(Lost(meeting, REASON_SEAT_TAKEN))
            continue
        plan.restore.append(meeting)
        trainee_busy.add((meeting.signup_id, meeting.round))
        pairs.add((meeting.signup_id, meeting.offer_id))
        seats[(meeting.offer_id, meeting.round)] += 1
    names = {}
    for meeting in plan.restore:
        if meeting.revision <= slot.revision:  # a repair already told the partner it was off
            plan.notify.add(place.partner_id(meeting))
            names[place.partner_id(meeting)] = meeting.partner_name
    if any(lost.meeting.revision <= slot.revision for lost in plan.lost):
        plan.notify.add(place.user_id)
        names[place.user_id] = place.name
    plan.notify_names = sorted(names.values())
    plan.waiting_repair = sum(1 for lost in plan.lost if lost.meeting.revision > slot.revision)
    return plan
