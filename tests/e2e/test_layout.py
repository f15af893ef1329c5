"""Small screens: the agenda fits a phone's width without sideways scrolling."""

import pytest

from .conftest import E2E, log_in

pytestmark = E2E

PHONE = {"width": 375, "height": 800}


@pytest.mark.parametrize(
    "path", ["/events/winter-meeting/", "/me/agenda/"], ids=["agenda", "my-agenda"]
)
def test_page_on_a_phone_has_no_horizontal_scroll(
    new_context, live_server, card_states_program, ada, path
):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, email=ada.email)

    page.goto(f"{live_server.url}{path}")

    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"] + 1
