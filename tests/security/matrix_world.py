"""The world the authorization matrix asks its questions in: one published event and one draft
event with the same program, and one person per role.

Each side holds a talk the owner has a seat in, a career lunch with the owner at table 1
(hosted by the host), a Blood Buddies slot open for sign-up (the mentor offers, the owner
signs up) and a published slot with one conversation between the mentor and the owner. The
draft side is built published, then unpublished, as staff would do it: the owner's places
stay, unseen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.tokens import default_token_generator
from django.db.models import F

from accounts.models import Profile, User
from accounts.services import career_paths_ensure
from events.lunch.services import table_seat_take
from events.models import Event, LunchRotation, Registration, Session, TableHost
from events.services import registration_create
from feedback.tokens import feedback_token
from listening.services.interviews import interview_book
from mentorship.models import DoorStandby, Meeting, MentorOffer, TraineeSignup
from mentorship.services import schedule_draft, schedule_publish
from notifications.services import unsubscribe_token
from tests.events.lunch.conftest import lunch_make
from tests.factories import (
    NY,
    EventFactory,
    SessionFactory,
    UserFactory,
    approve_mentor,
    staff_with,
)
from tests.listening.booking_world import accepted, group, slots
from tests.mentorship.conftest import (
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    signup_for,
    speed_session,
)

# The columns of the matrix, in the order its rows spell them.
ROLES = ["anonymous", "owner", "other", "mentor", "host", "staff", "holder", "superuser"]


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, tzinfo=NY)


@dataclass
class Side:
    """The path values of one event's objects."""

    slug: str
    talk: int
    seat: int  # the owner's registration for the talk (the door marks it)
    lunch: int
    table: int
    rotation: int
    slot: int  # a slot's URLs name its session
    done_slot: int
    meeting: int
    lunch_seat: int  # the owner's table seat (the lunch's door marks it)
    done_offer: int  # the mentor's and the owner's places in the published slot
    done_signup: int
    standby: int  # a trainee on the published slot's standby line at the door


@dataclass
class World:
    sides: dict[str, Side]
    users: dict[str, User]
    tokens: dict[str, str]
    holders: dict[tuple[str, ...], User] = field(default_factory=dict)
    listening: dict[str, int] = field(default_factory=dict)  # path values of listening pages

    def holder(self, permissions: tuple[str, ...]) -> User:
        """A staff account holding exactly `permissions`, made once per set."""
        if permissions not in self.holders:
            n = len(self.holders)
            self.holders[permissions] = staff_with(*permissions, email=f"holder{n}@matrix.example")
        return self.holders[permissions]


def _programme(event: Event, *, day: int, owner: User, mentor: User, host: User) -> Side:
    """The programme on `day` and the day after (the two sides' days apart: the same owner
    holds places on both, which must not clash)."""
    talk = SessionFactory(
        event=event, title="Grant writing", capacity=5, starts_at=at(day, 9), ends_at=at(day, 10)
    )
    seat = registration_create(session=talk, user=owner)
    # The owner came through the door: their feedback link for the talk is live.
    Registration.objects.filter(pk=seat.pk).update(checked_in_at=talk.starts_at)
    lunch = lunch_make(event=event, tables=2, rotations=2)  # on December 7
    shift = at(day, 12) - at(7, 12)
    Session.objects.filter(pk=lunch.pk).update(
        starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift
    )
    LunchRotation.objects.filter(session=lunch).update(
        starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift
    )
    table = lunch.lunch_tables.get(number=1)
    rotation = lunch.lunch_rotations.order_by("starts_at").first()
    TableHost.objects.filter(table=table).update(user=host)
    lunch_seat = table_seat_take(session=lunch, rotation=rotation, table=table, user=owner)
    slot = make_slot(
        speed_session(event, title="BB open", starts_at=at(day + 1, 14), ends_at=at(day + 1, 15))
    )
    offer_for(slot, mentor)
    signup_for(slot, owner)
    done = make_slot(
        speed_session(event, title="BB done", starts_at=at(day + 1, 16), ends_at=at(day + 1, 17))
    )
    offer_for(done, mentor)
    signup_for(done, owner)
    schedule_draft(slot=done)
    schedule_publish(slot=done)
    standby = DoorStandby.objects.create(slot=done, trainee=UserFactory(), arrived_at=at(day, 8))
    return Side(
        slug=event.slug,
        talk=talk.pk,
        seat=seat.pk,
        lunch=lunch.pk,
        table=table.pk,
        rotation=rotation.pk,
        slot=slot.session_id,
        done_slot=done.session_id,
        meeting=Meeting.objects.get(slot=done).pk,
        lunch_seat=lunch_seat.pk,
        done_offer=MentorOffer.objects.get(slot=done).pk,
        done_signup=TraineeSignup.objects.get(slot=done).pk,
        standby=standby.pk,
    )


def _listening(event: Event, *, owner: User, mentor: User) -> dict[str, int]:
    """The owner accepted for an interview and a group and booked in a slot the mentor
    facilitates; a second free slot and an open group."""
    accepted(event, formats=["interview", "group"], user=owner)
    booked, free = slots(event, mentor, count=2)
    booking = interview_book(slot_id=booked.pk, user=owner)
    return {"slot": free.pk, "booking": booking.pk, "group": group(event, leader=mentor).pk}


def build_world() -> World:
    career_paths_ensure()
    users = {
        "owner": make_trainee("Olivia Owner", email="owner@matrix.example"),
        "other": make_trainee("Oscar Other", email="other@matrix.example"),
        "mentor": make_mentor("Dr. Mia Mentor", email="mentor@matrix.example"),
        "host": UserFactory(name="Dr. Hal Host", email="host@matrix.example"),
        "staff": UserFactory(email="staff@matrix.example", is_staff=True),
        "superuser": UserFactory(email="super@matrix.example", is_staff=True, is_superuser=True),
    }
    approve_mentor(users["host"])  # a host reads their guest list once approved
    people = {k: users[k] for k in ("owner", "mentor", "host")}
    pub = _programme(EventFactory(slug="matrix-pub"), day=5, **people)
    draft_event = EventFactory(slug="matrix-draft")
    draft = _programme(draft_event, day=8, **people)
    Event.objects.filter(pk=draft_event.pk).update(is_published=False)

    owner = users["owner"]
    # A second address the owner added and has not confirmed yet: its link is live.
    address = EmailAddress.objects.create(
        user=owner, email="owner.second@matrix.example", verified=False, primary=False
    )
    return World(
        sides={"pub": pub, "draft": draft},
        users=users,
        listening=_listening(
            Event.objects.get(slug="matrix-pub"), owner=owner, mentor=users["mentor"]
        ),
        tokens={
            "calendar": Profile.objects.get(user=owner).calendar_token,
            "unsubscribe": unsubscribe_token(user=owner),
            "confirm": EmailConfirmationHMAC(address).key,
            "uidb36": user_pk_to_url_str(owner),
            "reset": default_token_generator.make_token(owner),
            "feedback": feedback_token(session_id=pub.talk, user_id=owner.pk),
            "feedback_draft": feedback_token(session_id=draft.talk, user_id=owner.pk),
        },
    )
