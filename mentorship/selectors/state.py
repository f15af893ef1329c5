"""Where a Blood Buddies slot stands, told in the same words on the agenda card, the session
page, the slot page and /mentorship/; and the person's own standing in it (events/hooks.py).

Mentors sign up while the slot's sign-up is open (`SpeedMentoringSlot.signup_is_open`);
trainees also need the session's registration window (`events.rules`), since their place is
an agenda registration with the usual rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import TRAINEE_STAGES
from accounts.selectors import MENTOR_PENDING, approved_mentor_exists
from accounts.types import AnyUser
from events.hooks import SessionNote
from events.models import Registration, Session
from events.rules import registration_window, session_started_reason

from ..models import MentorOffer, SpeedMentoringSlot, TraineeSignup

ACTIVE = MentorOffer.Status.ACTIVE  # the same value for trainees' sign-ups
ABSENT = MentorOffer.Status.ABSENT

NOT_READY = "not_ready"  # staff have not set the slot up yet
OPEN = "open"  # mentors and trainees sign up
MENTORS_ONLY = "mentors_only"  # the trainees' registration window is not open
CLOSED = "closed"  # the deadline passed; matching comes next
MATCHING = "matching"  # a draft schedule exists, not published
PUBLISHED = "published"


def local_moment(session: Session, moment: datetime) -> str:
    """A date and time in the event's own zone, labelled with it."""
    return f"{moment.astimezone(session.event.tz):%B %-d, %Y at %H:%M} ({session.event.timezone})"


@dataclass(frozen=True)
class SlotState:
    code: str
    text: str
    mentors_may_sign_up: bool = False
    trainees_may_sign_up: bool = False

    @property
    def is_published(self) -> bool:
        return self.code == PUBLISHED


def slot_state(
    *, session: Session, slot: SpeedMentoringSlot | None, now: datetime | None = None
) -> SlotState:
    now = now or timezone.now()
    if slot is None:
        return SlotState(NOT_READY, "Sign-up has not opened yet.")
    if slot.published_at is not None:
        return SlotState(PUBLISHED, "Sign-up has closed: the schedule is published.")
    if slot.matched_at is not None:
        return SlotState(MATCHING, "Sign-up has closed; staff are matching mentors and trainees.")
    started = session_started_reason(session, now)
    if started:
        return SlotState(CLOSED, started)
    if not slot.signup_is_open(now):
        return SlotState(
            CLOSED,
            f"Sign-up closed on {local_moment(session, slot.signup_closes_at)}; staff match "
            "mentors and trainees next.",
        )
    opens, closes = registration_window(session)
    if opens and now < opens:
        return SlotState(
            MENTORS_ONLY,
            "Mentors sign up now; trainees sign up and rank mentors from "
            f"{local_moment(session, opens)}.",
            mentors_may_sign_up=True,
        )
    if closes and now >= closes:
        return SlotState(
            MENTORS_ONLY,
            f"Mentors sign up now; trainee sign-up closed on {local_moment(session, closes)}.",
            mentors_may_sign_up=True,
        )
    ends = [moment for moment in (slot.signup_closes_at, closes) if moment]
    text = (
        f"Sign-up is open until {local_moment(session, min(ends))}: mentors offer a table, "
        "trainees rank mentors."
        if ends
        else "Sign-up is open until staff run the matching: mentors offer a table, trainees "
        "rank mentors."
    )
    return SlotState(OPEN, text, mentors_may_sign_up=True, trainees_may_sign_up=True)


def may_take_part_as_trainee(user: AnyUser) -> bool:
    """Blood Buddies pairs trainees with mentors: faculty (early-career, mid-career, senior)
    mentor; a person who has not said their career stage yet is taken at their word."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    stage = profile.career_stage if profile is not None else ""
    return not stage or stage in TRAINEE_STAGES


def is_mentor(user: AnyUser) -> bool:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return bool(profile is not None and profile.is_mentor)


# --- the agenda card and the session page (hooks registered in apps.py) -----------------------


def _url(name: str, session_id: int) -> str:
    return reverse(f"mentorship:{name}", kwargs={"session_id": session_id})


def _note(
    *,
    session: Session,
    state: SlotState,
    offer: MentorOffer | None,
    signup: TraineeSignup | None,
    user,
) -> SessionNote:
    registration = getattr(session, "my_registration", None)
    takes_part = registration is not None and registration.status == Registration.Status.CONFIRMED
    schedule = ("See my schedule", _url("my_schedule", session.pk))
    slot_page = _url("slot_detail", session.pk)
    if (offer and offer.status == ABSENT) or (takes_part and signup and signup.status == ABSENT):
        return SessionNote(
            mine="Staff have marked you absent from this slot.",
            mine_is_ok=False,
            link_text="About this slot",
            link_url=slot_page,
        )
    if offer and offer.status == ACTIVE and not getattr(offer, "mentor_is_approved", True):
        return SessionNote(
            mine=f"{MENTOR_PENDING} Your table in this slot is held until then.",
            mine_is_ok=False,
            link_text="My mentor offer",
            link_url=slot_page,
        )
    if offer and offer.status == ACTIVE:
        if state.is_published:
            return SessionNote(
                mine="You mentor in this slot: your table and trainees are published.",
                link_text=schedule[0],
                link_url=schedule[1],
            )
        return SessionNote(
            mine="You mentor in this slot; your table and trainees come once staff publish the "
            "schedule.",
            state=state.text if state.mentors_may_sign_up else "",
            link_text="My mentor offer",
            link_url=slot_page,
        )
    if takes_part:
        if state.is_published:
            return SessionNote(
                mine="Your rounds are published.", link_text=schedule[0], link_url=schedule[1]
            )
        return SessionNote(
            mine="You're signed up; your rounds come once staff publish the schedule.",
            state=state.text if state.trainees_may_sign_up else "",
            link_text="My interests and mentors",
            link_url=slot_page,
        )
    if state.code == NOT_READY:
        return SessionNote(state=state.text)
    if state.trainees_may_sign_up and may_take_part_as_trainee(user):
        link_text = "Sign up and rank mentors"
    elif state.mentors_may_sign_up and is_mentor(user):
        link_text = "Sign up to mentor"
    else:
        link_text = "About this slot"
    return SessionNote(state=state.text, link_text=link_text, link_url=slot_page)


def session_notes_for_user(*, sessions: list[Session], user: AnyUser) -> dict[int, SessionNote]:
    """Each Blood Buddies session's state and the person's standing; three queries at most,
    none when the sessions hold no Blood Buddies slot."""
    ids = [s.pk for s in sessions if s.registration_mode == Session.Mode.MATCHED]
    if not ids:
        return {}
    slots = {
        slot.session_id: slot for slot in SpeedMentoringSlot.objects.filter(session_id__in=ids)
    }
    offers: dict[int, MentorOffer] = {}
    signups: dict[int, TraineeSignup] = {}
    if user.is_authenticated and slots:
        slot_ids = [slot.pk for slot in slots.values()]
        offers = {
            o.slot_id: o
            for o in MentorOffer.objects.filter(slot_id__in=slot_ids, mentor=user).annotate(
                mentor_is_approved=approved_mentor_exists()
            )
        }
        signups = {
            s.slot_id: s for s in TraineeSignup.objects.filter(slot_id__in=slot_ids, trainee=user)
        }
    now = timezone.now()
    notes = {}
    for session in sessions:
        if session.pk not in ids:
            continue
        slot = slots.get(session.pk)
        if slot is not None:
            slot.session = session
        notes[session.pk] = _note(
            session=session,
            state=slot_state(session=session, slot=slot, now=now),
            offer=offers.get(slot.pk) if slot else None,
            signup=signups.get(slot.pk) if slot else None,
            user=user,
        )
    return notes
