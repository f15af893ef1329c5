"""A trainee's Blood Buddies reminder lists their round-by-round schedule as published."""

import datetime as dt

import pytest
import time_machine

from mentorship.services import schedule_draft, schedule_publish
from notifications.services import notifications_dispatch_due
from tests.mentorship.conftest import at, make_slot, offer_for, signup_for, speed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def test_trainee_reminder_before_the_first_round_lists_their_rounds(event, mailoutbox):
    session = speed_session(event, title="Blood Buddies 1", starts_at=at(6, 10), ends_at=at(6, 11))
    slot = make_slot(session, rounds=2, minutes_per_round=10, tables=4)
    with time_machine.travel(at(1, 9), tick=False):
        offer_for(slot, name="Dr. Mentor Person")
        signup = signup_for(slot, name="Tara Trainee")
        schedule_draft(slot=slot)
        schedule_publish(slot=slot)

    with time_machine.travel(session.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    (reminder,) = [m for m in mailoutbox if m.subject.startswith("Reminder")]
    assert reminder.to == [signup.trainee.email]
    assert "Round 1, 10:00–10:10, table 1: Dr. Mentor Person" in reminder.body
