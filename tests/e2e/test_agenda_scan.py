"""The agenda in Chromium at a phone's and a laptop's width: the first screen of a phone
shows sessions, nothing pushes the page sideways, day tabs work without JavaScript, the
rooms grid puts parallel sessions side by side, and axe finds nothing serious."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, UserFactory

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


@pytest.fixture
def meeting():
    """Two days, three rooms with long names as a convention center has them, sessions in
    parallel and a long-titled one."""
    winter_meeting = EventFactory(
        slug="winter-meeting",
        name="Winter Meeting 2030",
        starts_on=dt.date(2030, 12, 6),
        ends_on=dt.date(2030, 12, 7),
    )
    rooms = [
        RoomFactory(
            event=winter_meeting, name=f"ASH-a-Palooza Event Center — Learning Pods {letter}"
        )
        for letter in "ABC"
    ]
    titles = [
        "Writing Your First Grant: Specific Aims That Work",
        "K Awards Demystified",
        "Hemostasis Consults for Trainees: A Practical Approach",
        "Negotiating Your First Job Offer",
        "CAR-T Cell Therapy Basics for Trainees",
        "Social Media for the Physician-Scientist",
        "Finding a Research Mentor",
        "Wellness in Fellowship",
        "Teaching on the Wards",
    ]
    for n, title in enumerate(titles):
        SessionFactory(
            event=winter_meeting,
            title=title,
            room=rooms[n % 3],
            starts_at=at(6, 10 + n // 3),
            ends_at=at(6, 10 + n // 3, 45),
            kind="micro_learning" if n % 2 else "blood_drop",
        )
    SessionFactory(
        event=winter_meeting,
        title="Saturday career panel",
        room=rooms[0],
        starts_at=at(7, 9),
        ends_at=at(7, 10),
    )
    return winter_meeting


def cards_fully_in_first_screen(page, height: int) -> int:
    return page.evaluate(
        """(height) => [...document.querySelectorAll('.session-card')]
            .map(card => card.getBoundingClientRect())
            .filter(box => box.height > 0 && box.top >= 0 && box.bottom <= height).length""",
        height,
    )


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


@pytest.mark.parametrize("who", ["visitor", "trainee"])
def test_on_a_phone_the_first_screen_shows_three_sessions_and_nothing_overflows(
    new_context, live_server, meeting, who
):
    page = new_context(viewport=PHONE).new_page()
    if who == "trainee":
        log_in(page, live_server.url, email=UserFactory(email="ada@example.org").email)

    page.goto(f"{live_server.url}/events/{meeting.slug}/")

    assert cards_fully_in_first_screen(page, PHONE["height"]) >= 3
    assert page_width(page) <= PHONE["width"]
    register = page.locator(".session-card button", has_text="Register").first
    if who == "trainee":
        box = register.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
@pytest.mark.parametrize("view", ["", "?view=grid"], ids=["list", "grid"])
def test_the_agenda_never_pushes_the_page_sideways_and_axe_finds_nothing_serious(
    new_context, live_server, meeting, axe_script, viewport, view
):
    page = new_context(viewport=viewport, bypass_csp=True).new_page()

    page.goto(f"{live_server.url}/events/{meeting.slug}/{view}")

    assert page_width(page) <= viewport["width"]
    assert serious_axe_violations(page, axe_script) == []


def test_on_a_laptop_the_grid_puts_parallel_sessions_side_by_side(
    new_context, live_server, meeting
):
    page = new_context(viewport=LAPTOP).new_page()

    page.goto(f"{live_server.url}/events/{meeting.slug}/?view=grid")

    first = page.get_by_role("link", name="Writing Your First Grant: Specific Aims That Work")
    second = page.get_by_role("link", name="K Awards Demystified")
    a, b = first.bounding_box(), second.bounding_box()
    assert abs(a["y"] - b["y"]) < 2
    assert b["x"] > a["x"] + a["width"]
    header = page.locator(".agenda-grid thead th").nth(1)
    expect(header).to_have_text("ASH-a-Palooza Event Center — Learning Pods A")


def test_day_tabs_work_without_javascript(new_context, live_server, meeting):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/events/{meeting.slug}/")
    friday = page.get_by_role("link", name="K Awards Demystified")
    saturday = page.get_by_role("link", name="Saturday career panel")
    expect(friday).to_be_visible()
    expect(saturday).to_be_hidden()

    page.locator("#day-20301206 .day-tabs").get_by_role("link", name="Sat 7").click()

    expect(saturday).to_be_visible()
    expect(friday).to_be_hidden()

    page.locator("#day-20301207 .day-tabs").get_by_role("link", name="All days").click()

    expect(saturday).to_be_visible()
    expect(friday).to_be_visible()


def test_registering_from_a_compact_card_works_with_the_keyboard(new_context, live_server, meeting):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, email=UserFactory(email="ada@example.org").email)
    page.goto(f"{live_server.url}/events/{meeting.slug}/")
    button = page.get_by_role("button", name="Register — K Awards Demystified")

    button.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("You have a seat in “K Awards Demystified”.")).to_be_visible()
    card = page.locator('.session-card:has(h4 a:text-is("K Awards Demystified"))')
    expect(card).to_contain_text("You have a seat")
