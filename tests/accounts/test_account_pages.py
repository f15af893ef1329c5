"""allauth's pages speak like the rest of the site: "Log in", "Log out", "Sign up"."""

import html
import re

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The site says "Log in", "Log out" and "Sign up"; allauth's own pages said "Sign In" and
# "Sign Out".
OTHER_WORDINGS = re.compile(r"\bsign[ -]?(in|out)\b", re.IGNORECASE)


def text(response) -> str:
    """What a person reads: the page without tags, URLs and form field names."""
    body = response.content.decode()
    body = body[body.index("<body") :]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def button(response, label: str) -> bool:
    return re.search(rf"<button[^>]*>\s*{label}\s*</button>", response.content.decode()) is not None


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/"]
)
def test_logged_out_pages_say_log_in_and_sign_up_only(client, url):
    words = text(client.get(url))

    assert "Log in" in words
    assert OTHER_WORDINGS.search(words) is None


def test_login_page_asks_to_log_in(client):
    response = client.get("/accounts/login/")

    assert "<h1>Log in</h1>" in response.content.decode()
    assert button(response, "Log in")


def test_signup_page_asks_to_sign_up(client):
    response = client.get("/accounts/signup/")

    assert "<h1>Sign up</h1>" in response.content.decode()
    assert button(response, "Sign up")


def test_logout_page_asks_to_log_out(client):
    client.force_login(UserFactory())

    response = client.get("/accounts/logout/")

    assert "<h1>Log out</h1>" in response.content.decode()
    assert button(response, "Log out")
    assert OTHER_WORDINGS.search(text(response)) is None


def test_logging_in_says_you_are_logged_in(client):
    UserFactory(name="Ada Okafor", email="ada@example.org")

    response = client.post(
        "/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}, follow=True
    )

    assert "You are logged in as Ada Okafor." in text(response)


def test_logging_out_says_you_have_logged_out(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/", follow=True)

    assert "You have logged out." in text(response)


def test_password_reset_page_is_in_american_english(client):
    words = text(client.get("/accounts/password/reset/"))

    assert "Forgot your password?" in words
    assert "Forgotten" not in words
