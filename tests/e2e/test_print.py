"""The printed My agenda says whose agenda it is and for which meeting (print has no header)."""

from playwright.sync_api import Page, expect

from .conftest import E2E, log_in

pytestmark = E2E


def test_printed_my_agenda_names_the_person_and_the_event_at_the_top(
    page: Page, live_server, card_states_program, ada
):
    log_in(page, live_server.url, email=ada.email)
    page.goto(f"{live_server.url}/me/agenda/")

    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    owner = page.locator("main p").first
    expect(owner).to_be_visible()
    expect(owner).to_have_text("Ada Okafor · Winter Meeting 2030, Orlando")
    first_day = page.get_by_role("heading", level=2).first
    assert owner.bounding_box()["y"] < first_day.bounding_box()["y"]
