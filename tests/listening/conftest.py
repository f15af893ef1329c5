import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from events.models import Session
from tests.factories import NY, SessionFactory, UserFactory


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, tzinfo=NY)


def listening_sessions(event) -> list[Session]:
    """Three days of interviews (December 6–8, 2030, New York time), as the demo has."""
    return [
        SessionFactory(
            event=event,
            title=f"Listening sessions: interviews (day {n})",
            kind=Session.Kind.LISTENING,
            registration_mode=Session.Mode.REQUEST,
            capacity=None,
            starts_at=at(day, 9),
            ends_at=at(day, 17),
        )
        for n, day in enumerate((6, 7, 8), start=1)
    ]


def make_reviewer(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="listening", codename="review_requests")
    )
    return user


@pytest.fixture
def listening_event(event):
    listening_sessions(event)
    return event


@pytest.fixture
def reviewer():
    return make_reviewer(name="Rita Reviewer")


def request_data(**overrides) -> dict:
    data = {
        "formats": ["interview", "group"],
        "topics": ["gender", "other"],
        "topic_other": "Parenthood in training",
        "availability": ["2030-12-06:morning", "2030-12-07:evening"],
        "time_zone": "Europe/Berlin",
        "note": "I prefer mornings.",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
