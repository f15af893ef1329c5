"""Fixtures for the Blood Buddies tests: a speed-mentoring slot, mentors and trainees."""

import datetime as dt

import pytest

from accounts.models import CareerPath, CareerStage
from events.models import Session
from mentorship.models import SpeedMentoringSlot
from mentorship.services import mentor_offer_save, trainee_signup_save
from tests.factories import NY, SessionFactory, UserFactory, approve_mentor


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def speed_session(event, **kwargs) -> Session:
    return SessionFactory(
        event=event,
        kind=Session.Kind.SPEED_MENTORING,
        registration_mode=Session.Mode.MATCHED,
        capacity=kwargs.pop("capacity", 60),
        starts_at=kwargs.pop("starts_at", at(6, 10)),
        ends_at=kwargs.pop("ends_at", at(6, 11)),
        **kwargs,
    )


@pytest.fixture
def buddies_session(event):
    return speed_session(event, title="Blood Buddies 1")


def make_slot(buddies_session, **kwargs) -> SpeedMentoringSlot:
    values = {"rounds": 4, "minutes_per_round": 10, "tables": 8, **kwargs}
    return SpeedMentoringSlot.objects.create(session=buddies_session, **values)


@pytest.fixture
def slot(buddies_session):
    return make_slot(buddies_session)


def paths(*slugs: str) -> list[CareerPath]:
    return list(CareerPath.objects.filter(slug__in=slugs))


def make_mentor(
    name: str = "", *, institution: str = "", expertise=(), approved: bool = True, **kwargs
):
    """A mentor a coordinator approved (`approved=False`: one still waiting)."""
    user = UserFactory(**({"name": name} if name else {}), **kwargs)
    profile = user.profile
    profile.is_mentor = True
    profile.career_stage = CareerStage.SENIOR
    profile.institution = institution
    profile.mentor_bio = f"Bio of {user.name}"
    profile.save()
    profile.expertise.set(paths(*expertise))
    if approved:
        approve_mentor(user)
    return user


def make_trainee(name: str = "", *, institution: str = "", interests=(), **kwargs):
    user = UserFactory(**({"name": name} if name else {}), **kwargs)
    profile = user.profile
    profile.institution = institution
    profile.save()
    profile.interests.set(paths(*interests))
    return user


def offer_for(slot, mentor=None, *, capacity: int = 1, excluded: str = "", **kwargs):
    mentor = mentor or make_mentor(**kwargs)
    return mentor_offer_save(
        slot=slot, mentor=mentor, capacity=capacity, excluded_institutions=excluded
    )


def signup_for(slot, trainee=None, *, preferred=(), interests=None, **kwargs):
    trainee = trainee or make_trainee(**kwargs)
    return trainee_signup_save(
        slot=slot,
        trainee=trainee,
        interests=trainee.profile.interests.all() if interests is None else interests,
        preferred=list(preferred),
    )
