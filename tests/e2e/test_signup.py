"""A new person signs up, confirms the address from the email, and logs in."""

import re

from playwright.sync_api import Page, expect

from accounts.models import User

from .conftest import E2E

pytestmark = E2E

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[-:\w]+/")
NEW_PASSWORD = "plasma-cell-lantern-42"


def test_signup_then_confirm_by_email_link_then_log_in_shows_name_in_header(
    page: Page, live_server, mailoutbox
):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Full name").fill("Ada Okafor")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]
    link = CONFIRM_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body
    assert link.group(0).startswith(live_server.url)

    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator('input[name="login"]').fill("ada@example.org")
    page.locator('input[name="password"]').fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".nav-wide .who")).to_have_text("Ada Okafor")
    assert User.objects.get(email="ada@example.org").emailaddress_set.get().verified
