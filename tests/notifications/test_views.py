"""One-click unsubscribe from reminders (RFC 8058) and the email settings page."""

import pytest
from django.conf import settings
from django.test import Client

from notifications.models import NotificationPreference
from notifications.services import unsubscribe_token, unsubscribe_url
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def reminders_enabled(user) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or preference.reminders_enabled


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def test_unsubscribe_url_is_absolute_and_signed():
    user = UserFactory()

    url = unsubscribe_url(user=user)

    assert url.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    assert url.endswith(f"/{unsubscribe_token(user=user)}/")


def test_unsubscribe_get_shows_a_confirm_button_and_changes_nothing(client):
    user = UserFactory(email="ada@example.org")

    response = client.get(path_of(unsubscribe_url(user=user)))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post">' in page
    assert "ada@example.org" in page
    assert reminders_enabled(user)


def test_one_click_post_without_cookies_or_csrf_token_turns_reminders_off():
    user = UserFactory()
    mail_client = Client(enforce_csrf_checks=True)  # what a mail provider's server sends

    response = mail_client.post(
        path_of(unsubscribe_url(user=user)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "Reminders stopped" in response.content.decode()
    assert not reminders_enabled(user)


def tampered(token: str) -> str:
    value, signature = token.split(":", 1)
    return f"{int(value) + 1}:{signature}"


@pytest.mark.parametrize(
    "make_token",
    [tampered, lambda token: token[:-3], lambda token: "garbage", lambda token: f"{token}x"],
    ids=["other-user-id", "truncated", "garbage", "extra-character"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_or_tampered_token_shows_an_invalid_page_and_changes_nothing(method, make_token):
    user, other = UserFactory(), UserFactory()
    assert other.pk == user.pk + 1
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(
        f"/notifications/unsubscribe/{make_token(unsubscribe_token(user=user))}/"
    )

    assert response.status_code == 400
    assert "This link is invalid" in response.content.decode()
    assert reminders_enabled(user)
    assert reminders_enabled(other)
    assert not NotificationPreference.objects.exists()


def test_settings_page_needs_login(client):
    response = client.get("/notifications/settings/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_settings_page_turns_reminders_off_and_on(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    page = client.get("/notifications/settings/").content.decode()
    off = client.post("/notifications/settings/", {})
    was_off = not reminders_enabled(user)
    client.post("/notifications/settings/", {"reminders_enabled": "on"})

    assert 'name="reminders_enabled"' in page
    assert "checked" in page
    assert off.status_code == 302
    assert was_off
    assert reminders_enabled(user)


def test_account_pages_link_the_email_settings(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    page = client.get("/accounts/profile/").content.decode()

    assert 'href="/notifications/settings/"' in page
