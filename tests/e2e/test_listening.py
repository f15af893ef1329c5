"""A member on a phone goes from the agenda to a sent listening request; the page keeps the
phone's width and has no serious accessibility problem."""

import pytest
from playwright.sync_api import expect

from listening.models import ListeningRequest
from tests.listening.conftest import listening_sessions

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(new_context, live_server, winter_meeting, ada):
    listening_sessions(winter_meeting)
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(page, live_server.url, email=ada.email)
    return page


def test_member_sends_a_request_from_the_agenda_on_a_phone(
    phone, live_server, winter_meeting, ada, axe_script
):
    phone.goto(f"{live_server.url}/events/{winter_meeting.slug}/")
    phone.get_by_role("link", name="Ask to take part in the listening sessions").first.click()

    expect(phone.get_by_role("heading", name="Ask to take part")).to_be_visible()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(phone, axe_script) == []
    phone.get_by_label("One-on-one interview").check()
    phone.get_by_label("Gender").check()
    phone.get_by_label("Saturday, December 7, Afternoon (12:00–17:00)").check()
    phone.get_by_label("Your time zone").select_option("Europe/Lisbon")
    phone.get_by_label("Anything the reviewers should know (optional)").fill("Evenings are best.")
    phone.get_by_label("I agree to be contacted").check()
    phone.get_by_role("button", name="Send my request").click()

    expect(phone.get_by_text("Your request is saved.")).to_be_visible()
    expect(phone.locator("#my-request")).to_contain_text("Status: Submitted")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    saved = ListeningRequest.objects.get(user=ada)
    assert (saved.formats, saved.topics, saved.availability, saved.time_zone) == (
        ["interview"],
        ["gender"],
        ["2030-12-07:afternoon"],
        "Europe/Lisbon",
    )
