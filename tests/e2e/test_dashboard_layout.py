"""The staff dashboard in a browser at a phone's width and at 1280 px: nothing scrolls sideways
(long titles and room names wrap instead), no serious axe-core finding; with SCREENSHOTS_DIR
set (`make screenshots`), `dashboard-<width>.png` of the whole page."""

import os
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import staff_with
from tests.staff.test_dashboard_charts import DURING, dashboard_world

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

# Anything wider than its box: the page itself, or a table inside the main column.
OVERFLOW_JS = """() => {
  const wide = [];
  if (document.documentElement.scrollWidth > window.innerWidth) wide.push('page');
  for (const el of document.querySelectorAll('main table, main figure, main nav')) {
    const main = document.querySelector('main .dash-toc').parentElement.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (box.right > main.right + 1 || el.scrollWidth > el.clientWidth + 1) wide.push(el.className || el.tagName);
  }
  return wide;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_dashboard_reads_without_sideways_scrolling(
    new_context, live_server, winter_meeting, axe_script, width
):
    dashboard_world(winter_meeting, sessions=12)
    staff = staff_with("events.view_registration", "events.view_catering_needs")
    with time_machine.travel(DURING):
        page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
        log_in(page, live_server.url, email=staff.email)
        page.goto(f"{live_server.url}/staff/dashboard/?event={winter_meeting.slug}")
        expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
        if folder := os.environ.get("SCREENSHOTS_DIR"):
            page.screenshot(path=str(Path(folder) / f"dashboard-{width}.png"), full_page=True)

        assert page.evaluate(OVERFLOW_JS) == []
        assert serious_axe_violations(page, axe_script) == []
