"""`X-Forwarded-Proto` is believed only when a proxy is in front (issue 10, item 11).

Settings are read once, at import, so each case starts a fresh interpreter with the
environment of a deployment and asks Django how it sees a request that claims HTTPS.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

request = RequestFactory().get("/events/", HTTP_X_FORWARDED_PROTO="https")
response = SecurityMiddleware(lambda request: HttpResponse("the page"))(request)
print(json.dumps({
    "secure": request.is_secure(),
    "status": response.status_code,
    "location": response.get("Location"),
}))
"""


def seen_by_django(tmp_path: Path, **environment: str) -> dict:
    """How a production process with `environment` sees a plain-HTTP request that carries
    `X-Forwarded-Proto: https`."""
    env = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXY_COUNT", "SITE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="proxy-header-test-" + "k" * 40,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="1",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        **environment,
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("count", [None, "0"])
def test_without_a_trusted_proxy_a_forwarded_https_claim_is_not_believed(tmp_path, count):
    seen = seen_by_django(tmp_path, **({} if count is None else {"TRUSTED_PROXY_COUNT": count}))

    assert seen["secure"] is False


def test_without_a_trusted_proxy_a_forwarded_https_claim_is_still_redirected_to_https(
    tmp_path,
):
    seen = seen_by_django(tmp_path, TRUSTED_PROXY_COUNT="0")

    assert seen["status"] == 301
    assert seen["location"] == "https://testserver/events/"


def test_behind_one_trusted_proxy_its_https_header_makes_the_request_secure(tmp_path):
    seen = seen_by_django(tmp_path, TRUSTED_PROXY_COUNT="1")

    assert seen == {"secure": True, "status": 200, "location": None}


# --- as gunicorn serves it --------------------------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path):
    """Starts `gunicorn config.wsgi:application` as make run and the image do (from the
    project folder), in production settings that redirect plain HTTP to HTTPS."""
    started = []

    def start(**environment: str) -> str:
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"TRUSTED_PROXY_COUNT", "SITE_URL", "DATABASE_URL", "REDIS_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY="proxy-header-test-" + "k" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="1",
            SQLITE_PATH=str(tmp_path / "db.sqlite3"),
            CACHE_DIR=str(tmp_path / "cache"),
            CELERY_DATA_DIR=str(tmp_path / "celery"),
            **environment,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, "gunicorn exited"
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                return url
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer")

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_gunicorn_without_a_trusted_proxy_redirects_a_local_client_claiming_https(gunicorn):
    url = gunicorn(TRUSTED_PROXY_COUNT="0")

    response = httpx.get(f"{url}/me/agenda.ics", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 301
    assert (
        response.headers["location"] == f"https://127.0.0.1:{url.rsplit(':', 1)[1]}/me/agenda.ics"
    )


def test_gunicorn_behind_a_trusted_proxy_takes_its_https_header(gunicorn):
    url = gunicorn(TRUSTED_PROXY_COUNT="1")

    response = httpx.get(f"{url}/me/agenda.ics", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 302
    assert response.headers["location"] == "/accounts/login/?next=/me/agenda.ics"
