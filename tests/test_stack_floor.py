"""What every request pays before its view runs: a database connection kept across requests
and, with Redis, a session read from the cache instead of a query."""

from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_config import development_env, settings_value

POSTGRES = "postgres://postgres@127.0.0.1:5432/tce_settings_only"


def test_database_connections_persist_with_health_checks_by_default():
    env = development_env(DATABASE_URL=POSTGRES)
    env.pop("CONN_MAX_AGE", None)

    assert settings_value("DATABASES['default']['CONN_MAX_AGE']", env) == "60"
    assert settings_value("DATABASES['default']['CONN_HEALTH_CHECKS']", env) == "True"


def test_database_connections_per_request_when_asked_for_behind_pgbouncer():
    env = development_env(DATABASE_URL=POSTGRES, CONN_MAX_AGE="0")

    assert settings_value("DATABASES['default']['CONN_MAX_AGE']", env) == "0"


def test_sessions_in_cache_backed_by_database_with_redis():
    env = development_env(DATABASE_URL=POSTGRES, REDIS_URL="redis://127.0.0.1:6379/15")

    assert settings_value("SESSION_ENGINE", env) == "django.contrib.sessions.backends.cached_db"


def test_sessions_in_database_without_redis():
    env = development_env(REDIS_URL="")

    assert settings_value("SESSION_ENGINE", env) == "django.contrib.sessions.backends.db"


def test_logged_in_page_reads_its_session_from_the_cache_not_the_database(
    redis_url, db, client, trainee
):
    client.force_login(trainee)
    client.get(reverse("events:my_agenda"))  # the session is in the cache from here on

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("events:my_agenda"))

    assert response.status_code == 200
    assert response.context["user"] == trainee
    assert [q["sql"] for q in queries if "django_session" in q["sql"]] == []


def test_logged_in_person_stays_logged_in_when_the_cache_loses_the_session(
    redis_url, db, client, trainee
):
    client.force_login(trainee)
    session_key = client.session.session_key
    client.get(reverse("events:my_agenda"))
    cache.delete(KEY_PREFIX + session_key)  # what a Redis flush or restart does to it

    response = client.get(reverse("events:my_agenda"))

    assert response.status_code == 200
    assert response.context["user"] == trainee
    assert cache.get(KEY_PREFIX + session_key) is not None  # read back into the cache


def test_server_side_cursors_off_when_asked_for_behind_pgbouncer():
    env = development_env(DATABASE_URL=POSTGRES, CONN_MAX_AGE="0", DISABLE_SERVER_SIDE_CURSORS="1")

    assert settings_value("DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']", env) == "True"
    env.pop("DISABLE_SERVER_SIDE_CURSORS")
    assert settings_value("DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']", env) == "False"
