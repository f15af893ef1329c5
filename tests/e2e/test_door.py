"""The lunch and Blood Buddies door pages on a phone and a desktop: nothing wider than the
screen, 44 px taps, no serious axe finding, and one tap checks a person in."""

import os

import pytest
from playwright.sync_api import expect

from events.lunch.services import table_seat_take
from events.models import TableSeat
from mentorship.models import MentorOffer
from mentorship.services import schedule_draft, schedule_publish
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import UserFactory, staff_with
from tests.mentorship.conftest import (
    at,
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    signup_for,
    speed_session,
)

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}
NAMES = ["Ada Alvarez", "Bartholomew Montgomery-Fitzwilliam", "Chen Li", "Dana Diaz"]


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS_DIR']}/{name}.png", full_page=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1
    for box in [b.bounding_box() for b in page.locator("main button").all()]:
        assert box and box["height"] >= 44 and box["width"] >= 44


@pytest.mark.parametrize("size", SIZES)
def test_the_lunch_at_the_door(new_context, live_server, winter_meeting, axe_script, size):
    lunch = lunch_make(event=winter_meeting, tables=3, rotations=2, seats=3)
    for n, name in enumerate(NAMES):
        r, t = cell(lunch, n % 2 + 1, 1)
        table_seat_take(session=lunch, rotation=r, table=t, user=UserFactory(name=name))
    door = staff_with("events.change_registration", email="door@example.org")
    page = new_context(viewport=SIZES[size], bypass_csp=True).new_page()  # axe runs inline
    log_in(page, live_server.url, email=door.email)

    page.goto(f"{live_server.url}/staff/checkin/{lunch.pk}/?rotation=1")
    expect(page.locator(".door-count")).to_contain_text("0 in of 4 expected")
    _fits(page, SIZES[size]["width"])
    assert serious_axe_violations(page, axe_script) == []

    page.get_by_role("button", name="Check in Chen Li").click()

    expect(page.locator(".door-count")).to_contain_text("1 in of 4 expected")
    expect(page.get_by_role("button", name="Undo check-in of Chen Li")).to_be_visible()
    assert TableSeat.objects.get(user__name="Chen Li").checked_in_by_id == door.pk
    _shot(page, f"door-lunch-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_blood_buddies_at_the_door(new_context, live_server, winter_meeting, axe_script, size):
    slot = make_slot(
        speed_session(winter_meeting, title="Blood Buddies", starts_at=at(6, 10), ends_at=at(6, 11))
    )
    for name in ("Dr. Maria Gonzalez-Whitfield", "Dr. Sam Lee"):
        offer_for(slot, make_mentor(name))
    for name in NAMES:
        signup_for(slot, make_trainee(name))
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    make_trainee("Sam Standby", email="sam@example.org")
    door = staff_with("events.change_registration", email="door@example.org")
    page = new_context(viewport=SIZES[size], bypass_csp=True).new_page()
    log_in(page, live_server.url, email=door.email)

    page.goto(f"{live_server.url}/staff/checkin/{slot.session_id}/?round=1")
    expect(page.locator(".door-count")).to_contain_text("Mentors: 0 in of 2")
    page.get_by_label("Email or name of a trainee with an account").fill("sam@example.org")
    page.get_by_role("button", name="Check in as standby").click()
    expect(page.locator(".messages")).to_contain_text("waits on the standby line")
    page.get_by_role("button", name="Check in Dr. Sam Lee").first.click()

    expect(page.locator(".door-count")).to_contain_text("Mentors: 1 in of 2")
    assert MentorOffer.objects.get(mentor__name="Dr. Sam Lee").checked_in_by_id == door.pk
    _fits(page, SIZES[size]["width"])
    assert serious_axe_violations(page, axe_script) == []
    _shot(page, f"door-rounds-{size}")

    page.get_by_role("link", name="Absent…").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("absent?")
    _fits(page, SIZES[size]["width"])
    _shot(page, f"door-rounds-absent-{size}")
