"""Staff log in through the site's one throttled door (issue 10, item 4).

`/admin/login/` used to be Django's own form, which allauth's rate limits do not cover: twelve
wrong passwords, then the right one logged in. Now it leads to the site's login (allauth,
throttled in the shared cache) with `next` pointing back into admin, and admin's logout is the
site's logout.
"""

import datetime as dt
import html
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts."


@pytest.fixture
def coordinator():
    return UserFactory(email="coordinator@example.org", is_staff=True, is_superuser=True)


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def door(client) -> str:
    """Where staff going to /admin/login/ end up: the address of the form they fill in."""
    response = client.get("/admin/login/", follow=True)
    assert response.status_code == 200
    return response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"]


def log_in_at(client, url: str, email: str, password: str):
    # Django's admin form names the address `username`, allauth's form `login`.
    return client.post(url, {"login": email, "username": email, "password": password})


def logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_admin_login_leads_to_the_sites_login_with_next_admin(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_login_keeps_the_admin_page_that_was_asked_for(client):
    response = client.get("/admin/events/session/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/events/session/"


def test_admin_login_never_sends_staff_to_another_site_after_logging_in(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/admin/"})

    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_staff_logging_in_at_the_door_land_in_admin(client, coordinator):
    response = log_in_at(client, door(client), coordinator.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_twelve_wrong_passwords_at_the_admin_login_then_the_right_one_is_refused(
    client, coordinator
):
    url = door(client)
    for _ in range(12):
        log_in_at(client, url, coordinator.email, "not-the-password")

    response = log_in_at(client, url, coordinator.email, PASSWORD)

    assert response.status_code == 200
    assert TOO_MANY in text(response)
    assert logged_in_as(client) is None
    assert urlsplit(client.get("/admin/")["Location"]).path == "/admin/login/"


def test_wrong_passwords_at_the_admin_login_say_so_then_say_to_wait(client, coordinator):
    url = door(client)
    answers = [
        text(log_in_at(client, url, coordinator.email, "not-the-password")) for _ in range(6)
    ]

    assert ["not correct" in answer for answer in answers] == [True] * 5 + [False]
    assert TOO_MANY in answers[5]
    assert "Wait a few minutes" in answers[5]


def test_after_the_window_passes_the_right_password_logs_in_again(client, coordinator):
    url = door(client)
    for _ in range(12):
        log_in_at(client, url, coordinator.email, "not-the-password")

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5, seconds=1), tick=False):
        response = log_in_at(client, url, coordinator.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in_as(client) == str(coordinator.pk)


def test_admins_own_login_form_no_longer_logs_anyone_in(client, coordinator):
    response = client.post("/admin/login/", {"username": coordinator.email, "password": PASSWORD})

    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_failed_attempts_count_once_whatever_host_name_the_site_is_reached_by(client, coordinator):
    url = door(client)
    for number in range(5):
        host = ["localhost", "127.0.0.1"][number % 2]
        client.post(url, {"login": coordinator.email, "password": "nope"}, HTTP_HOST=host)

    response = client.post(
        url, {"login": coordinator.email, "password": PASSWORD}, HTTP_HOST="[::1]"
    )

    assert TOO_MANY in text(response)
    assert logged_in_as(client) is None


def test_logged_in_person_without_staff_access_is_told_so_at_the_admin_login(client):
    client.force_login(UserFactory(name="Ada Okafor", email="ada@example.org"))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    page = text(response)
    assert "You are logged in as Ada Okafor (ada@example.org)" in page
    assert "no access to the staff area" in page
    assert logged_in_as(client) is not None


def test_admin_logout_logs_out_through_the_site(client, coordinator):
    client.force_login(coordinator)

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) is None


def test_admin_logout_by_get_only_asks(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/admin/logout/")

    assert response.status_code == 200
    assert "Do you want to log out?" in text(response)
    assert logged_in_as(client) == str(coordinator.pk)
