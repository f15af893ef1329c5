"""Giving a seat away asks first, in Chromium, with and without JavaScript: the agenda's and
My agenda's buttons open a confirmation page that says what will happen; its button does it."""

import re

import pytest
from playwright.sync_api import Page, expect

from events.models import Registration
from events.services import registration_create
from tests.factories import SessionFactory, UserFactory

from .conftest import E2E, at, log_in, serious_axe_violations

pytestmark = E2E

Status = Registration.Status


def card(page: Page, session):
    return page.locator(f"#session-{session.pk}")


def my_agenda_row(page: Page, session):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=session.title))


def status_of(session, user) -> str | None:
    registration = (
        Registration.objects.filter(session=session, user=user)
        .exclude(status=Status.CANCELLED)
        .first()
    )
    return registration.status if registration else None


@pytest.fixture
def one_seat_talk(winter_meeting):
    return SessionFactory(
        event=winter_meeting,
        title="Giving a scientific talk",
        starts_at=at(10),
        ends_at=at(11),
        capacity=1,
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_cancel_from_the_agenda_asks_first_then_the_seat_goes_to_the_next_person(
    new_context, live_server, winter_meeting, ada, one_seat_talk, javascript
):
    waiting = UserFactory(name="Grace Mensah")
    registration_create(session=one_seat_talk, user=ada)
    registration_create(session=one_seat_talk, user=waiting)
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/events/{winter_meeting.slug}/")

    card(page, one_seat_talk).get_by_role("link", name="Cancel my seat").click()

    expect(page).to_have_url(re.compile(r"/cancel/confirm/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your seat?")
    expect(page.locator("main")).to_contain_text("Your seat goes to the next person waiting.")
    assert status_of(one_seat_talk, ada) == Status.CONFIRMED  # nothing changed yet

    page.get_by_role("button", name="Cancel my seat").click()

    expect(page).to_have_url(
        re.compile(rf"/events/{winter_meeting.slug}/(#session-{one_seat_talk.pk})?$")
    )
    expect(page.locator(".messages")).to_have_text(
        "Your seat in “Giving a scientific talk” is cancelled."
    )
    expect(
        card(page, one_seat_talk).get_by_role("button", name="Join the waitlist")
    ).to_be_visible()
    assert status_of(one_seat_talk, ada) is None
    assert status_of(one_seat_talk, waiting) == Status.CONFIRMED


def test_keep_my_seat_goes_back_and_changes_nothing(
    page: Page, live_server, winter_meeting, ada, one_seat_talk
):
    registration_create(session=one_seat_talk, user=ada)
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/me/agenda/")

    my_agenda_row(page, one_seat_talk).get_by_role("link", name="Cancel my seat").click()
    page.get_by_role("link", name="Keep my seat").click()

    expect(page).to_have_url(re.compile(r"/me/agenda/#registration-\d+$"))
    expect(my_agenda_row(page, one_seat_talk)).to_contain_text("Confirmed")
    assert status_of(one_seat_talk, ada) == Status.CONFIRMED


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switch_asks_first_naming_both_sessions_then_moves_the_seat(
    new_context, live_server, winter_meeting, ada, one_seat_talk, javascript
):
    industry = SessionFactory(
        event=winter_meeting, title="Careers in industry", starts_at=at(10, 30), ends_at=at(11, 30)
    )
    registration_create(session=one_seat_talk, user=ada)
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/events/{winter_meeting.slug}/")

    card(page, industry).get_by_role("link", name="Switch to this session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Switch sessions?")
    expect(page.locator("main")).to_contain_text(
        "You give up your seat in “Giving a scientific talk” and take one in “Careers in "
        "industry”; your seat in “Giving a scientific talk” is freed for whoever registers next."
    )
    assert status_of(industry, ada) is None

    page.get_by_role("button", name="Switch", exact=True).click()

    expect(page.locator(".messages")).to_have_text(
        "Switched: you gave up “Giving a scientific talk” and have a seat in “Careers in industry”."
    )
    expect(card(page, industry).locator(".status")).to_have_text("✓ You have a seat")
    assert status_of(one_seat_talk, ada) is None


def test_leaving_a_waitlist_from_my_agenda_names_the_place_in_line(
    page: Page, live_server, winter_meeting, ada, one_seat_talk
):
    registration_create(session=one_seat_talk, user=UserFactory())
    registration_create(session=one_seat_talk, user=UserFactory())
    registration_create(session=one_seat_talk, user=ada)  # second in line
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/me/agenda/")

    my_agenda_row(page, one_seat_talk).get_by_role("link", name="Leave the waitlist").click()

    expect(page.locator("main")).to_contain_text("You lose your place #2 in line.")
    page.get_by_role("button", name="Leave the waitlist").click()

    expect(page).to_have_url(re.compile(r"/me/agenda/"))
    expect(page.locator(".messages")).to_have_text(
        "You left the waitlist of “Giving a scientific talk”."
    )
    expect(my_agenda_row(page, one_seat_talk)).to_have_count(0)
    assert status_of(one_seat_talk, ada) is None


def test_confirmation_pages_and_the_events_list_have_no_serious_axe_violations(
    new_context, live_server, winter_meeting, card_states_program, ada, axe_script
):
    page = new_context(bypass_csp=True).new_page()  # axe is injected: the test lifts the CSP
    log_in(page, live_server.url, email=ada.email)
    seat, clash, waiting = (
        card_states_program["seat"],
        card_states_program["clash"],
        card_states_program["waiting"],
    )
    slug = winter_meeting.slug
    pages = {
        "events": "/events/",
        "cancel a seat": f"/events/{slug}/sessions/{seat.pk}/cancel/confirm/?next=/me/agenda/",
        "leave a waitlist": f"/events/{slug}/sessions/{waiting.pk}/cancel/confirm/",
        "switch": f"/events/{slug}/sessions/{clash.pk}/switch/?replace={seat.pk}",
    }

    statuses, violations = {}, {}
    for name, path in pages.items():
        statuses[name] = page.goto(f"{live_server.url}{path}").status
        if found := serious_axe_violations(page, axe_script):
            violations[name] = found

    assert statuses == dict.fromkeys(pages, 200)
    assert violations == {}


def test_confirmation_pages_fit_a_phone_without_sideways_scrolling(
    new_context, live_server, winter_meeting, card_states_program, ada
):
    page = new_context(viewport={"width": 390, "height": 800}).new_page()
    log_in(page, live_server.url, email=ada.email)
    seat, clash = card_states_program["seat"], card_states_program["clash"]

    widths = {}
    for name, path in {
        "cancel": f"/events/{winter_meeting.slug}/sessions/{seat.pk}/cancel/confirm/",
        "switch": f"/events/{winter_meeting.slug}/sessions/{clash.pk}/switch/?replace={seat.pk}",
        "events": "/events/",
    }.items():
        page.goto(f"{live_server.url}{path}")
        widths[name] = page.evaluate("document.scrollingElement.scrollWidth")

    assert widths == {"cancel": 390, "switch": 390, "events": 390}
