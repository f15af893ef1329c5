"""The door's check-in page on a phone: fits 390 px, taps are 44 px, one tap marks a person."""

import os

from playwright.sync_api import expect

from events.models import Registration
from tests.factories import RegistrationFactory, SessionFactory, UserFactory, staff_with

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}


def test_check_in_on_a_phone(new_context, live_server, winter_meeting, axe_script):
    talk = SessionFactory(event=winter_meeting, title="Grant writing", capacity=10)
    people = [
        RegistrationFactory(session=talk, user=UserFactory(name=name))
        for name in ("Ada Alvarez", "Bartholomew Montgomery-Fitzwilliam", "Chen Li")
    ]
    door = staff_with("events.change_registration", email="door@example.org")
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()  # axe runs inline
    log_in(page, live_server.url, email=door.email)

    page.goto(f"{live_server.url}/staff/checkin/{talk.pk}/")
    expect(page.locator(".checkin-count")).to_contain_text("0 in of 3 expected")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1
    for box in [b.bounding_box() for b in page.locator(".checkin-list button").all()]:
        assert box and box["height"] >= 44 and box["width"] >= 44
    assert serious_axe_violations(page, axe_script) == []

    page.get_by_role("button", name="Check in Chen Li").click()

    expect(page.locator(".checkin-count")).to_contain_text("1 in of 3 expected")
    expect(page.get_by_role("button", name="Undo check-in of Chen Li")).to_be_visible()
    assert Registration.objects.get(pk=people[2].pk).checked_in_by_id == door.pk
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/checkin-390.png", full_page=True)
