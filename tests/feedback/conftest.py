"""Fixtures for the feedback tests: a talk that ended, people who came and people who did not."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from events.models import Registration
from tests.factories import NY, RegistrationFactory, SessionFactory, UserFactory

# The default session (tests/factories.py) runs 10:00–10:30 New York time on Dec 6, 2030.
DURING = dt.datetime(2030, 12, 6, 10, 15, tzinfo=NY)
AFTER = dt.datetime(2030, 12, 6, 10, 40, tzinfo=NY)


@pytest.fixture(autouse=True)
def _broker(recording_broker):
    """What the outbox would publish after commit is recorded, not pushed to a shared queue;
    a test that wants the mail runs the dispatcher itself, as beat would."""
    return recording_broker


@pytest.fixture
def talk(event):
    return SessionFactory(event=event, title="Giving a scientific talk")


def came(session, **person) -> Registration:
    """A confirmed person checked in at the door five minutes after the start."""
    registration = RegistrationFactory(session=session, user=UserFactory(**person))
    Registration.objects.filter(pk=registration.pk).update(
        checked_in_at=session.starts_at + dt.timedelta(minutes=5)
    )
    registration.refresh_from_db()
    return registration


def stayed_away(session, **person) -> Registration:
    return RegistrationFactory(session=session, user=UserFactory(**person))


def now() -> dt.datetime:
    return timezone.now()


def checked_rating(response) -> str | None:
    """The rating chosen on the feedback page (the radio button that is checked)."""
    found = [
        re.search(r'value="(\d)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", response.content.decode())
        if 'name="rating"' in tag and " checked" in tag
    ]
    assert len(found) <= 1
    return found[0] if found else None
