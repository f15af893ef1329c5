"""The lunch pages on a phone: the page keeps the phone's width (the grid scrolls inside its
own box), and the table names stay in view while the rotations scroll sideways."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from events.lunch.services import table_seat_take
from events.models import TableHost
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import UserFactory, approve_mentor, staff_with

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def six_table_lunch(winter_meeting):
    return lunch_make(event=winter_meeting, tables=6, rotations=4, seats=3)


def lunch_path(six_table_lunch, tail: str = "") -> str:
    return f"/events/{six_table_lunch.event.slug}/sessions/{six_table_lunch.pk}/tables/{tail}"


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def phone(new_context, live_server):
    def open_as(user, path: str):
        page = new_context(viewport=PHONE).new_page()
        log_in(page, live_server.url, email=user.email)
        page.goto(f"{live_server.url}{path}")
        return page

    return open_as


def test_lunch_grid_on_a_phone_keeps_the_page_at_the_phones_width(phone, six_table_lunch, ada):
    page = phone(ada, lunch_path(six_table_lunch))

    expect(page.get_by_role("button", name="Take a seat — Table 6, rotation 4")).to_be_attached()
    assert page_width(page) <= PHONE["width"]


def test_lunch_grid_scrolled_sideways_keeps_the_table_names_at_the_left_edge(
    phone, six_table_lunch, ada
):
    page = phone(ada, lunch_path(six_table_lunch))
    grid_box = page.locator(".table-scroll")
    first_name = page.locator(f"#table-{six_table_lunch.lunch_tables.get(number=1).pk} th")
    first_name.scroll_into_view_if_needed()

    scrolled = grid_box.evaluate(
        "box => { box.scrollLeft = box.scrollWidth; return box.scrollLeft }"
    )

    assert scrolled > 200  # the rotations really moved sideways under the names
    assert first_name.bounding_box()["x"] == pytest.approx(grid_box.bounding_box()["x"], abs=1)
    expect(first_name.get_by_text("Table 1", exact=True)).to_be_in_viewport()


def test_lunch_overview_on_a_phone_keeps_the_page_at_the_phones_width(phone, six_table_lunch):
    staff = staff_with("events.view_tableseat", "events.view_catering_needs")

    page = phone(staff, lunch_path(six_table_lunch, "overview/"))

    expect(page.get_by_role("link", name="CSV roster of Table 6")).to_be_attached()
    assert page_width(page) <= PHONE["width"]


def test_host_guest_list_on_a_phone_keeps_the_page_at_the_phones_width(phone, six_table_lunch):
    host = UserFactory(name="Dr. Host Person")
    table = six_table_lunch.lunch_tables.get(number=1)
    TableHost.objects.filter(table=table).update(user=host)
    approve_mentor(host)  # a host reads the guest list once approved as a mentor
    guest = UserFactory(name="Maximiliana Oyelaran-Castellanos")
    Profile.objects.filter(user=guest).update(
        institution="Northfield Comprehensive Cancer Center and Research Institute"
    )
    rotation, _ = cell(six_table_lunch, table=1, rotation=2)
    table_seat_take(session=six_table_lunch, rotation=rotation, table=table, user=guest)

    page = phone(host, lunch_path(six_table_lunch, f"{table.pk}/guests/"))

    expect(page.get_by_text("Maximiliana Oyelaran-Castellanos")).to_be_visible()
    assert page_width(page) <= PHONE["width"]


def test_lunch_pages_on_a_phone_have_no_serious_axe_violations(
    new_context, live_server, six_table_lunch, axe_script
):
    staff = staff_with("events.view_tableseat", "events.view_catering_needs")
    table = six_table_lunch.lunch_tables.get(number=1)
    rotation, _ = cell(six_table_lunch, table=1, rotation=1)
    table_seat_take(session=six_table_lunch, rotation=rotation, table=table, user=staff)
    # The site's CSP rightly refuses injected scripts; axe is ours, so the test lifts it.
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(page, live_server.url, email=staff.email)

    violations = {}
    for tail in ["", "overview/", f"{table.pk}/guests/"]:
        page.goto(f"{live_server.url}{lunch_path(six_table_lunch, tail)}")
        if found := serious_axe_violations(page, axe_script):
            violations[tail or "grid"] = found

    assert violations == {}
