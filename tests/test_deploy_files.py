"""No Docker engine runs on our machines, so the compose file is validated by reading it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "config" / "settings.py").read_text()


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_of_the_stack():
    assert set(_compose()["services"]) >= {
        "postgres",
        "redis",
        "web",
        "worker",
        "beat",
        "mailpit",
        "migrate",
    }


def test_compose_app_services_share_one_image_and_point_at_the_stack():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgres://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["EMAIL_HOST"] == "mailpit"
        assert services[name]["build"] == "."


def test_compose_environment_only_uses_variables_the_settings_read():
    env = _compose()["services"]["web"]["environment"]
    for variable in env:
        assert f'"{variable}"' in SETTINGS, f"{variable} is not read by config/settings.py"


def test_compose_runs_one_beat_and_the_documented_entry_points():
    services = _compose()["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "deploy" not in services["beat"], "beat must never be replicated"


def test_compose_web_waits_for_migrations_and_healthy_services():
    services = _compose()["services"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_env_example_lists_every_variable_the_settings_read():
    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', SETTINGS))
    listed = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert read - listed == set()


def test_dockerfile_installs_from_the_lock_and_runs_the_wsgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "config.wsgi:application" in dockerfile
