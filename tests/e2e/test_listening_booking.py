"""Booking an interview on a phone (390 px): from the free slots to the booked interview
with its link, the page as wide as the phone, no serious axe violation; and the same pages
on a laptop (1280 px)."""

import pytest
from playwright.sync_api import expect

from listening.models import InterviewBooking
from tests.factories import UserFactory
from tests.listening.booking_world import accepted, group, slots

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def member(event):
    person = UserFactory(name="Ada Okafor", email="ada@example.org")
    accepted(event, formats=["interview", "group"], user=person, time_zone="Europe/London")
    slots(event, UserFactory(name="Dr. Renata Solberg-Whitcombe"), count=4)
    group(event, title="Belonging in the clinic and the laboratory")
    return person


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_booking_an_interview_on_a_phone(new_context, live_server, member, axe_script):
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(page, live_server.url, email=member.email)

    page.goto(f"{live_server.url}/listening/interviews/")
    assert page_fits(page)
    assert serious_axe_violations(page, axe_script) == []
    page.get_by_role("button", name="Book").first.click()

    expect(page.get_by_text("Your interview is booked")).to_be_visible()
    expect(page.get_by_text("Friday, December 6, 14:00–14:20 (Europe/London)")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example/i/0")).to_be_visible()
    assert page_fits(page)
    assert serious_axe_violations(page, axe_script) == []
    assert InterviewBooking.objects.filter(user=member, status="booked").count() == 1


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_booking_pages_fit_the_screen(new_context, live_server, member, axe_script, viewport):
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    log_in(page, live_server.url, email=member.email)

    found = {}
    for path in ("/listening/interviews/", "/listening/groups/"):
        page.goto(f"{live_server.url}{path}")
        found[path] = (page_fits(page), serious_axe_violations(page, axe_script))

    assert found == {p: (True, []) for p in found}
