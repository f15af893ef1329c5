"""An email-confirmation link opened by someone else who is logged in (issue 10, item 9).

A GET never changes who is logged in: a page that embeds someone's confirmation link as an
image must not log out whoever loads it. The GET shows the address and a Confirm button; only
the POST confirms (and then, as allauth designs it, ends the other person's session).
"""

import datetime as dt
import html
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[-:\w]+/)")

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirm_path(client, mailoutbox):
    """Bea signs up in her own browser; the path of the link mailed to her."""
    client.post(
        "/accounts/signup/",
        {
            "name": "Bea Novak",
            "email": "bea@example.org",
            "password1": "plasma-cell-lantern-42",
            "password2": "plasma-cell-lantern-42",
        },
    )
    (message,) = mailoutbox
    return CONFIRM_LINK.search(message.body).group(1)


@pytest.fixture
def ada():
    return UserFactory(email="ada@example.org", name="Ada Okafor")


@pytest.fixture
def ada_client(ada):
    """Ada logged in through the login form, in a browser of her own."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": ada.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def bea_verified() -> bool:
    return EmailAddress.objects.get(email="bea@example.org").verified


def test_get_of_someone_elses_confirmation_link_keeps_the_visitor_logged_in(
    ada_client, ada, confirm_path
):
    session_key = ada_client.session.session_key

    response = ada_client.get(confirm_path)

    assert response.status_code == 200
    assert ada_client.session.session_key == session_key
    assert ada_client.session["_auth_user_id"] == str(ada.pk)
    assert ada_client.get("/me/agenda/").status_code == 200


def test_get_of_someone_elses_confirmation_link_verifies_nothing(ada_client, confirm_path):
    ada_client.get(confirm_path)

    assert not bea_verified()


def test_get_of_a_confirmation_link_shows_the_address_and_a_confirm_button(client, confirm_path):
    # Opened a little later than it was mailed: the form still posts to the mailed link.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30), tick=False):
        response = client.get(confirm_path)

    page = html.unescape(response.content.decode())
    assert "bea@example.org" in page
    assert f'<form method="post" action="{confirm_path}"' in page
    assert ">Confirm</button>" in page


def test_get_when_logged_in_as_someone_else_says_confirming_logs_them_out(ada_client, confirm_path):
    response = ada_client.get(confirm_path)

    page = " ".join(html.unescape(response.content.decode()).split())
    assert "You are logged in as Ada Okafor" in page
    assert "confirming logs you out" in page


def test_post_of_someone_elses_confirmation_link_confirms_it_and_ends_the_other_session(
    ada_client, confirm_path
):
    response = ada_client.post(confirm_path)

    assert response.status_code == 302
    assert bea_verified()
    assert "_auth_user_id" not in ada_client.session
