"""Sign-up limits under real concurrency (PostgreSQL row locks): the last trainee place and the
last table go to exactly one person each."""

import pytest
from django.core.exceptions import ValidationError

from events.models import Registration
from mentorship.models import MentorOffer, TraineeSignup
from tests.concurrency import run_at_once

from .conftest import make_mentor, make_slot, make_trainee, offer_for, signup_for, speed_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("scheduled_deliveries"),
]


def test_concurrent_trainee_sign_ups_take_exactly_the_free_places(postgres, event):
    slot = make_slot(speed_session(event, capacity=3))
    trainees = [make_trainee() for _ in range(10)]

    results = run_at_once([lambda t=t: signup_for(slot, t) for t in trainees])

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 7 and all(isinstance(e, ValidationError) for e in errors)
    assert {e.code for e in errors} == {"full"}
    confirmed = Registration.objects.filter(session=slot.session, status="confirmed")
    assert confirmed.count() == TraineeSignup.objects.count() == 3


def test_concurrent_mentor_sign_ups_staff_exactly_the_tables(postgres, event):
    slot = make_slot(speed_session(event), tables=2)
    mentors = [make_mentor() for _ in range(8)]

    results = run_at_once([lambda m=m: offer_for(slot, m) for m in mentors])

    assert sum(isinstance(r, MentorOffer) for r in results) == 2
    assert MentorOffer.objects.filter(slot=slot, status="active").count() == 2
