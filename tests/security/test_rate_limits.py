"""Rate limits hold across web processes (issue 10): the site as a deployment serves it.

gunicorn with two workers, DEBUG off, on this run's PostgreSQL test database and Redis cache,
driven over HTTP like a browser (CSRF token from the form, then the POST). allauth keeps its
counters in the cache, so they hold only if every worker shares it: each test sends its
attempts two at a time, at the same moment, so both workers answer (one is busy with the
first when the second arrives), checks in gunicorn's access log that attempts which counted
were answered by both, and then that the next one is refused.
"""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher
from django.db import connection

from accounts.models import User
from notifications.models import Notification
from tests.conftest import free_port, need
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "marrow-lantern-cadence-7"
WRONG = "not-the-password-at-all"
TOO_MANY_LOGINS = "Too many failed login attempts."
TOO_MANY_PAGE = "Too many attempts"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """pytest-django's test database, for the gunicorn processes."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SITE_URL", "TRUSTED_PROXY_COUNT", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEMO"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="rate-limit-suite-" + "s" * 48,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


@dataclass
class Site:
    url: str
    access_log: Path

    def worker_for(self, tag: str, timeout: float = 10.0) -> str:
        """The pid of the worker that answered the request carrying `tag` (gunicorn writes the
        line just after the response)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(rf"^<(\d+)> .*[?&]attempt={tag}\b", self.access_log.read_text(), re.M)
            if match:
                return match.group(1)
            time.sleep(0.05)
        raise AssertionError(f"attempt {tag} is not in the access log")


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    need(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = production_env(
        DATABASE_URL=database_url(),
        CONN_MAX_AGE="0",
        REDIS_URL=settings.REDIS_URL,
        STATIC_ROOT=str(tmp / "static"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    # DEBUG off serves hashed static files from a manifest: collect them as a deployment does.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    access_log, error_log = tmp / "access.log", tmp / "error.log"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
            "--access-logfile", str(access_log), "--access-logformat", '%(p)s %(s)s "%(r)s"',
            "--error-logfile", str(error_log),
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{error_log.read_text()}")
            booted = error_log.exists() and error_log.read_text().count("Booting worker") >= 2
            try:
                if booted and httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer:\n{error_log.read_text()}")
            time.sleep(0.2)
        yield Site(url=url, access_log=access_log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Answer:
    status: int
    text: str
    location: str
    worker: str


class Browser:
    """A browser's cookie jar and the CSRF token of a form it loaded; every POST goes over a
    new connection (gunicorn's sync workers close each one)."""

    def __init__(self, site: Site, form_path: str):
        self.site = site
        page = httpx.get(site.url + form_path, timeout=60)
        assert page.status_code == 200, page.text[:500]
        self.cookies = dict(page.cookies)
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def post(self, path: str, data: dict) -> Answer:
        tag = uuid.uuid4().hex
        url = f"{self.site.url}{path}{'&' if '?' in path else '?'}attempt={tag}"
        response = httpx.post(
            url,
            data={**data, "csrfmiddlewaretoken": self.token},
            cookies=self.cookies,
            headers={"Referer": self.site.url + path},
            timeout=120,
        )
        return Answer(
            status=response.status_code,
            text=" ".join(html.unescape(response.text).split()),
            location=response.headers.get("location", ""),
            worker=self.site.worker_for(tag),
        )

    def post_in_pairs(self, path: str, forms: list[dict]) -> list[Answer]:
        """Two at a time, released together: while one worker handles the first, the other
        takes the second."""
        answers: list[Answer] = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            for start in range(0, len(forms), 2):
                pair = forms[start : start + 2]
                barrier = threading.Barrier(len(pair))

                def send(form, barrier=barrier):
                    barrier.wait()
                    return self.post(path, form)

                answers += list(pool.map(send, pair))
        return answers


def account(email: str, **extra) -> User:
    """An account whose password the gunicorn processes can check (the suite's fast test
    hasher is not one they know), cheaply: PBKDF2-SHA1 at 1,000 rounds, which they know but
    do not prefer. A wrong password against their preferred hasher costs its full million
    rounds, by design; at that price, ten failures on a busy 2-core machine could outlast
    the minute the per-address limit counts them in."""
    user = UserFactory(email=email, **extra)
    hasher = PBKDF2SHA1PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def both_workers(answers: list[Answer]) -> set[str]:
    return {answer.worker for answer in answers}


# --- login ------------------------------------------------------------------------------------


def test_failed_logins_from_one_address_are_capped_at_ten_across_both_workers(site):
    people = [account(f"trainee{n}@example.org") for n in range(11)]
    browser = Browser(site, "/accounts/login/")

    wrong = browser.post_in_pairs(
        "/accounts/login/", [{"login": p.email, "password": WRONG} for p in people[:10]]
    )
    right = browser.post("/accounts/login/", {"login": people[10].email, "password": PASSWORD})

    assert ["not correct" in answer.text for answer in wrong] == [True] * 10
    assert len(both_workers(wrong)) == 2
    assert right.status == 200  # the form again, not the way in
    assert TOO_MANY_LOGINS in right.text


def test_login_posts_beyond_thirty_a_minute_get_the_too_many_attempts_page(site):
    person = account("trainee@example.org")
    browser = Browser(site, "/accounts/login/")
    forms = [{"login": person.email, "password": WRONG}] * 30

    counted = browser.post_in_pairs("/accounts/login/", forms)
    refused = browser.post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    assert {answer.status for answer in counted} == {200}
    assert len(both_workers(counted)) == 2
    assert refused.status == 429
    assert TOO_MANY_PAGE in refused.text
    assert "Trainee Career Events</a>" in refused.text  # the site's page, not a bare one


# --- the admin login: the same door -----------------------------------------------------------


def test_admin_login_door_locks_an_account_after_five_failures_across_both_workers(site):
    staff = account("coordinator@example.org", is_staff=True, is_superuser=True)
    door = httpx.get(f"{site.url}/admin/login/", timeout=60)
    assert door.status_code == 302
    path = door.headers["location"]
    assert path == "/accounts/login/?next=/admin/"
    browser = Browser(site, path)

    wrong = browser.post_in_pairs(path, [{"login": staff.email, "password": WRONG}] * 6)
    right = browser.post(path, {"login": staff.email, "password": PASSWORD})

    counted = [answer for answer in wrong if "not correct" in answer.text]
    assert len(counted) == 5
    assert len(both_workers(counted)) == 2
    assert right.status == 200  # the form again, not the way in
    assert TOO_MANY_LOGINS in right.text


# --- sign-up ----------------------------------------------------------------------------------


def test_signups_from_one_address_are_capped_at_twenty_a_minute_across_both_workers(site):
    browser = Browser(site, "/accounts/signup/")
    # Refused for a common password: each still counts, and nothing is written.
    forms = [
        {"name": f"Bot {n}", "email": f"bot{n}@example.org", "password1": "password",
         "password2": "password"}
        for n in range(20)
    ]  # fmt: skip

    counted = browser.post_in_pairs("/accounts/signup/", forms)
    refused = browser.post(
        "/accounts/signup/",
        {"name": "Ada Okafor", "email": "ada@example.org", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip

    assert {answer.status for answer in counted} == {200}
    assert len(both_workers(counted)) == 2
    assert refused.status == 429
    assert TOO_MANY_PAGE in refused.text
    assert not User.objects.filter(email="ada@example.org").exists()


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_for_one_address_is_capped_at_five_a_minute_across_both_workers(site):
    person = account("forgetful@example.org")
    browser = Browser(site, "/accounts/password/reset/")

    counted = browser.post_in_pairs("/accounts/password/reset/", [{"email": person.email}] * 5)
    refused = browser.post("/accounts/password/reset/", {"email": person.email})

    assert [answer.location for answer in counted] == ["/accounts/password/reset/done/"] * 5
    assert len(both_workers(counted)) == 2
    assert refused.status == 429
    assert TOO_MANY_PAGE in refused.text
    assert Notification.objects.filter(user=person).count() == 5
