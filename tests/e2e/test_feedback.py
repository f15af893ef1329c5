"""The feedback pages in Chromium: the form a rating link opens, on a phone (one tap on a
rating, Send) and a desktop, and the staff report; they fit the width, the rating and Send
are 44 px tap targets, and axe finds nothing serious."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from events.models import Registration
from feedback.models import SessionFeedback
from feedback.tokens import feedback_token
from tests.factories import (
    NY,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SessionFeedbackFactory,
    UserFactory,
    staff_with,
)

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

WIDTHS = {"phone": 390, "desktop": 1280}


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def fits(page, width: int) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_rating_form_in_a_browser(new_context, live_server, winter_meeting, axe_script, screen):
    width = WIDTHS[screen]
    room = RoomFactory(event=winter_meeting, name="Room W224")
    talk = SessionFactory(
        event=winter_meeting,
        title="Giving a scientific presentation",
        room=room,
        starts_at=dt.datetime(2030, 12, 6, 13, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 13, 45, tzinfo=NY),
    )
    registration = RegistrationFactory(session=talk, user=UserFactory(name="Ada Okafor"))
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=talk.starts_at)
    token = feedback_token(session_id=talk.pk, user_id=registration.user_id)
    page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()

    page.goto(f"{live_server.url}/feedback/{token}/?rating=4")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How was Giving a scientific presentation?"
    )
    expect(page.get_by_label("4 very good")).to_be_checked()
    fits(page, width)
    targets = [
        *page.locator(".rating-choices label").all(),
        page.get_by_role("button", name="Send"),
    ]
    for target in targets:
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
    assert serious_axe_violations(page, axe_script) == []
    shoot(page, f"feedback-form-{width}")
    assert SessionFeedback.objects.count() == 0

    page.locator("label[for=id_rating_4]").click()  # 5 — excellent
    page.get_by_label("Comment (optional)").fill("Practical tips for my first abstract talk.")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    saved = SessionFeedback.objects.get()
    assert (saved.rating, saved.comment) == (5, "Practical tips for my first abstract talk.")
    page.goto(f"{live_server.url}/feedback/{token}/?rating=1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You already sent feedback for this session, thank you"
    )


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_the_staff_report_in_a_browser(
    new_context, live_server, winter_meeting, axe_script, screen
):
    width = WIDTHS[screen]
    sessions = [
        ("Giving a scientific presentation", "didactic", 9, [5, 4, 4, 2], "Slides were too small to read from the back."),
        ("Careers in industry", "micro_learning", 11, [5, 5, 3], "Honest about the trade-offs."),
        ("Wellness in fellowship", "blood_drop", 14, [4, 3], ""),
        ("Grant writing clinic", "micro_learning", 16, [], ""),
    ]  # fmt: skip
    for title, kind, hour, ratings, comment in sessions:
        session = SessionFactory(
            event=winter_meeting,
            title=title,
            kind=kind,
            starts_at=dt.datetime(2030, 12, 6, hour, tzinfo=NY),
            ends_at=dt.datetime(2030, 12, 6, hour, 45, tzinfo=NY),
        )
        for n, rating in enumerate(ratings):
            SessionFeedbackFactory(
                session=session, rating=rating, comment=comment if n == 0 else ""
            )
    editor = staff_with("feedback.view_sessionfeedback", email="editor@example.org")
    page = new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    log_in(page, live_server.url, email=editor.email)

    page.goto(f"{live_server.url}/staff/feedback/?event={winter_meeting.slug}")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Feedback: {winter_meeting.name}")
    expect(page.locator(".lede")).to_contain_text("9 ratings")
    fits(page, width)
    assert serious_axe_violations(page, axe_script) == []
    shoot(page, f"feedback-staff-{width}")
