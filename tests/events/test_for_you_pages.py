""" "For you" beyond the agenda: lunch tables and Blood Buddies mentors on the interests in
the person's profile come first and say why, through the real pages."""

import re

import pytest

from tests.events.lunch.conftest import lunch_make
from tests.factories import EventFactory
from tests.mentorship.conftest import (
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    speed_session,
)

pytestmark = pytest.mark.django_db


def test_lunch_tables_on_the_persons_interests_come_first_and_say_why(client):
    lunch = lunch_make(tables=4, paths=["clinical-malignant", "medical-education"])
    client.force_login(make_trainee(interests=["medical-education"]))

    content = client.get(f"/events/{lunch.event.slug}/sessions/{lunch.pk}/tables/").content.decode()

    rows = re.findall(
        r'<tr id="table-\d+"( class="interest")?>\s*<th scope="row">\s*<span class="table-number">Table (\d+)',
        content,
    )
    assert rows == [(' class="interest"', "2"), (' class="interest"', "4"), ("", "1"), ("", "3")]
    assert (
        '★ For you</span><span class="visually-hidden">: Matches your interest in medical education'
        in content
    )


def test_without_interests_the_tables_keep_their_numbers(client):
    lunch = lunch_make(tables=3, paths=["clinical-malignant", "medical-education"])
    client.force_login(make_trainee())

    content = client.get(f"/events/{lunch.event.slug}/sessions/{lunch.pk}/tables/").content.decode()

    assert re.findall(r'<span class="table-number">Table (\d+)', content) == ["1", "2", "3"]
    assert "★ For you</span>" not in content.split("<tbody>")[1]


def test_mentors_on_the_persons_interests_come_first_and_say_why(client):
    slot = make_slot(speed_session(EventFactory()))
    offer_for(slot, make_mentor("Dr. Industry", expertise=["industry"]))
    offer_for(slot, make_mentor("Dr. Teacher", expertise=["medical-education"]))
    client.force_login(make_trainee(interests=["medical-education"]))

    content = client.get(f"/mentorship/slots/{slot.session_id}/").content.decode()

    listed = re.findall(r'<li id="mentor-\d+">\s*<strong>([^<]+)</strong>', content)
    assert listed == ["Dr. Teacher", "Dr. Industry"]
    assert "★ For you: Matches your interest in medical education" in content
