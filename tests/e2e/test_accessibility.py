"""axe-core finds no serious or critical violation on the pages people use, and the keyboard
reaches the content through the skip link.

One test per login state walks its pages in one browser context and reports every page's
violations at once (a test per page would pay a database flush each, slow on PostgreSQL).
"""

import pytest
from playwright.sync_api import expect

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

AGENDA = "/events/winter-meeting/"

# name: (path for the `card_states_program` fixture's sessions, expected status)
ANONYMOUS_PAGES = {
    "agenda": (lambda sessions: AGENDA, 200),
    "session": (lambda sessions: sessions["full"].get_absolute_url(), 200),
    "login": (lambda sessions: "/accounts/login/", 200),
    "signup": (lambda sessions: "/accounts/signup/", 200),
    "not-found": (lambda sessions: "/events/no-such-event/", 404),
    "expired confirmation link": (lambda sessions: "/accounts/confirm-email/expired-key/", 200),
}
LOGGED_IN_PAGES = {
    "agenda": (lambda sessions: AGENDA, 200),
    "session with a clash": (lambda sessions: sessions["clash"].get_absolute_url(), 200),
    "session waitlisted": (lambda sessions: sessions["waiting"].get_absolute_url(), 200),
    "my agenda": (lambda sessions: "/me/agenda/", 200),
    "profile": (lambda sessions: "/accounts/profile/", 200),
    "staff area without access": (lambda sessions: "/admin/login/?next=/admin/", 403),
}


@pytest.mark.parametrize(
    ("logged_in", "pages"),
    [(False, ANONYMOUS_PAGES), (True, LOGGED_IN_PAGES)],
    ids=["anonymous", "logged-in"],
)
def test_pages_have_no_serious_axe_violations(
    new_context, live_server, card_states_program, ada, axe_script, logged_in, pages
):
    # The site's CSP rightly refuses injected scripts; axe is ours, so the test lifts it.
    page = new_context(bypass_csp=True).new_page()
    if logged_in:
        log_in(page, live_server.url, email=ada.email)

    statuses, violations = {}, {}
    for name, (path, _status) in pages.items():
        response = page.goto(f"{live_server.url}{path(card_states_program)}")
        statuses[name] = response.status
        if found := serious_axe_violations(page, axe_script):
            violations[name] = found

    assert statuses == {name: status for name, (_path, status) in pages.items()}
    assert violations == {}


def test_first_tab_focuses_the_skip_link_and_enter_moves_focus_to_main(
    page, live_server, card_states_program
):
    page.goto(f"{live_server.url}{AGENDA}")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # on screen once focused

    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    expect(page.locator("main#main :focus")).to_have_count(1)
