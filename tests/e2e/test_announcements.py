"""Staff write an announcement in admin and see the exact email before sending it."""

from playwright.sync_api import Page, expect

from notifications.models import Announcement
from tests.factories import UserFactory

from .conftest import E2E, log_in

pytestmark = E2E


def test_announcement_preview_shows_the_email_inside_the_page_before_anything_is_sent(
    page: Page, live_server, card_states_program, ada
):
    staff = UserFactory(name="Sam Staff", is_staff=True, is_superuser=True)
    log_in(page, live_server.url, email=staff.email)
    page.goto(f"{live_server.url}/admin/events/session/?q=Giving+a+scientific+talk")
    page.locator('input[name="_selected_action"]').first.check()
    page.select_option('select[name="action"]', "announce")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Subject").fill("Room change")
    page.get_by_label("Message").fill("We moved to W230.\n\nSee you there!")

    page.get_by_role("button", name="Preview the email").click()

    expect(page.get_by_text("It goes to 1 person")).to_be_visible()
    email = page.frame_locator("iframe.announce-frame")
    expect(email.get_by_text("Dear Ada Okafor,")).to_be_visible()
    expect(email.get_by_text("See you there!")).to_be_visible()
    expect(page.get_by_role("button", name="Send to 1 person")).to_be_visible()
    assert not Announcement.objects.exists()
