"""A NUL byte anywhere a client controls (path, query string, form fields, cookies) is a bad
request: the friendly 400 page, never a 500 from the database refusing the string."""

import pytest
from django.urls import reverse

from accounts.models import Profile, User
from tests.admin_form import page_text
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

BAD_REQUEST = "We could not understand that request"


def assert_bad_request(response) -> None:
    assert response.status_code == 400
    assert BAD_REQUEST in page_text(response)


def test_calendar_feed_with_a_nul_token_is_a_bad_request(client):
    assert_bad_request(client.get("/calendar/%00.ics"))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/session/?kind=%00",
        "/admin/notifications/notification/?status=%00",
        "/admin/mentorship/meeting/?status=%00",
        "/admin/accounts/user/?profile__career_stage=%00",
        "/admin/accounts/user/?q=%00",
    ],
)
def test_admin_list_filter_with_a_nul_value_is_a_bad_request(superuser_client, url):
    assert_bad_request(superuser_client.get(url))


def test_agenda_with_a_nul_filter_is_a_bad_request(client):
    session = SessionFactory()

    assert_bad_request(client.get(f"/events/{session.event.slug}/?career_path=%00"))


def test_nul_in_a_query_parameter_name_is_a_bad_request(client):
    session = SessionFactory()

    assert_bad_request(client.get(f"/events/{session.event.slug}/?%00=1"))


def test_nul_in_a_session_cookie_is_a_bad_request(client):
    client.cookies["sessionid"] = "abc\x00def"

    assert_bad_request(client.get("/"))


def test_profile_post_with_a_nul_in_a_field_is_a_bad_request_and_saves_nothing(client):
    person = UserFactory(name="Ada Okafor")
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile"),
        {"name": "Ada\x00 Okafor", "career_stage": "fellow", "institution": "Bayview"},
    )

    assert_bad_request(response)
    person.refresh_from_db()
    assert person.name == "Ada Okafor"
    assert Profile.objects.get(user=person).institution == ""


def test_sign_up_with_a_nul_in_the_email_is_a_bad_request_and_creates_no_account(client):
    response = client.post(
        reverse("account_signup"),
        {
            "name": "Ada Okafor",
            "email": "ada\x00@example.org",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )

    assert_bad_request(response)
    assert not User.objects.exists()


def test_bad_request_page_keeps_the_security_headers(client):
    response = client.get("/calendar/%00.ics")

    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
