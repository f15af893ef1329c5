"""Slots, who takes part, the slot page and the staff review."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import CareerPath, MentorApproval
from accounts.selectors import approved_mentor_q, mentor_approval_get
from accounts.types import AnyUser
from events.agenda_selectors import for_you_order
from events.hooks import AgendaSection
from events.models import Event, Registration, Session, session_public_q
from events.selectors import session_annotate_state

from ..models import (
    Meeting,
    MentorOffer,
    MentorPreference,
    SpeedMentoringSlot,
    TraineeSignup,
)
from ..scoring import is_forbidden, pair_score
from .rounds import RoundView
from .state import SlotState, may_take_part_as_trainee, slot_state

OfferStatus = MentorOffer.Status
SignupStatus = TraineeSignup.Status
SCHEDULED = Meeting.Status.SCHEDULED

REASON_NO_MENTORS = "no mentors signed up"
REASON_NONE_ELIGIBLE = "every mentor is from the trainee's institution or asked not to meet it"
REASON_MET_ALL = "already meets every mentor they may meet"
REASON_NO_MENTOR_FREE = "no mentor free in this round"

_PATHS = Prefetch("interests", queryset=CareerPath.objects.order_by("order", "name"))
_EXPERTISE = Prefetch(
    "mentor__profile__expertise", queryset=CareerPath.objects.order_by("order", "name")
)


def _slot_qs() -> QuerySet[SpeedMentoringSlot]:
    return SpeedMentoringSlot.objects.select_related("session__event", "session__room")


def slot_sessions_for_index(*, event: Event | None) -> list[Session]:
    """Every published Blood Buddies session of the event, in time order, set up by staff or
    not yet (`session.slot` is None then); each with its state (`session.slot_state`)."""
    if event is None:
        return []
    sessions = list(
        Session.objects.public()
        .filter(event=event, registration_mode=Session.Mode.MATCHED)
        .select_related("event", "room")
        .order_by("starts_at", "title")
    )
    slots = {
        slot.session_id: slot
        for slot in SpeedMentoringSlot.objects.filter(session__in=[s.pk for s in sessions])
    }
    now = timezone.now()
    for session in sessions:
        session.slot = slots.get(session.pk)
        if session.slot is not None:
            session.slot.session = session
        session.slot_state = slot_state(session=session, slot=session.slot, now=now)
        session_annotate_state(session)  # as on the agenda, for the same card actions
    return sessions


def session_mentors_section(*, session: Session, user: AnyUser) -> AgendaSection | None:
    """The session page of a Blood Buddies slot lists the mentors who signed up (the people a
    trainee ranks), not the session's speakers."""
    if session.registration_mode != Session.Mode.MATCHED:
        return None
    slot = SpeedMentoringSlot.objects.filter(session=session).first()
    offers = list(offers_active(slot=slot)) if slot is not None else []
    offers = for_you_order(items=offers, user=user, paths=_expertise_slugs)
    return AgendaSection(
        template="mentorship/_session_mentors.html",
        context={"session": session, "slot": slot, "offers": offers},
    )


def slot_get(*, session_id: int) -> SpeedMentoringSlot:
    """The slot of a published session; 404 when staff have not set it up, and for a draft
    session or any session of a draft event."""
    return get_object_or_404(_slot_qs(), session_public_q("session__"), session_id=session_id)


def slot_get_for_staff(*, session_id: int) -> SpeedMentoringSlot:
    """Any slot, drafts included: the staff review is a staff tool (it says when the session
    is a draft, and publishing waits for the session)."""
    return get_object_or_404(_slot_qs(), session_id=session_id)


def session_without_slot(*, session_id: int) -> Session | None:
    """A published speed-mentoring session that has no slot settings yet (the page says so);
    None for a draft, so its page is a plain 404."""
    return (
        Session.objects.public()
        .select_related("event")
        .filter(pk=session_id, kind=Session.Kind.SPEED_MENTORING)
        .first()
    )


def sessions_open_to_trainees(*, sessions: list[Session]) -> set[int]:
    """Of these speed-mentoring sessions, the ids of those a trainee can sign up for now: set
    up as a slot, with sign-up open. For the agenda's "free seats" filter, through
    `events.hooks.free_place_hooks` (events has already checked the session's capacity, start
    and registration window). One query."""
    now = timezone.now()
    slots = SpeedMentoringSlot.objects.filter(session_id__in=[s.pk for s in sessions])
    return {slot.session_id for slot in slots if slot.signup_is_open(now)}


def offers_active(*, slot: SpeedMentoringSlot) -> QuerySet[MentorOffer]:
    """The mentors taking part: signed up and approved by a coordinator. Offers of mentors
    still waiting are held: trainees do not see them and the matching leaves them out."""
    return (
        MentorOffer.objects.filter(
            approved_mentor_q("mentor__"), slot=slot, status=OfferStatus.ACTIVE
        )
        .select_related("mentor__profile")
        .prefetch_related(_EXPERTISE)
        .order_by("created_at", "id")
    )


def signups_active(*, slot: SpeedMentoringSlot) -> QuerySet[TraineeSignup]:
    """Trainees taking part: signed up and still holding the agenda item."""
    return (
        TraineeSignup.objects.filter(
            slot=slot,
            status=SignupStatus.ACTIVE,
            registration__status=Registration.Status.CONFIRMED,
        )
        .select_related("trainee__profile")
        .prefetch_related(_PATHS)
        .order_by("created_at", "id")
    )


# --- what the matching needs ------------------------------------------------------------------


@dataclass
class Participants:
    """Everyone taking part in a slot, with what the scores and forbidden pairs need."""

    slot: SpeedMentoringSlot
    offers: list[MentorOffer]
    signups: list[TraineeSignup]
    ranks: dict[tuple[int, int], int]  # (signup id, offer id) -> rank

    def __post_init__(self) -> None:
        self._interests = {s.pk: {p.pk for p in s.interests.all()} for s in self.signups}
        self._expertise = {
            o.pk: {p.pk for p in o.mentor.profile.expertise.all()} for o in self.offers
        }
        self._excludes = {o.pk: o.excluded_list for o in self.offers}

    def score(self, signup: TraineeSignup, offer: MentorOffer) -> int:
        shared = len(self._interests[signup.pk] & self._expertise[offer.pk])
        return pair_score(rank=self.ranks.get((signup.pk, offer.pk)), shared_paths=shared)

    def is_forbidden(self, signup: TraineeSignup, offer: MentorOffer) -> bool:
        return is_forbidden(
            trainee_institution=signup.trainee.profile.institution,
            mentor_institution=offer.mentor.profile.institution,
            mentor_excludes=self._excludes[offer.pk],
        )


def participants_for_slot(*, slot: SpeedMentoringSlot) -> Participants:
    offers = list(offers_active(slot=slot))
    signups = list(signups_active(slot=slot))
    ranks = {
        (signup_id, offer_id): rank
        for signup_id, offer_id, rank in MentorPreference.objects.filter(
            signup__slot=slot
        ).values_list("signup_id", "offer_id", "rank")
    }
    return Participants(slot=slot, offers=offers, signups=signups, ranks=ranks)


# --- the slot page ----------------------------------------------------------------------------


@dataclass
class Ranked:
    rank: int
    offer: MentorOffer

    @property
    def withdrew(self) -> bool:
        return self.offer.status != OfferStatus.ACTIVE


@dataclass
class SlotPage:
    slot: SpeedMentoringSlot
    offers: list[MentorOffer]
    trainee_count: int
    my_offer: MentorOffer | None
    my_signup: TraineeSignup | None
    my_ranking: list[Ranked]  # the person's ranked mentors, including ones who withdrew
    is_mentor: bool
    may_be_trainee: bool
    state: SlotState
    staffed: int = 0  # tables taken, held offers of mentors waiting for approval included
    approval: MentorApproval | None = None  # the person's own mentor approval, if any

    @property
    def mentor_status(self) -> str:
        """One of "pending", "approved", "declined"; "" for someone who never offered to mentor."""
        if self.approval is not None:
            return self.approval.status
        return MentorApproval.Status.PENDING if self.is_mentor else ""

    @property
    def offer_is_held(self) -> bool:
        return self.i_mentor and self.mentor_status != MentorApproval.Status.APPROVED

    @property
    def signup_open(self) -> bool:
        return self.state.mentors_may_sign_up

    @property
    def my_ranked_offer_ids(self) -> list[int]:
        return [r.offer.pk for r in self.my_ranking if not r.withdrew]

    @property
    def withdrawn_ranked(self) -> list[Ranked]:
        return [r for r in self.my_ranking if r.withdrew]

    @property
    def tables_left(self) -> int:
        return max(self.slot.tables - self.staffed, 0)

    @property
    def i_mentor(self) -> bool:
        return self.my_offer is not None and self.my_offer.status == OfferStatus.ACTIVE

    @property
    def i_take_part(self) -> bool:
        signup = self.my_signup
        return (
            signup is not None
            and signup.status == SignupStatus.ACTIVE
            and signup.registration is not None
            and signup.registration.status == Registration.Status.CONFIRMED
        )


def _expertise_slugs(offer: MentorOffer) -> list[str]:
    return [path.slug for path in offer.mentor.profile.expertise.all()]


def slot_page(*, slot: SpeedMentoringSlot, user: AnyUser) -> SlotPage:
    # Mentors whose expertise meets the person's interests first, each saying why.
    offers = for_you_order(items=list(offers_active(slot=slot)), user=user, paths=_expertise_slugs)
    staffed = MentorOffer.objects.filter(slot=slot, status=OfferStatus.ACTIVE).count()
    trainee_count = signups_active(slot=slot).count()
    my_offer = my_signup = None
    ranking: list[Ranked] = []
    is_mentor = False
    approval = mentor_approval_get(user=user)
    if user.is_authenticated:
        my_offer = MentorOffer.objects.filter(slot=slot, mentor=user).first()
        my_signup = (
            TraineeSignup.objects.filter(slot=slot, trainee=user)
            .select_related("registration")
            .prefetch_related("interests")
            .first()
        )
        if my_signup is not None:
            ranking = [
                Ranked(rank=p.rank, offer=p.offer)
                for p in my_signup.preferences.select_related("offer__mentor").order_by("rank")
            ]
        is_mentor = bool(getattr(getattr(user, "profile", None), "is_mentor", False))
    return SlotPage(
        slot=slot,
        offers=offers,
        trainee_count=trainee_count,
        my_offer=my_offer,
        my_signup=my_signup,
        my_ranking=ranking,
        is_mentor=is_mentor,
        may_be_trainee=may_take_part_as_trainee(user),
        state=slot_state(session=slot.session, slot=slot),
        staffed=staffed,
        approval=approval,
    )


# --- staff review -----------------------------------------------------------------------------


@dataclass
class GridColumn:
    table: int
    offer: MentorOffer | None


@dataclass
class GridRow:
    round: RoundView
    cells: list[list[Meeting]]


@dataclass
class Unmatched:
    signup: TraineeSignup
    rounds: list[int]
    reason: str


@dataclass
class Review:
    slot: SpeedMentoringSlot
    columns: list[GridColumn]
    rows: list[GridRow]
    unmatched: list[Unmatched]
    offers: list[MentorOffer]
    signups: list[TraineeSignup]
    dropped_offers: list[MentorOffer]
    dropped_signups: list[TraineeSignup]
    meeting_count: int
    total_score: int
    pending_changes: int  # conversations cancelled since the last repair
    held_offers: list[MentorOffer] = field(default_factory=list)  # mentors awaiting approval


def unmatched_reason(
    *, participants: Participants, signup: TraineeSignup, partners: set[int]
) -> str:
    """Why a trainee has free rounds: the first of these that applies."""
    if not participants.offers:
        return REASON_NO_MENTORS
    eligible = [o for o in participants.offers if not participants.is_forbidden(signup, o)]
    if not eligible:
        return REASON_NONE_ELIGIBLE
    if all(o.pk in partners for o in eligible):
        return REASON_MET_ALL
    return REASON_NO_MENTOR_FREE


def schedule_review(*, slot: SpeedMentoringSlot) -> Review:
    """The draft or published schedule as a grid (rounds x tables) and who has free rounds."""
    participants = participants_for_slot(slot=slot)
    meetings = list(
        Meeting.objects.filter(slot=slot)
        .select_related("signup__trainee", "offer__mentor")
        .order_by("round", "table", "id")
    )
    scheduled = [m for m in meetings if m.status == SCHEDULED]
    offers_all = list(MentorOffer.objects.filter(slot=slot).select_related("mentor"))
    by_table = {o.table: o for o in offers_all if o.table is not None}
    tables = sorted({m.table for m in scheduled} | set(by_table)) or list(range(1, slot.tables + 1))
    columns = [GridColumn(table=t, offer=by_table.get(t)) for t in tables]
    column_of = {t: i for i, t in enumerate(tables)}
    rows = [
        GridRow(
            round=RoundView(number=n, starts_at=slot.round_start(n), ends_at=slot.round_end(n)),
            cells=[[] for _ in tables],
        )
        for n in range(1, slot.rounds + 1)
    ]
    partners: dict[int, set[int]] = defaultdict(set)
    busy: dict[int, set[int]] = defaultdict(set)
    for meeting in scheduled:
        if 1 <= meeting.round <= slot.rounds:
            rows[meeting.round - 1].cells[column_of[meeting.table]].append(meeting)
        partners[meeting.signup_id].add(meeting.offer_id)
        busy[meeting.signup_id].add(meeting.round)
    unmatched = []
    if slot.matched_at is not None:
        for signup in participants.signups:
            free = [n for n in range(1, slot.rounds + 1) if n not in busy[signup.pk]]
            if free:
                reason = unmatched_reason(
                    participants=participants, signup=signup, partners=partners[signup.pk]
                )
                unmatched.append(Unmatched(signup=signup, rounds=free, reason=reason))
    pending = sum(
        1
        for m in meetings
        if m.status == Meeting.Status.CANCELLED and m.revision == slot.revision + 1
    )
    dropped_signups = list(
        TraineeSignup.objects.filter(slot=slot)
        .filter(
            Q(status=SignupStatus.ABSENT)
            | Q(status=SignupStatus.ACTIVE) & ~Q(registration__status=Registration.Status.CONFIRMED)
        )
        .select_related("trainee", "registration")
    )
    return Review(
        slot=slot,
        columns=columns,
        rows=rows,
        unmatched=unmatched,
        offers=participants.offers,
        signups=participants.signups,
        dropped_offers=[o for o in offers_all if o.status == OfferStatus.ABSENT],
        dropped_signups=dropped_signups,
        meeting_count=len(scheduled),
        total_score=sum(m.score for m in scheduled),
        pending_changes=pending,
        held_offers=[
            o
            for o in offers_all
            if o.status == OfferStatus.ACTIVE and o.pk not in {p.pk for p in participants.offers}
        ],
    )
