"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Every test here requests `chromium_available` (tests/conftest.py), so a machine without
Chromium skips them, and CI (REQUIRE_SERVICES=1) fails instead. The axe-core checks need
`node_modules/axe-core` (`npm ci`, run by `make test`) under the same rule.
"""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from events.services import registration_create
from tests.conftest import need
from tests.factories import NY, PASSWORD, EventFactory, SessionFactory, UserFactory

# Everything is local: a missing text should fail the test in seconds, not after 30.
expect.set_options(timeout=5_000)

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Each test starts from the database as migrations left it (career paths included): the
# flush after a transactional test would otherwise wipe the seeded rows for the next one.
E2E = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("chromium_available"),
]


@pytest.fixture(autouse=True)
def _no_broker(scheduled_deliveries):
    """A test that wants the mail runs the dispatcher itself (`notifications_dispatch_due`),
    as beat would."""
    return scheduled_deliveries


@pytest.fixture
def winter_meeting():
    return EventFactory(slug="winter-meeting", name="Winter Meeting 2030")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, 6, hour, minute, tzinfo=NY)


@pytest.fixture
def ada():
    return UserFactory(name="Ada Okafor", email="ada@example.org")


@pytest.fixture
def card_states_program(winter_meeting, ada):
    """An agenda that shows every state a card can be in for `ada`: a seat, a clash,
    a waitlist place, a full session, a drop-in and a session reviewed by staff."""
    other = UserFactory(name="Grace Mensah")
    seat = SessionFactory(
        event=winter_meeting, title="Giving a scientific talk", starts_at=at(10), ends_at=at(11)
    )
    clash = SessionFactory(
        event=winter_meeting,
        title="Careers in industry",
        kind="blood_drop",
        starts_at=at(10, 30),
        ends_at=at(11, 30),
    )
    full = SessionFactory(
        event=winter_meeting,
        title="Grant writing clinic",
        starts_at=at(13),
        ends_at=at(14),
        capacity=1,
    )
    waiting = SessionFactory(
        event=winter_meeting,
        title="Wellness in fellowship",
        starts_at=at(15),
        ends_at=at(16),
        capacity=1,
    )
    SessionFactory(
        event=winter_meeting,
        title="Trainee welcome reception",
        kind="reception",
        registration_mode="drop_in",
        capacity=None,
        starts_at=at(18),
        ends_at=at(20),
    )
    SessionFactory(
        event=winter_meeting,
        title="Conversations on belonging",
        kind="listening",
        registration_mode="request",
        starts_at=at(16),
        ends_at=at(17),
    )
    registration_create(session=seat, user=ada)
    registration_create(session=full, user=other)
    registration_create(session=waiting, user=other)
    registration_create(session=waiting, user=ada)
    return {"seat": seat, "clash": clash, "full": full, "waiting": waiting}


def log_in(page: Page, base_url: str, *, email: str, password: str = PASSWORD) -> None:
    """Logs in through allauth's form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="Log in").click()
    # On a phone "Log out" sits in the closed header menu: check the form, not its visibility.
    expect(page.locator('form[action="/accounts/logout/"]').first).to_be_attached()


@pytest.fixture
def axe_script() -> Path:
    need(AXE_JS.exists(), f"needs axe-core at {AXE_JS} (npm ci)")
    return AXE_JS


def serious_axe_violations(page: Page, axe_script: Path) -> list[str]:
    """Runs axe-core on the page; returns the serious and critical violations, readably."""
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
