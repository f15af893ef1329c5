"""Security headers on every response and cookie flags, as production serves them (gunicorn,
`DEBUG=0`, the production security settings computed by config/settings.py, behind a TLS
proxy that sets X-Forwarded-Proto), and CSRF enforced on every POST endpoint of the URLconf.

Every URL pattern is read from the URLconf (tests/security/routes.py), so a new page is
covered without being added here."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Profile
from accounts.services import career_paths_ensure
from tests.conftest import free_port, need
from tests.events.lunch.conftest import lunch_make
from tests.factories import PASSWORD, SessionFactory, UserFactory
from tests.mentorship.conftest import make_slot, speed_session
from tests.security.routes import all_routes

ROOT = Path(__file__).resolve().parents[2]
ROUTES = all_routes()
# RFC 8058: a mail client's one-click unsubscribe posts without cookies or a token; the
# signed token in its URL is the authorization. Nothing else may skip the CSRF check.
CSRF_EXEMPT = {"notifications:unsubscribe"}


# --- CSRF on every POST -----------------------------------------------------------------------


def test_only_the_one_click_unsubscribe_is_exempt_from_csrf():
    assert {route.name for route in ROUTES if route.is_csrf_exempt} == CSRF_EXEMPT


@pytest.mark.parametrize(
    "route",
    [route for route in ROUTES if not route.is_csrf_exempt],
    ids=lambda route: route.pattern,
)
def test_a_post_without_a_csrf_token_is_refused(route):
    """The check runs before any view (before a login is asked for), so no database is needed:
    a browser's CSRF cookie is there, the post leaves the token out."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32

    response = client.post(route.path(), {"confirm": "1"})

    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]


# --- production headers and cookies (gunicorn, DEBUG=0) ---------------------------------------


class Server:
    """gunicorn with production settings on a free loopback port, behind a pretend TLS proxy
    (X-Forwarded-Proto: https, trusted because TRUSTED_PROXY_COUNT=1)."""

    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}"

    def request(self, method: str, path: str, *, cookies=None, body: str | None = None):
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
        }
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.body = response.read()
            return response
        finally:
            conn.close()


def production_env(port: int) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "headers-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
    }
    for relaxed in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(relaxed, None)  # production defaults, whatever the developer's shell says
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _world() -> dict[str, str]:
    """What the URL patterns name, so most pages answer with their real content."""
    career_paths_ensure()
    session = SessionFactory(title="Giving a scientific talk")
    event = session.event
    lunch = lunch_make(event=event, tables=1, rotations=1)
    slot = make_slot(speed_session(event, title="Blood Buddies 1"))
    person = UserFactory(email="staff-headers@example.org", is_staff=True, is_superuser=True)
    return {
        "slug": event.slug,
        "pk": str(session.pk),
        "session_id": str(slot.session_id),
        "table_id": str(lunch.lunch_tables.get().pk),
        "rotation_id": str(lunch.lunch_rotations.get().pk),
        "token": Profile.objects.get(user=person).calendar_token,
        "login": person.email,
    }


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], port: int):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database with a small program, committed, served by gunicorn; emptied
    again afterwards (as after a transactional test)."""
    with django_db_blocker.unblock():
        need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
        port = free_port()
        env = production_env(port)
        # Its own static folder: `make run` in a parallel test collects into the project's.
        env["STATIC_ROOT"] = str(tmp_path_factory.mktemp("static"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        try:
            world = _world()
            with _gunicorn(env, port):
                yield Server(port), world
        finally:
            call_command("flush", interactive=False, verbosity=0)
            career_paths_ensure()


def _cookies(response) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_all("Set-Cookie") or []}


def log_in(server: Server, email: str) -> tuple[dict[str, str], dict[str, str]]:
    """Logs in through the real form; returns the cookies and the raw Set-Cookie headers."""
    page = server.request("GET", "/accounts/login/")
    cookies = _cookies(page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    body = f"csrfmiddlewaretoken={token.decode()}&login={email}&password={PASSWORD}"
    response = server.request("POST", "/accounts/login/", cookies=cookies, body=body)
    assert response.status == 302, response.body[:500]
    headers = {**_set_cookie_headers(page), **_set_cookie_headers(response)}
    return {**cookies, **_cookies(response)}, headers


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def _problems(response, path: str) -> list[str]:
    """What is missing from one response; HTML pages must carry the whole set."""
    found = []
    headers = response.headers
    if headers.get("Strict-Transport-Security") != "max-age=31536000; includeSubDomains; preload":
        found.append(f"{path}: HSTS {headers.get('Strict-Transport-Security')!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        found.append(f"{path}: no nosniff")
    if "text/html" not in (headers.get("Content-Type") or ""):
        return found
    policy = _directives(headers.get("Content-Security-Policy") or "")
    script = policy.get("script-src", policy.get("default-src", ["(none)"]))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
        found.append(f"{path}: script-src {script}")
    expected = {
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    found += [
        f"{path}: {name} {policy.get(name)}"
        for name, value in expected.items()
        if policy.get(name) != value
    ]
    if headers.get("Referrer-Policy") != "same-origin":
        found.append(f"{path}: Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("X-Frame-Options") != "DENY":
        found.append(f"{path}: X-Frame-Options {headers.get('X-Frame-Options')!r}")
    return found


def _every_page(server: Server, world: dict[str, str], cookies=None):
    for route in ROUTES:
        path = route.path(world)
        yield path, server.request("GET", path, cookies=cookies)


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_every_response_to_an_anonymous_visitor_carries_the_security_headers(production):
    server, world = production

    problems = [
        p for path, response in _every_page(server, world) for p in _problems(response, path)
    ]

    assert problems == []


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_every_response_to_a_logged_in_superuser_carries_the_security_headers(production):
    server, world = production
    cookies, _ = log_in(server, world["login"])
    responses = list(_every_page(server, world, cookies))

    problems = [p for path, response in responses for p in _problems(response, path)]

    assert problems == []
    statuses = dict((path, response.status) for path, response in responses)
    assert (statuses["/me/agenda/"], statuses["/admin/"]) == (200, 200)  # logged in, indeed


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_the_session_cookie_is_secure_http_only_and_same_site(production):
    server, world = production

    _, headers = log_in(server, world["login"])

    flags = {flag.strip().lower() for flag in headers["sessionid"].split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_the_csrf_cookie_is_secure_and_same_site(production):
    server, world = production

    _, headers = log_in(server, world["login"])

    # Readable by scripts by design (Django's default; the pages need no script to read it).
    flags = {flag.strip().lower() for flag in headers["csrftoken"].split(";")[1:]}
    assert {"secure", "samesite=lax"} <= flags


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_the_messages_cookie_is_secure_http_only_and_same_site(production):
    server, world = production
    cookies, _ = log_in(server, world["login"])

    response = server.request(
        "POST",
        "/me/calendar/revoke/",
        cookies=cookies,
        body=f"csrfmiddlewaretoken={_form_token(server, cookies)}",
    )

    flags = {
        flag.strip().lower() for flag in _set_cookie_headers(response)["messages"].split(";")[1:]
    }
    assert {"secure", "httponly", "samesite=lax"} <= flags


def _form_token(server: Server, cookies: dict[str, str]) -> str:
    page = server.request("GET", "/me/agenda/", cookies=cookies)
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()


@pytest.mark.django_db  # the test database must exist; the server has its own connections
def test_plain_http_without_the_proxy_header_is_redirected_to_https(production):
    server, _ = production
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/accounts/login/", headers={"Host": server.host})
        response = conn.getresponse()
    finally:
        conn.close()

    assert response.status == 301
    assert response.getheader("Location") == f"https://{server.host}/accounts/login/"
