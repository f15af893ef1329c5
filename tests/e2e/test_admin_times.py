"""A staff member away from the event (their browser in Paris) edits an Orlando session in
admin: the form shows and takes Orlando time, and says so (issue 9, item 1)."""

import datetime as dt

from playwright.sync_api import Page, expect

from tests.factories import NY, PASSWORD, SessionFactory, UserFactory

from .conftest import E2E

pytestmark = E2E


def admin_log_in(page: Page, base_url: str, email: str) -> None:
    """Staff going to admin's login page log in at the site's own login form."""
    page.goto(f"{base_url}/admin/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_staff_in_another_zone_move_an_orlando_session_in_orlando_time(
    new_context, live_server, winter_meeting
):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    session = SessionFactory(
        event=winter_meeting,
        title="Grant writing clinic",
        starts_at=dt.datetime(2030, 12, 6, 13, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 14, 0, tzinfo=NY),
    )
    page = new_context(timezone_id="Europe/Paris").new_page()
    admin_log_in(page, live_server.url, staff.email)

    page.goto(f"{live_server.url}/admin/events/session/{session.pk}/change/")
    starts = page.locator("#id_starts_at_1")
    zone_notes = page.locator(".form-row.field-starts_at .timezonewarning")

    expect(starts).to_have_value("13:00")
    expect(zone_notes).to_have_text(["Orlando time (America/New_York)"])
    expect(page.get_by_text("hours ahead of server time")).to_have_count(0)

    starts.fill("15:30")
    page.locator("#id_ends_at_1").fill("16:30")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"{live_server.url}{session.get_absolute_url()}")

    expect(page.locator("main")).to_contain_text("15:30–16:30")
