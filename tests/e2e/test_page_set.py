"""The pages a trainee uses, on a phone (390 px) and a desktop (1280 px), on the demo meeting:
no page wider than the phone, every action a 44 × 44 px tap target, no serious or critical
axe-core violation, HTML without a W3C validator error, and registration by keyboard alone.

`make screenshots` runs this file with SCREENSHOTS_DIR set: each page is then also written as
`<page>-<width>.png` to that folder (docs/screenshots/ in the repo), so the look can be
reviewed without running anything.
"""

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F
from playwright.sync_api import expect

from accounts.models import Profile, User
from accounts.services import profile_ensure
from events.models import Event, Registration, Session
from events.services import registration_create
from events.services.cache import agenda_cache_bump
from tests.conftest import need
from tests.factories import UserFactory

from .conftest import E2E, log_in, serious_axe_violations

pytestmark = E2E

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")
WIDTHS = {"phone": 390, "desktop": 1280}
SHOT_HEIGHT = 3200  # px: the whole page, but the long agenda only down to here
TRAINEE = ("trainee@example.org", "trainee-demo-2019")
# The demo meeting is in December 2019; moved by whole weeks to 2030 its sessions are open
# for registration and fall on the same weekdays.
SHIFT = dt.date(2030, 12, 6) - dt.date(2019, 12, 6)


def _shift_demo_to_2030() -> Event:
    winter_meeting = Event.objects.get(slug="ash-2019")
    Event.objects.filter(pk=winter_meeting.pk).update(
        name="ASH Annual Meeting Trainee Career Program",
        starts_on=F("starts_on") + SHIFT,
        ends_on=F("ends_on") + SHIFT,
        registration_opens_at=F("registration_opens_at") + SHIFT,
        registration_closes_at=F("registration_closes_at") + SHIFT,
    )
    timed = {
        Session: "event",
        apps.get_model("events", "LunchRotation"): "session__event",
        apps.get_model("mentorship", "SpeedMentoringSlot"): "session__event",
    }
    for model, path in timed.items():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if f.get_internal_type() == "DateTimeField"
            and f.name.endswith(("starts_at", "ends_at", "closes_at", "opens_at"))
        ]
        model.objects.filter(**{path: winter_meeting}).update(
            **{name: F(name) + SHIFT for name in fields}
        )
    agenda_cache_bump(winter_meeting.pk)
    return Event.objects.get(pk=winter_meeting.pk)


@pytest.fixture
def demo():
    """The demo meeting in 2030, with the demo trainee registered for a morning: two talks
    with free time between them and a waitlist place that would clash with the second."""
    call_command("load_demo", stdout=io.StringIO())
    winter_meeting = _shift_demo_to_2030()
    trainee = User.objects.get(email=TRAINEE[0])
    sessions = Session.objects.filter(event=winter_meeting, registration_mode="open").order_by(
        "starts_at"
    )
    first = sessions[0]
    second = sessions.filter(starts_at__gte=first.ends_at + dt.timedelta(minutes=30))[0]
    full = sessions.filter(starts_at__lt=second.ends_at, ends_at__gt=second.starts_at)
    full = full.exclude(pk=second.pk)[0]
    Session.objects.filter(pk=full.pk).update(capacity=1)
    other = UserFactory(name="Grace Mensah")
    profile_ensure(user=other)
    Profile.objects.filter(user=other).update(career_stage=trainee.profile.career_stage)
    registration_create(session=full, user=other)
    for session in (first, second, full):
        registration_create(session=session, user=trainee)
    lunch = Session.objects.get(event=winter_meeting, registration_mode="tables")
    slot = Session.objects.filter(event=winter_meeting, registration_mode="matched").first()
    return {
        "event": winter_meeting,
        "trainee": trainee,
        "session": first,
        "lunch": lunch,
        "slot": slot,
        "open": sessions.exclude(pk__in=[first.pk, second.pk, full.pk])
        .exclude(registrations__user=trainee)
        .last(),
    }


def pages(demo) -> dict[str, str]:
    winter_meeting, lunch = demo["event"], demo["lunch"]
    return {
        "agenda": f"/events/{winter_meeting.slug}/",
        "agenda-grid": f"/events/{winter_meeting.slug}/?view=grid",
        "now": f"/events/{winter_meeting.slug}/now/",
        "session": demo["session"].get_absolute_url(),
        "my-agenda": "/me/agenda/",
        "lunch": f"/events/{winter_meeting.slug}/sessions/{lunch.pk}/tables/",
        "blood-buddies": "/mentorship/",
        "profile": "/accounts/profile/",
    }


# Actions people tap: buttons and links styled as buttons, and the phone menu's toggle.
TAP_TARGETS = """() => [...document.querySelectorAll(
    'main button, main .button, .site-header button, .site-header .button, .nav-menu summary')]
  .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
               return {text: el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40),
                       width: Math.round(r.width), height: Math.round(r.height)}; })"""


def _same_page(one: Path, other: Path) -> bool:
    """Whether two pages are the same but for their CSRF tokens (the agenda without a grid
    view answers ?view=grid with its list: no second screenshot of the list)."""
    noise = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|(?:\?|%3F)view(?:=|%3D)grid')
    return noise.sub(b"", one.read_bytes()) == noise.sub(b"", other.read_bytes())


def _validator_errors(html_files: list[Path]) -> list[str]:
    need(shutil.which("java") is not None, "needs Java for the W3C validator (vnu)")
    need(VNU_JAR.exists(), f"needs the W3C validator at {VNU_JAR} (npm ci)")
    done = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, html_files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m['url']).stem}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_trainee_pages_fit_are_accessible_and_valid(
    new_context, live_server, demo, axe_script, tmp_path, width
):
    # The site's CSP rightly refuses injected scripts; axe is ours, so the test lifts it.
    context = new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server.url, email=TRAINEE[0], password=TRAINEE[1])

    statuses, too_wide, small, violations, html_files = {}, {}, {}, {}, []
    for name, path in pages(demo).items():
        response = page.goto(f"{live_server.url}{path}")
        statuses[name] = response.status
        (html := tmp_path / f"{name}.html").write_bytes(response.body())
        html_files.append(html)
        if SCREENSHOTS_DIR and not (name == "agenda-grid" and _same_page(html, html_files[0])):
            height = min(page.evaluate("document.scrollingElement.scrollHeight"), SHOT_HEIGHT)
            page.screenshot(
                path=f"{SCREENSHOTS_DIR}/{name}-{width}.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": height},
            )
        if (scroll := page.evaluate("document.scrollingElement.scrollWidth")) > width:
            too_wide[name] = scroll
        if under := [t for t in page.evaluate(TAP_TARGETS) if t["width"] < 44 or t["height"] < 44]:
            small[name] = under
        if found := serious_axe_violations(page, axe_script):
            violations[name] = found

    assert statuses == dict.fromkeys(statuses, 200)
    assert too_wide == {}
    assert small == {}
    assert violations == {}
    assert _validator_errors(html_files) == []


def test_phone_header_is_one_line_and_its_menu_opens_without_javascript(
    new_context, live_server, demo
):
    page = new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False).new_page()
    log_in(page, live_server.url, email=TRAINEE[0], password=TRAINEE[1])
    page.goto(f"{live_server.url}/")

    assert page.locator(".site-header").bounding_box()["height"] <= 64
    my_agenda = page.get_by_role("link", name="My agenda")
    expect(my_agenda).to_be_hidden()

    page.locator(".nav-menu summary").click()
    my_agenda.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")


def test_registration_works_with_the_keyboard_alone(page, live_server, demo):
    session = demo["open"]
    log_in(page, live_server.url, email=TRAINEE[0], password=TRAINEE[1])
    page.goto(f"{live_server.url}{session.get_absolute_url()}")

    register = page.locator("main form[action$='/register/'] button")
    for _ in range(80):  # Tab until the register button has the focus
        page.keyboard.press("Tab")
        if register.evaluate("el => el === document.activeElement"):
            break
    expect(register).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text(session.title)
    assert Registration.objects.filter(
        session=session, user=demo["trainee"], status__in=["confirmed", "waitlisted"]
    ).exists()
