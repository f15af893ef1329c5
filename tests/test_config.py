"""Settings, the health probe, error pages and security headers."""

import logging
import os
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError, connection

from config.celery import app as celery_app
from config.secret_key import SecretKeyFileError, secret_key_from_file
from tests.conftest import dotenv_names, free_port

PROJECT_DIR = Path(__file__).resolve().parents[1]


def broken_cursor(error: type[Exception]):
    """The database stops answering: every new cursor raises (the edge we simulate)."""
    return mock.patch.object(
        connection, "cursor", side_effect=error("server closed the connection")
    )


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict:
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "events.example.org", **overrides}
    # Variables that relax production defaults must not leak in from the shell or conftest.
    for name in (
        "SECURE_COOKIES",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    return env


# --- /healthz --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_when_database_does_not_answer_is_503_and_logs_an_error(client, caplog):
    with broken_cursor(OperationalError), caplog.at_level(logging.ERROR):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "config.views"]
    assert len(errors) == 1
    assert "database" in errors[0].getMessage()


@pytest.fixture
def broker_down(monkeypatch):
    # Nothing listens on this port: the broker connection is refused.
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})


@pytest.mark.django_db
def test_healthz_when_broker_is_down_still_answers_200(client, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_healthz_when_broker_refuses_answers_within_a_probe_timeout(client, broker_down):
    started = time.monotonic()

    client.get("/healthz")

    assert time.monotonic() - started < 1.5


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405


# --- error pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_when_database_does_not_answer_is_a_friendly_busy_page(client):
    client.raise_request_exception = False

    with broken_cursor(OperationalError):
        response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert "We're very busy right now" in content
    assert "Trainee Career Events</a>" in content
    assert "Traceback" not in content
    assert "server closed the connection" not in content


@pytest.mark.django_db
def test_page_when_database_fails_otherwise_is_a_friendly_500_page(client):
    client.raise_request_exception = False

    with broken_cursor(DatabaseError):
        response = client.get("/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content
    assert "Traceback" not in content
    assert "server closed the connection" not in content


# --- security headers ------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("default-src", [])
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ],
)
def test_pages_send_security_headers(client, header, value):
    response = client.get("/")

    assert response[header] == value


# --- settings from the environment (real processes) ------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    env = production_env(SECRET_KEY=secrets.token_urlsafe(45))
    assert len(env["SECRET_KEY"]) == 60

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("how", ["unset", "empty"])
def test_without_secret_key_in_production_exits_with_one_line(how):
    env = production_env()
    env.pop("SECRET_KEY", None)
    if how == "empty":
        # An empty variable also wins over a developer's .env file (read without overwrite).
        env["SECRET_KEY"] = ""
    elif "SECRET_KEY" in dotenv_names():
        pytest.skip("a developer's .env sets SECRET_KEY (a clean clone, as CI runs, has none)")

    result = manage("check", env=env)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def settings_value(name: str, env: dict) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def development_env(**overrides: str) -> dict:
    env = {**os.environ, "DEBUG": "1", **overrides}
    for name in ("SITE_URL", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        if name not in overrides:
            env.pop(name, None)
    return env


# --- links follow the address the app is served on --------------------------------------------


@pytest.mark.skipif(
    "SITE_URL" in dotenv_names(),
    reason="a developer's .env sets SITE_URL (none in a clean clone, as CI runs)",
)
def test_site_url_without_setting_follows_the_port():
    assert settings_value("SITE_URL", development_env(PORT="18345")) == "http://127.0.0.1:18345"


def test_site_url_when_set_wins_over_the_port():
    env = development_env(PORT="18345", SITE_URL="https://events.example.org/")

    assert settings_value("SITE_URL", env) == "https://events.example.org"


# --- the secret key `make run` keeps ---------------------------------------------------------


def test_secret_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "secret_key"

    key = secret_key_from_file(path)

    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_secret_key_file_is_reused_on_the_next_start(tmp_path):
    path = tmp_path / "secret_key"
    first = secret_key_from_file(path)

    assert secret_key_from_file(path) == first


def test_empty_secret_key_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("\n")

    with pytest.raises(SecretKeyFileError, match="delete it"):
        secret_key_from_file(path)


def test_production_settings_without_secret_key_use_the_secret_key_file(tmp_path):
    path = tmp_path / "secret_key"
    env = production_env(SECRET_KEY="", SECRET_KEY_FILE=str(path))

    first = settings_value("SECRET_KEY", env)
    second = settings_value("SECRET_KEY", env)

    assert first == second == path.read_text().strip()


# --- error pages without DEBUG ---------------------------------------------------------------


@pytest.mark.django_db
def test_404_with_debug_off_is_the_friendly_page_without_url_patterns(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "Go to the agenda" in content
    assert "URLconf" not in content
    assert "admin/" not in content
