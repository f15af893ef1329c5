"""The door's check-in page on a phone: fits 390 px, taps are 44 px, one tap marks a person."""

import datetime as dt
import os

import time_machine
from playwright.sync_api import expect

from events.models import Registration
from tests.factories import (
    NY,
    RegistrationFactory,
    SessionFactory,
    StandbyFactory,
    UserFactory,
    staff_with,
)

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


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
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS_DIR']}/checkin-390.png", full_page=True)


def _door_house(winter_meeting):
    """A full session ten minutes after its start: one person in, two not, two people on
    the standby line (one with a long name) and a walk-in to add."""
    start = dt.datetime(2030, 12, 6, 10, tzinfo=NY)
    talk = SessionFactory(
        event=winter_meeting,
        title="Grant writing",
        capacity=3,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    inside = RegistrationFactory(session=talk, user=UserFactory(name="Ada Alvarez"))
    Registration.objects.filter(pk=inside.pk).update(checked_in_at=start)
    for name in ("Ben Brooks", "Chen Li"):
        RegistrationFactory(session=talk, user=UserFactory(name=name))
    for minutes, name in ((3, "Bartholomew Montgomery-Fitzwilliam"), (2, "Fay First")):
        StandbyFactory(
            session=talk,
            user=UserFactory(name=name),
            arrived_at=start - dt.timedelta(minutes=minutes),
        )
    UserFactory(name="Wes Walker", email="wes@example.org")
    return talk, start + dt.timedelta(minutes=12)


def _fits(page, width):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1
    for box in [b.bounding_box() for b in page.locator("main button:visible").all()]:
        assert box and box["height"] >= 44 and box["width"] >= 44


def test_walk_ins_standby_and_release_on_a_phone_and_a_desk(
    new_context, live_server, winter_meeting, axe_script
):
    talk, later = _door_house(winter_meeting)
    door = staff_with("events.change_registration", email="door@example.org")
    shots = os.environ.get("SCREENSHOTS_DIR")
    with time_machine.travel(later, tick=True):
        for size in (DESK, PHONE):
            page = new_context(viewport=size, bypass_csp=True).new_page()
            log_in(page, live_server.url, email=door.email)
            page.goto(f"{live_server.url}/staff/checkin/{talk.pk}/?walkin=wes#walk-in")
            expect(page.locator(".checkin-count")).to_contain_text("2 on standby")
            _fits(page, size["width"])
            assert serious_axe_violations(page, axe_script) == []
            if shots:
                page.screenshot(path=f"{shots}/door-{size['width']}.png", full_page=True)
            page.goto(f"{live_server.url}/staff/checkin/{talk.pk}/release/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Release seats")
            _fits(page, size["width"])
            assert serious_axe_violations(page, axe_script) == []
            if shots:
                page.screenshot(path=f"{shots}/release-{size['width']}.png", full_page=True)

        # On the phone: add the walk-in (the session is full: the standby line), then release.
        page.goto(f"{live_server.url}/staff/checkin/{talk.pk}/?walkin=wes")
        page.get_by_role("button", name="Add Wes Walker").click()
        expect(page.locator(".messages")).to_contain_text("Wes Walker is number 3 on the standby")
        page.get_by_role("link", name="Release seats of people not checked in").click()
        page.get_by_role("button", name="Release 2 seats").click()
        expect(page.locator(".messages")).to_contain_text(
            "Seated and checked in from the standby line: Bartholomew Montgomery-Fitzwilliam, "
            "Fay First."
        )
        expect(page.locator(".checkin-count")).to_contain_text("3 in of 3 expected")
        if shots:
            page.screenshot(path=f"{shots}/door-after-390.png", full_page=True)
    assert Registration.objects.confirmed().filter(session=talk).count() == 3
