"""A trainee's Blood Buddies reminder lists their round-by-round schedule as published."""

import datetime as dt

import pytest
import time_machine

from mentorship.services import participant_mark_absent, schedule_draft, schedule_publish
from notifications.services import notifications_dispatch_due
from tests.mentorship.conftest import at, make_slot, offer_for, signup_for, speed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def test_trainee_reminder_before_the_first_round_lists_their_rounds(event, mailoutbox):
    buddies_session = speed_session(
        event, title="Blood Buddies 1", starts_at=at(6, 10), ends_at=at(6, 11)
    )
    slot = make_slot(buddies_session, rounds=2, minutes_per_round=10, tables=4)
    with time_machine.travel(at(1, 9), tick=False):
        offer_for(slot, name="Dr. Mentor Person")
        signup = signup_for(slot, name="Tara Trainee")
        schedule_draft(slot=slot)
        schedule_publish(slot=slot)

    with time_machine.travel(buddies_session.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    (reminder,) = [
        m for m in mailoutbox if m.to == [signup.trainee.email] and "Reminder" in m.subject
    ]
    assert "Round 1, 10:00–10:10, table 1: Dr. Mentor Person" in reminder.body


def test_mentor_gets_a_reminder_with_their_rounds_though_they_hold_no_registration(
    event, mailoutbox
):
    buddies_session = speed_session(
        event, title="Blood Buddies 1", starts_at=at(6, 10), ends_at=at(6, 11)
    )
    slot = make_slot(buddies_session, rounds=2, minutes_per_round=10, tables=4)
    with time_machine.travel(at(1, 9), tick=False):
        offer = offer_for(slot, name="Dr. Mentor Person")
        signup_for(slot, name="Tara Trainee")
        schedule_draft(slot=slot)
        schedule_publish(slot=slot)

    with time_machine.travel(buddies_session.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    (reminder,) = [
        m for m in mailoutbox if m.to == [offer.mentor.email] and "Reminder" in m.subject
    ]
    assert reminder.subject.startswith("Reminder: you mentor at Blood Buddies 1")
    assert "Tara Trainee" in reminder.body
    assert "Round 1, 10:00–10:10, table 1" in reminder.body


def test_mentor_marked_absent_gets_no_reminder(event, mailoutbox):
    buddies_session = speed_session(
        event, title="Blood Buddies 1", starts_at=at(6, 10), ends_at=at(6, 11)
    )
    slot = make_slot(buddies_session, rounds=2, minutes_per_round=10, tables=4)
    with time_machine.travel(at(1, 9), tick=False):
        offer = offer_for(slot, name="Dr. Mentor Person")
        signup_for(slot)
        schedule_draft(slot=slot)
        schedule_publish(slot=slot)
    with time_machine.travel(at(5, 9), tick=False):
        participant_mark_absent(slot=slot, user=offer.mentor)

    with time_machine.travel(buddies_session.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    assert [m for m in mailoutbox if m.to == [offer.mentor.email] and "Reminder" in m.subject] == []
