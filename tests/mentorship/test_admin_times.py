"""Blood Buddies for staff: the review page's rounds and the slot admin read in the event's
zone (issue 9, item 1)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mentorship.models import SpeedMentoringSlot
from mentorship.services import schedule_draft
from tests.admin_form import form_data, page_text
from tests.factories import NY

from .conftest import make_slot, offer_for, signup_for, speed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

SLOTS = "/admin/mentorship/speedmentoringslot/"


@pytest.fixture
def morning_slot(event):
    """10:30–11:15 in Orlando, four rounds of ten minutes (as the demo's first slot)."""
    buddies_session = speed_session(
        event,
        title="Blood Buddies 1",
        starts_at=dt.datetime(2030, 12, 6, 10, 30, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 11, 15, tzinfo=NY),
    )
    return make_slot(buddies_session, rounds=4, minutes_per_round=10)


def review(client: Client, slot) -> str:
    return page_text(
        client.get(reverse("mentorship:review", kwargs={"session_id": slot.session_id}))
    )


def test_review_rounds_read_in_the_time_of_the_heading(staff_client, morning_slot):
    offer_for(morning_slot)
    signup_for(morning_slot)
    schedule_draft(slot=morning_slot)

    page = review(staff_client, morning_slot)

    assert "10:30–11:15" in page
    for number, when in enumerate(["10:30–10:40", "10:40–10:50", "10:50–11:00", "11:00–11:10"]):
        assert f"{number + 1} {when}" in page
    assert "15:30" not in page


def test_review_state_says_when_the_draft_was_made_in_the_event_zone(staff_client, morning_slot):
    offer_for(morning_slot)
    with time_machine.travel(dt.datetime(2030, 11, 20, 14, 5, tzinfo=dt.UTC)):
        schedule_draft(slot=morning_slot)

    page = review(staff_client, morning_slot)

    assert "Draft from November 20, 2030, 09:05 EST" in page


def test_slot_sign_up_deadline_is_typed_and_shown_in_the_event_zone(staff_client, morning_slot):
    url = f"{SLOTS}{morning_slot.pk}/change/"
    data = form_data(staff_client.get(url).content.decode(), "speedmentoringslot_form")
    data.update(signup_closes_at_0=["2030-12-04"], signup_closes_at_1=["17:00"])

    response = staff_client.post(url, data)

    assert response.status_code == 302
    morning_slot.refresh_from_db()
    assert morning_slot.signup_closes_at == dt.datetime(2030, 12, 4, 22, 0, tzinfo=dt.UTC)
    shown = staff_client.get(url)
    shown_data = form_data(shown.content.decode(), "speedmentoringslot_form")
    assert shown_data["signup_closes_at_1"] == ["17:00"]
    assert "Orlando time (America/New_York)" in page_text(shown)


def test_a_new_slot_takes_its_deadline_in_the_zone_of_the_session_chosen(staff_client, event):
    buddies_session = speed_session(event, title="Blood Buddies 2")
    data = form_data(staff_client.get(f"{SLOTS}add/").content.decode(), "speedmentoringslot_form")
    data.update(
        session=[str(buddies_session.pk)],
        signup_closes_at_0=["2030-12-05"],
        signup_closes_at_1=["12:00"],
    )
    data = {name: values for name, values in data.items() if "-" not in name}
    for prefix in ("offers", "signups"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = staff_client.post(f"{SLOTS}add/", data)

    assert response.status_code == 302
    slot = SpeedMentoringSlot.objects.get(session=buddies_session)
    assert slot.signup_closes_at == dt.datetime(2030, 12, 5, 12, 0, tzinfo=NY)


def test_slot_list_shows_the_session_time_and_deadline_in_the_event_zone(
    staff_client, morning_slot
):
    morning_slot.signup_closes_at = dt.datetime(2030, 12, 4, 17, 0, tzinfo=NY)
    morning_slot.save()

    page = page_text(staff_client.get(SLOTS))

    assert "Fri, Dec 6, 2030, 10:30–11:15 EST" in page
    assert "Wed, Dec 4, 2030, 17:00 EST" in page


def test_meetings_list_shows_each_round_time_in_the_event_zone(staff_client, morning_slot):
    offer_for(morning_slot)
    signup_for(morning_slot)
    schedule_draft(slot=morning_slot)

    page = page_text(staff_client.get("/admin/mentorship/meeting/"))

    assert "Fri, Dec 6, 2030, 10:30–10:40 EST" in page
