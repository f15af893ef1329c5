"""Every email allauth sends, through the real flows to a real SMTP server: it names the
site (not the host the request came in on), greets the person, links to SITE_URL and comes
in the layout of every other email."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://events.example.org"
NEW_PASSWORD = "plasma-cell-lantern-42"
URL = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL, settings.SITE_URL_IS_SET = SITE_URL, True


def signup_new_address(client):
    client.post(
        "/accounts/signup/",
        {"name": "Ada Okafor", "email": "ada@example.org", "password1": NEW_PASSWORD,
         "password2": NEW_PASSWORD},
    )  # fmt: skip


def signup_taken_address(client):
    UserFactory(name="Ada Okafor", email="ada@example.org")
    signup_new_address(client)


def reset_known_address(client):
    UserFactory(name="Ada Okafor", email="ada@example.org")
    client.post("/accounts/password/reset/", {"email": "ada@example.org"})


def reset_unknown_address(client):
    client.post("/accounts/password/reset/", {"email": "ada@example.org"})


def change_address(client):
    client.force_login(UserFactory(name="Ada Okafor", email="old@example.org"))
    client.post("/accounts/email/", {"email": "ada@example.org", "action_add": ""})


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# flow -> (what arrives first in the text, the page the main link opens)
FLOWS = {
    "signup": (signup_new_address, "Dear Ada Okafor,", "/accounts/confirm-email/"),
    "signup-taken-address": (signup_taken_address, "Dear Ada Okafor,", "/accounts/password/reset/"),
    "password-reset": (reset_known_address, "Dear Ada Okafor,", "/accounts/password/reset/key/"),
    "password-reset-unknown": (reset_unknown_address, "Hello,", "/accounts/signup/"),
    "change-email": (change_address, "Dear Ada Okafor,", "/accounts/confirm-email/"),
}


@pytest.fixture(params=list(FLOWS))
def delivered(request, client, mailbox):
    """(text, html, subject, expected greeting, expected link path) of the one email the
    flow sends to ada@example.org."""
    flow, greeting, path = FLOWS[request.param]
    flow(client)
    assert [m["to"] for m in mailbox.messages] == [["ada@example.org"]]
    message = mailbox.messages[0]["message"]
    text = text_of(message)
    html_part = message.get_body(preferencelist=("html",))
    html = html_part.get_content() if html_part is not None else ""
    return text, html, str(message["Subject"]), greeting, path


def test_account_email_greets_the_person_first(delivered):
    text, html, _, greeting, _ = delivered

    assert text.splitlines()[0] == greeting
    assert f"<p>{greeting}</p>" in html


def test_account_email_names_the_site_not_the_request_host(delivered):
    text, html, subject, _, _ = delivered

    assert subject.startswith("[Trainee Career Events] ")
    for part in (text, html):
        assert "Trainee Career Events" in part
        assert "testserver" not in part
        assert "Hello from" not in part


def test_account_email_links_use_site_url(delivered):
    text, html, _, _, path = delivered

    for part in (text, html):
        links = URL.findall(part)
        assert links
        assert all(link == SITE_URL or link.startswith(SITE_URL + "/") for link in links), links
        assert any(link.startswith(SITE_URL + path) for link in links), links


def test_account_email_html_is_in_the_site_email_layout(delivered):
    _, html, _, _, path = delivered

    assert html.startswith("<!DOCTYPE html>")
    assert 'style="font-family: Arial, sans-serif;' in html
    assert f'<a href="{SITE_URL}{path}' in html


def test_account_email_without_site_url_links_to_the_address_the_site_is_served_on(
    client, mailbox, settings
):
    settings.SITE_URL_IS_SET = False
    UserFactory(name="Ada Okafor", email="ada@example.org")

    client.post(
        "/accounts/password/reset/", {"email": "ada@example.org"}, HTTP_HOST="127.0.0.1:18345"
    )

    text = text_of(mailbox.messages[0]["message"])
    links = URL.findall(text)
    assert links
    assert all(link.startswith("http://127.0.0.1:18345/") for link in links), links
    assert "Trainee Career Events" in text
