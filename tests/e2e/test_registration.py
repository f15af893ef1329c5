"""Registering from the agenda: a seat, the waitlist, a clash and a switch, My agenda."""

import re

import pytest
from playwright.sync_api import Page, expect

from events.services import registration_create
from notifications.services import notifications_dispatch_due
from tests.factories import SessionFactory, UserFactory

from .conftest import E2E, at, log_in

pytestmark = E2E


def card(page: Page, session):
    return page.locator(f"#session-{session.pk}")


def my_agenda_row(page: Page, session):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=session.title))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_register_from_agenda_then_cancel_from_my_agenda(
    new_context, live_server, winter_meeting, ada, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    talk = SessionFactory(event=winter_meeting, title="Giving a scientific talk", starts_at=at(10))
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/events/{winter_meeting.slug}/")

    register = card(page, talk).locator("form[action$='/register/']")
    register.get_by_role("button", name="Register").click()

    expect(page.locator(".messages")).to_have_text("You have a seat in “Giving a scientific talk”.")
    expect(card(page, talk).locator(".status")).to_have_text("✓ You have a seat")
    expect(card(page, talk)).to_contain_text("19 seats left")

    page.get_by_role("link", name="My agenda").click()
    row = my_agenda_row(page, talk)
    expect(row).to_contain_text("Confirmed")

    row.get_by_role("link", name="Cancel my seat").click()
    page.get_by_role("button", name="Cancel my seat").click()  # the confirmation step

    expect(page).to_have_url(re.compile(r"/me/agenda/(#registration-\d+)?$"))
    expect(page.locator(".messages")).to_have_text(
        "Your seat in “Giving a scientific talk” is cancelled."
    )
    expect(my_agenda_row(page, talk)).to_have_count(0)
    expect(page.get_by_text("Nothing on your agenda yet.")).to_be_visible()


def test_register_in_the_browser_emails_a_confirmation(
    page: Page, live_server, winter_meeting, ada, mailoutbox, scheduled_deliveries
):
    talk = SessionFactory(event=winter_meeting, title="Giving a scientific talk")
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}{talk.get_absolute_url()}")

    page.get_by_role("button", name="Register").click()
    expect(page.locator(".session-actions .status")).to_have_text("✓ You have a seat")
    assert len(scheduled_deliveries) == 1  # handed to a worker after commit
    notifications_dispatch_due()  # what the worker (or beat's dispatcher) does

    assert [message.to for message in mailoutbox] == [[ada.email]]
    assert "Giving a scientific talk" in mailoutbox[0].subject


def test_full_session_offers_the_waitlist_and_shows_my_place(
    page: Page, live_server, winter_meeting, ada
):
    clinic = SessionFactory(event=winter_meeting, title="Grant writing clinic", capacity=1)
    registration_create(session=clinic, user=UserFactory())  # takes the only seat
    registration_create(session=clinic, user=UserFactory())  # first on the waitlist
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/events/{winter_meeting.slug}/")
    expect(card(page, clinic).locator(".seats")).to_have_text(
        "Full — join the waitlist · 1 waiting"
    )

    card(page, clinic).get_by_role("button", name="Join the waitlist").click()

    expect(page.locator(".messages")).to_contain_text("you are number 2 on the waitlist")
    expect(card(page, clinic).locator(".status")).to_have_text("Waitlisted — you are #2")
    expect(card(page, clinic).get_by_role("link", name="Leave the waitlist")).to_be_visible()


def test_clashing_session_offers_a_switch_that_moves_the_seat(
    page: Page, live_server, winter_meeting, ada
):
    talk = SessionFactory(
        event=winter_meeting, title="Giving a scientific talk", starts_at=at(10), ends_at=at(11)
    )
    industry = SessionFactory(
        event=winter_meeting, title="Careers in industry", starts_at=at(10, 30), ends_at=at(11, 30)
    )
    registration_create(session=talk, user=ada)
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/events/{winter_meeting.slug}/")
    expect(card(page, industry).locator(".status.clash")).to_have_text(
        "Clashes with “Giving a scientific talk”"
    )

    card(page, industry).get_by_role("link", name="Switch to this session").click()
    page.get_by_role("button", name="Switch", exact=True).click()  # the confirmation step

    expect(page.locator(".messages")).to_have_text(
        "Switched: you gave up “Giving a scientific talk” and have a seat in “Careers in industry”."
    )
    expect(card(page, industry).locator(".status")).to_have_text("✓ You have a seat")
    page.get_by_role("link", name="My agenda").click()
    expect(my_agenda_row(page, industry)).to_contain_text("Confirmed")
    expect(my_agenda_row(page, talk)).to_have_count(0)
