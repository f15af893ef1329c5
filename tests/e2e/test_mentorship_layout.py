"""Blood Buddies on a phone: the staff review grid keeps the page at the phone's width (the
grid scrolls inside its box) and keeps the names of the rounds in view when scrolled."""

import pytest

from accounts.models import User
from mentorship.models import SpeedMentoringSlot
from mentorship.services import (
    mentor_offer_save,
    schedule_draft,
    schedule_publish,
    trainee_signup_save,
)
from tests.factories import SessionFactory, UserFactory, approve_mentor, staff_with

from .conftest import E2E, at, log_in

pytestmark = E2E

PHONE = {"width": 390, "height": 844}


def mentor(name: str):
    user = UserFactory(name=name)
    user.profile.is_mentor = True
    user.profile.career_stage = "senior"
    user.profile.save()
    approve_mentor(user)  # only approved mentors enter the matching
    return user


@pytest.fixture
def review_url(winter_meeting):
    """A published slot with eight tables of long-named mentors and a dozen trainees."""
    session = SessionFactory(
        event=winter_meeting,
        title="Blood Buddies Speed Mentoring — Session 1",
        kind="speed_mentoring",
        registration_mode="matched",
        capacity=60,
        starts_at=at(10, 30),
        ends_at=at(11, 15),
    )
    slot = SpeedMentoringSlot.objects.create(session=session, rounds=4, minutes_per_round=10)
    for n in range(8):
        mentor_offer_save(
            slot=slot, mentor=mentor(f"Dr. Alexandrina Montgomery-Villanueva {n}"), capacity=2
        )
    for n in range(12):
        trainee_signup_save(
            slot=slot, trainee=UserFactory(name=f"Bartholomew Featherstonehaugh {n}"), interests=[]
        )
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    return f"/mentorship/slots/{session.pk}/review/"


@pytest.fixture
def phone_page(new_context, live_server):
    staff = staff_with(
        "mentorship.view_speedmentoringslot",
        "mentorship.change_speedmentoringslot",
        email="staff@example.org",
    )
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, email=staff.email)
    return page


def test_review_grid_keeps_the_page_at_the_phones_width(phone_page, live_server, review_url):
    phone_page.goto(f"{live_server.url}{review_url}")

    width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]


def test_review_grid_scrolls_inside_its_box(phone_page, live_server, review_url):
    phone_page.goto(f"{live_server.url}{review_url}")

    box = phone_page.locator(".table-scroll:has(.mentoring-grid)")
    inner, outer = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert inner > outer  # the grid is wider than the phone, so it scrolls in its box


def test_review_grid_keeps_the_round_column_in_view_when_scrolled(
    phone_page, live_server, review_url
):
    phone_page.goto(f"{live_server.url}{review_url}")
    box = phone_page.locator(".table-scroll:has(.mentoring-grid)")
    first_cell = phone_page.locator(".mentoring-grid tbody tr").first.locator("th")

    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")

    box_left = box.evaluate("el => el.getBoundingClientRect().left")
    cell = first_cell.bounding_box()
    assert cell["x"] >= box_left - 1
    assert first_cell.inner_text().startswith("1")


def test_mentors_agenda_with_long_names_keeps_the_phones_width(
    new_context, live_server, review_url
):
    page = new_context(viewport=PHONE).new_page()
    mentor = User.objects.get(name="Dr. Alexandrina Montgomery-Villanueva 0")
    log_in(page, live_server.url, email=mentor.email)

    page.goto(f"{live_server.url}/me/agenda/")

    assert page.get_by_text("Bartholomew Featherstonehaugh", exact=False).first.is_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]
