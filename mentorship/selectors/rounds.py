"""A person's rounds: their schedule page, emails, "my agenda" and the calendar feed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import CareerPath, Profile, User
from accounts.selectors import approved_mentor_exists, approved_mentor_q
from events.hooks import AgendaSection, CalendarAdditions, CalendarItem
from events.models import Registration, Session, session_public_q

from ..models import (
    Meeting,
    MentorOffer,
    SpeedMentoringSlot,
    TraineeSignup,
)
from ..text import counted

ACTIVE = MentorOffer.Status.ACTIVE  # the same value for trainees' sign-ups
SCHEDULED = Meeting.Status.SCHEDULED


# --- a person's rounds ------------------------------------------------------------------------


@dataclass
class Partner:
    name: str
    stage: str
    topics: list[str]  # a trainee's interests, a mentor's expertise
    meeting: Meeting


@dataclass
class RoundView:
    number: int
    starts_at: datetime
    ends_at: datetime
    table: int | None = None
    partners: list[Partner] = field(default_factory=list)


def meetings_qs() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(
        "signup__trainee__profile", "offer__mentor__profile"
    ).prefetch_related(
        Prefetch("signup__interests", queryset=CareerPath.objects.order_by("order", "name")),
        Prefetch(
            "offer__mentor__profile__expertise",
            queryset=CareerPath.objects.order_by("order", "name"),
        ),
    )


def partner_of(meeting: Meeting, *, as_mentor: bool) -> Partner:
    if as_mentor:
        person = meeting.signup.trainee
        topics = [p.name for p in meeting.signup.interests.all()]
    else:
        person = meeting.offer.mentor
        topics = [p.name for p in person.profile.expertise.all()]
    profile = getattr(person, "profile", None)
    stage = profile.get_career_stage_display() if profile and profile.career_stage else ""
    return Partner(name=person.get_full_name(), stage=stage, topics=topics, meeting=meeting)


def person_rounds(
    *, slot: SpeedMentoringSlot, meetings: list[Meeting], as_mentor: bool
) -> list[RoundView]:
    """Every round of the slot for one person, with their partner(s) or none (a free round)."""
    rounds = [
        RoundView(number=n, starts_at=slot.round_start(n), ends_at=slot.round_end(n))
        for n in range(1, slot.rounds + 1)
    ]
    for meeting in sorted(meetings, key=lambda m: (m.round, m.signup.trainee.get_full_name())):
        if 1 <= meeting.round <= slot.rounds:
            view = rounds[meeting.round - 1]
            view.table = meeting.table
            view.partners.append(partner_of(meeting, as_mentor=as_mentor))
    return rounds


@dataclass
class PersonSchedule:
    slot: SpeedMentoringSlot
    role: str  # "trainee" or "mentor"
    rounds: list[RoundView]
    status: str  # the person's sign-up status (active, absent, ...)

    @property
    def is_mentor(self) -> bool:
        return self.role == "mentor"

    @property
    def meeting_count(self) -> int:
        return sum(len(r.partners) for r in self.rounds)


def schedule_for_user(*, slot: SpeedMentoringSlot, user: User) -> PersonSchedule:
    """The person's own published rounds in the slot; 404 when they have none to see (not
    published, or not their slot): nobody reads another person's schedule."""
    if not slot.is_published or not user.is_authenticated:
        raise Http404
    offer = MentorOffer.objects.filter(slot=slot, mentor=user).first()
    signup = None if offer else TraineeSignup.objects.filter(slot=slot, trainee=user).first()
    if offer is None and signup is None:
        raise Http404
    as_mentor = offer is not None
    mine = Q(offer=offer) if as_mentor else Q(signup=signup)
    meetings = list(meetings_qs().filter(mine, slot=slot, status=SCHEDULED))
    if not meetings and (offer or signup).status != ACTIVE:
        raise Http404  # withdrew before the matching: nothing was ever theirs
    return PersonSchedule(
        slot=slot,
        role="mentor" if as_mentor else "trainee",
        rounds=person_rounds(slot=slot, meetings=meetings, as_mentor=as_mentor),
        status=(offer or signup).status,
    )


def schedules_for_people(*, slot: SpeedMentoringSlot) -> dict[int, PersonSchedule]:
    """Every participant's rounds (user id -> schedule), for the emails of a publish or repair."""
    meetings = list(meetings_qs().filter(slot=slot, status=SCHEDULED))
    by_user: dict[tuple[int, str], list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_user[(meeting.signup.trainee_id, "trainee")].append(meeting)
        by_user[(meeting.offer.mentor_id, "mentor")].append(meeting)
    out: dict[int, PersonSchedule] = {}
    people = [(o.mentor_id, "mentor", o.status) for o in MentorOffer.objects.filter(slot=slot)]
    people += [(s.trainee_id, "trainee", s.status) for s in TraineeSignup.objects.filter(slot=slot)]
    for user_id, role, status in people:
        out[user_id] = PersonSchedule(
            slot=slot,
            role=role,
            rounds=person_rounds(
                slot=slot, meetings=by_user[(user_id, role)], as_mentor=role == "mentor"
            ),
            status=status,
        )
    return out


# --- my agenda and the calendar (hooks registered in apps.py) ----------------------------------


def _published_meetings_for(user) -> list[Meeting]:
    """The person's conversations in published schedules of sessions people may see (a slot
    whose session went back to draft is left out until it is published again)."""
    return list(
        meetings_qs()
        .select_related("slot__session__event", "slot__session__room")
        # A mentor reads their trainees only once approved (a pending mentor is never matched;
        # this keeps it so for any row made before approval existed).
        .filter(
            Q(signup__trainee=user) | Q(approved_mentor_q("offer__mentor__"), offer__mentor=user)
        )
        .filter(
            session_public_q("slot__session__"), slot__published_at__isnull=False, status=SCHEDULED
        )
    )


@dataclass
class AgendaSlot:
    slot: SpeedMentoringSlot
    role: str
    rounds: list[RoundView]
    registration_id: int | None = None
    offer: MentorOffer | None = None  # the mentor's own offer

    @property
    def is_held(self) -> bool:
        """A mentor's offer waiting for a coordinator's approval: no rounds, no trainees."""
        return self.offer is not None and not getattr(self.offer, "mentor_is_approved", True)

    @property
    def is_mentor(self) -> bool:
        return self.role == "mentor"

    @property
    def is_published(self) -> bool:
        return self.slot.is_published


def _active_offers_of(user) -> list[MentorOffer]:
    """The slots the person mentors in, published or not: a mentor's table is on their agenda
    from the moment they sign up."""
    return list(
        MentorOffer.objects.filter(session_public_q("slot__session__"), mentor=user, status=ACTIVE)
        .select_related("slot__session__event", "slot__session__room")
        .annotate(mentor_is_approved=approved_mentor_exists())
    )


def agenda_slots_for_user(*, user: User, registrations: list | None = None) -> list[AgendaSlot]:
    """The person's Blood Buddies slots in time order: published rounds (trainee or mentor),
    and the slots they mentor in that are not published yet (no rounds)."""
    meetings = _published_meetings_for(user)
    groups: dict[tuple[int, str], list[Meeting]] = defaultdict(list)
    slots: dict[int, SpeedMentoringSlot] = {}
    offers: dict[int, MentorOffer] = {}
    for offer in _active_offers_of(user):
        groups[(offer.slot_id, "mentor")] = []
        slots[offer.slot_id] = offer.slot
        offers[offer.slot_id] = offer
    for meeting in meetings:
        role = "mentor" if meeting.offer.mentor_id == user.pk else "trainee"
        groups[(meeting.slot_id, role)].append(meeting)
        slots.setdefault(meeting.slot_id, meeting.slot)
    by_session = {
        r.session_id: r.pk for r in registrations or [] if r.status == Registration.Status.CONFIRMED
    }
    out = []
    for (slot_id, role), group in groups.items():
        slot = slots[slot_id]
        out.append(
            AgendaSlot(
                slot=slot,
                role=role,
                rounds=person_rounds(slot=slot, meetings=group, as_mentor=role == "mentor")
                if slot.is_published
                else [],
                registration_id=by_session.get(slot.session_id) if role == "trainee" else None,
                offer=offers.get(slot_id) if role == "mentor" else None,
            )
        )
    return sorted(out, key=lambda a: (a.slot.session.starts_at, a.role))


def agenda_section_for_user(
    *, user: User, profile: Profile | None, registrations: list
) -> AgendaSection | None:
    """The "Blood Buddies" block of my agenda; no query for people it cannot concern."""
    has_slot = any(
        r.session.kind == Session.Kind.SPEED_MENTORING and r.status == Registration.Status.CONFIRMED
        for r in registrations
    )
    if not has_slot and not (profile and profile.is_mentor):
        return None
    slots = agenda_slots_for_user(user=user, registrations=registrations)
    if not slots:
        return None
    return AgendaSection(
        template="mentorship/_agenda_section.html",
        context={"slots": slots},
        starts_at=slots[0].slot.session.starts_at,
    )


def rounds_text(*, slot: SpeedMentoringSlot, rounds: list[RoundView], role: str) -> str:
    """The person's rounds as plain text (calendar description, emails)."""
    tz = slot.session.event.tz
    lines = ["Blood Buddies — your rounds:" if role == "trainee" else "Blood Buddies — your table:"]
    for view in rounds:
        when = f"{view.starts_at.astimezone(tz):%H:%M}–{view.ends_at.astimezone(tz):%H:%M}"
        if not view.partners:
            lines.append(f"Round {view.number}, {when}: free")
            continue
        people = "; ".join(
            p.name
            + (f" ({p.stage})" if p.stage else "")
            + (f" — {', '.join(p.topics)}" if p.topics else "")
            for p in view.partners
        )
        lines.append(f"Round {view.number}, {when}, table {view.table}: {people}")
    return "\n".join(lines)


def calendar_additions_for_user(*, user: User, registrations: list) -> CalendarAdditions:
    extra = CalendarAdditions()
    for item in agenda_slots_for_user(user=user, registrations=registrations):
        text = rounds_text(slot=item.slot, rounds=item.rounds, role=item.role)
        if item.role == "trainee":
            if item.registration_id is not None:
                extra.notes.setdefault(item.registration_id, []).append(text)
            continue
        session = item.slot.session
        if item.is_held:
            text = (
                "Blood Buddies — your mentor offer is waiting for a coordinator's approval; "
                "your table is held until then."
            )
        elif not item.is_published:
            text = (
                "Blood Buddies — you mentor at a table"
                + (f", {counted(item.offer.capacity, 'trainee')} at once" if item.offer else "")
                + ". Your table and trainees come by email once staff publish the schedule."
            )
        changed = [session.updated_at, item.slot.updated_at]
        if item.offer is not None:
            changed.append(item.offer.updated_at)
        extra.items.append(
            CalendarItem(
                uid=f"blood-buddies-{item.slot.pk}-mentor-{user.pk}",
                session=session,
                summary=f"{session.title} (mentor)",
                description=text,
                sequence=session.sequence + item.slot.revision,
                last_modified=max(changed),
            )
        )
    return extra
