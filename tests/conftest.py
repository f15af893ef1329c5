import os
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

# Sync Playwright and the Django ORM share one thread in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# CI sets REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis or Chromium then fails
# instead of skipping, so a missing service can never turn CI green.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def login_session_queries() -> int:
    """What reading a logged-in person's session costs in queries: none when sessions are read
    from the Redis cache (`cached_db`, with REDIS_URL), one from the database otherwise."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def pytest_configure(config):
    """Under pytest-xdist each worker has its own PostgreSQL test database (pytest-django
    adds the worker's id to its name) and, in the one Redis database of the run, its own key
    prefix: clearing the cache between tests then never empties another worker's. Servers
    that a test starts as subprocesses inherit the prefix through the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and settings.REDIS_URL:
        prefix = f"{settings.CACHES['default'].get('KEY_PREFIX') or 'tce'}-{worker}"
        os.environ["CACHE_KEY_PREFIX"] = prefix
        settings.CACHES["default"]["KEY_PREFIX"] = prefix


def cache_clear() -> None:
    """Empties the cache of this test process only (the whole database when it is alone)."""
    if not settings.REDIS_URL or not os.environ.get("PYTEST_XDIST_WORKER"):
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def dotenv_names() -> set[str]:
    """The variables a developer's own `.env` in the project sets (settings read it without
    overwriting the environment). A clean clone — what CI runs — has none, so the few tests
    that skip when one of theirs is set never skip there."""
    path = Path(__file__).resolve().parents[1] / ".env"
    if not path.exists():
        return set()
    lines = path.read_text().splitlines()
    return {line.split("=", 1)[0].removeprefix("export ").strip() for line in lines if "=" in line}


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


# --- shared fixtures: one name, one meaning, for every test module --------------------------
# A module that needs something else gives it a name of its own instead of redefining these.


@pytest.fixture
def event():
    """The published meeting most tests take place at: New York time, Orlando, 6–9 Dec 2030."""
    from tests.factories import EventFactory

    return EventFactory(slug="ash-2030", name="ASH 2030 Trainee Programme")


@pytest.fixture
def trainee():
    """A fellow with a verified address, not signed in."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def superuser():
    """Staff with every permission, as Django admin's tests need."""
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(superuser):
    """A browser of its own (not the test's `client`), signed in as `superuser`."""
    from django.test import Client

    browser = Client()
    browser.force_login(superuser)
    return browser


@pytest.fixture
def superuser_client(client, superuser):
    """The test's `client`, signed in as `superuser`."""
    client.force_login(superuser)
    return client


@pytest.fixture
def postgres():
    """For tests whose point is concurrency: only PostgreSQL has real row locks."""
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    need(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture(autouse=True)
def _career_paths(request):
    """The career-path taxonomy is seeded by a data migration, and a transactional test's
    flush wipes it for whatever test runs next: restore it for every test that uses the DB."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")
    from accounts.models import CareerPath
    from accounts.services import CAREER_PATHS, career_paths_ensure

    if CareerPath.objects.count() < len(CAREER_PATHS):
        career_paths_ensure()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default PBKDF2 hasher costs ~0.2 s a user; hashing strength is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class RecordingBroker:
    """Stands in for Celery at the outbox's broker seam: records what would be published."""

    def __init__(self) -> None:
        self.deliveries: list[int] = []
        self.dispatches: list[int] = []

    def deliver(self, notification_id: int) -> None:
        self.deliveries.append(notification_id)

    def dispatch(self) -> None:
        self.dispatches.append(1)


@pytest.fixture
def recording_broker():
    """The broker is an edge: what the outbox publishes after commit is recorded here instead
    of being pushed into a queue shared with other runs (filesystem or Redis)."""
    from notifications.services import broker_use

    recorder = RecordingBroker()
    previous = broker_use(recorder)
    yield recorder
    broker_use(previous)


@pytest.fixture
def scheduled_deliveries(recording_broker):
    """The ids of the rows handed to a worker after commit."""
    return recording_broker.deliveries


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    # Without Redis the app's file cache lives in var/cache, shared with `make run` and any
    # other test run: tests get a private in-memory cache instead.
    if not settings.REDIS_URL:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Rate limits and cached pages must not leak between tests (Redis is shared by the run).
    cache_clear()
    from events.services.cache import agenda_local_copies_clear

    agenda_local_copies_clear()
    yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it (tests/smtp.py)."""
    from tests.smtp import serve

    yield from serve(settings)


# pytest-playwright: launch Debian's Chromium; Playwright cannot download its own here.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def chromium_available():
    need(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
