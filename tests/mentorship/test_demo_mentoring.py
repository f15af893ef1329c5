"""The demo's Blood Buddies slot: set up by load_demo, the same after a second run."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from events.models import Session
from mentorship.models import MentorOffer, MentorPreference, SpeedMentoringSlot, TraineeSignup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def test_load_demo_signs_up_the_demo_mentor_and_trainee_once():
    # Before the demo meeting (December 2019): once a session has started nobody signs up.
    with time_machine.travel(dt.datetime(2019, 11, 1, 12, 0, tzinfo=dt.UTC)):
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())

    offer = MentorOffer.objects.select_related("slot__session").get()
    signup = TraineeSignup.objects.get()
    assert offer.mentor.email == "mentor@example.org"
    assert offer.slot.session.key == "palooza-buddies-01"
    assert signup.trainee.email == "trainee@example.org"
    assert list(MentorPreference.objects.values_list("offer_id", "rank")) == [(offer.pk, 1)]
    assert signup.registration.status == "confirmed"


def test_load_demo_sets_up_every_blood_buddies_slot_the_agenda_advertises():
    call_command("load_demo", stdout=io.StringIO())

    sessions = Session.objects.filter(event__slug="ash-2019", kind="speed_mentoring")
    assert sessions.count() == 4
    assert SpeedMentoringSlot.objects.filter(session__in=sessions).count() == 4
