"""A Blood Buddies slot whose session has started or ended takes no sign-up, from mentors or
trainees, and every page says so instead of inviting people to sign up."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from mentorship.selectors.state import CLOSED, slot_state
from mentorship.services import mentor_offer_save
from tests.mentorship.conftest import make_mentor

pytestmark = pytest.mark.django_db


def test_slot_state_after_the_session_started_is_closed_with_the_reason(slot):
    with time_machine.travel(slot.session.starts_at + dt.timedelta(minutes=1)):
        state = slot_state(session=slot.session, slot=slot)
    assert (state.code, state.text) == (CLOSED, "This session has already started.")
    assert not state.mentors_may_sign_up and not state.trainees_may_sign_up


def test_mentor_cannot_sign_up_after_the_session_started(slot):
    mentor = make_mentor()
    with time_machine.travel(slot.session.starts_at + dt.timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="already started"):
            mentor_offer_save(slot=slot, mentor=mentor, capacity=1)
    assert not slot.offers.exists()


def test_mentorship_index_after_the_event_ended_offers_no_sign_up(client, slot):
    with time_machine.travel(slot.session.event.ends_on + dt.timedelta(days=2)):
        page = client.get("/mentorship/").content.decode()
    assert "This event has ended." in page
    assert "Sign up and rank mentors" not in page
    assert "Sign-up is open" not in page
