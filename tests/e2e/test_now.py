"""The "now and next" screen in Chromium, on a hall busy at this very moment: it updates
itself in place (a script file; the CSP allows no inline one), can be paused, reloads
itself without JavaScript, fits a phone without sideways scrolling, and reads from across a
room on a wide screen. With SCREENSHOTS_DIR set it writes `now-hall-<width>.png` there."""

import datetime as dt
import os
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.lunch.services import lunch_rotations_generate
from events.models import LunchTable, Session
from events.services import registration_create
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    TableSeatFactory,
    UserFactory,
    career_path,
)

from .conftest import E2E, log_in

pytestmark = E2E

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")
NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def hall():
    """Sessions running now and starting within half an hour (in New York), a lunch in its
    first rotation with tables to walk into, and a trainee holding a seat in a running talk."""
    now = timezone.now().astimezone(NY).replace(second=0, microsecond=0)
    event = EventFactory(
        slug="hall-today",
        name="ASH Annual Meeting Trainee Career Program",
        starts_on=now.date() - dt.timedelta(days=1),
        ends_on=now.date() + dt.timedelta(days=1),
    )

    def session(title, start, minutes, room, **kwargs):
        return SessionFactory(
            event=event,
            title=title,
            starts_at=now + dt.timedelta(minutes=start),
            ends_at=now + dt.timedelta(minutes=start + minutes),
            room=RoomFactory(event=event, name=room),
            **kwargs,
        )

    running = session(
        "Setting up a health services and outcomes research program",
        -20,
        60,
        "Room W304A",
        kind=Session.Kind.DIDACTIC,
        capacity=60,
    )
    full = session(
        "Giving a scientific presentation", -10, 45, "Room W307", kind="blood_drop", capacity=1
    )
    RegistrationFactory(session=full)  # rows as they stand: registration closed at the start
    session(
        "Trainee welcome reception",
        -30,
        180,
        "Hyatt Regency Ballroom",
        kind=Session.Kind.RECEPTION,
        registration_mode=Session.Mode.DROP_IN,
        capacity=None,
    )
    upcoming = session("Careers in industry: a conversation", 15, 30, "Room W311", capacity=40)
    lunch = session(
        "Trainee Career Development Lunch",
        -5,
        90,
        "Hall E",
        kind=Session.Kind.CAREER_LUNCH,
        registration_mode=Session.Mode.TABLES,
        capacity=None,
    )
    lunch_rotations_generate(session=lunch, count=3, minutes=25)
    paths = ["clinical-malignant", "clinical-non-malignant", "medical-education", "industry",
             "government", "data-science"]  # fmt: skip
    tables = LunchTable.objects.bulk_create(
        LunchTable(session=lunch, number=n + 1, career_path=career_path(path), seats=8)
        for n, path in enumerate(paths)
    )
    rotation = lunch.lunch_rotations.get(number=1)
    for _ in range(8):
        TableSeatFactory(rotation=rotation, table=tables[0])
    for _ in range(3):
        TableSeatFactory(rotation=rotation, table=tables[1])
    trainee = UserFactory(name="Ada Okafor", email="ada@example.org")
    RegistrationFactory(session=running, user=trainee)
    return {"event": event, "trainee": trainee, "upcoming": upcoming}


def test_the_screen_updates_itself_in_place(page, live_server, hall, settings):
    settings.NOW_REFRESH_SECONDS = 1  # the page's own setting, shortened for the test
    loads = []
    page.on("load", lambda: loads.append(1))
    page.goto(f"{live_server.url}/events/{hall['event'].slug}/now/")
    upcoming = page.locator(".now-item", has_text=hall["upcoming"].title)
    expect(upcoming.locator(".now-seats")).to_have_text("40 seats left")

    registration_create(session=hall["upcoming"], user=UserFactory())

    expect(upcoming.locator(".now-seats")).to_have_text("39 seats left")
    assert loads == [1]  # swapped in, not reloaded


def test_updates_pause_and_resume(page, live_server, hall, settings):
    settings.NOW_REFRESH_SECONDS = 1
    page.goto(f"{live_server.url}/events/{hall['event'].slug}/now/")
    upcoming = page.locator(".now-item", has_text=hall["upcoming"].title).locator(".now-seats")
    pause = page.get_by_role("button", name="Pause updates")

    pause.click()
    registration_create(session=hall["upcoming"], user=UserFactory())
    page.wait_for_timeout(2_500)
    expect(upcoming).to_have_text("40 seats left")

    page.get_by_role("button", name="Resume updates").click()
    expect(upcoming).to_have_text("39 seats left")


def test_without_javascript_the_screen_reloads_itself(new_context, live_server, hall, settings):
    settings.NOW_REFRESH_SECONDS = 1
    page = new_context(java_script_enabled=False).new_page()
    loads = []
    page.on("load", lambda: loads.append(1))

    page.goto(f"{live_server.url}/events/{hall['event'].slug}/now/")
    page.wait_for_timeout(2_500)

    assert len(loads) >= 2
    expect(page.get_by_role("button", name="Pause updates")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Now and next")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_screen_fits_a_phone_and_reads_big_on_a_wide_screen(
    new_context, live_server, hall, width
):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, live_server.url, email=hall["trainee"].email)
    page.goto(f"{live_server.url}/events/{hall['event'].slug}/now/")

    expect(page.locator(".now-mine")).to_contain_text("Setting up a health services")
    expect(page.locator(".now-tables")).to_contain_text("Table 2")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    title_px = float(
        page.locator(".now-title").first.evaluate("el => getComputedStyle(el).fontSize")[:-2]
    )
    assert title_px >= (30 if width >= 1280 else 20)
    if SCREENSHOTS_DIR:
        page.screenshot(path=f"{SCREENSHOTS_DIR}/now-hall-{width}.png", full_page=True)
