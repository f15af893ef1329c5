"""Sign-up, email verification, login, logout and password reset through allauth's real views."""

import html
import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Profile, User
from tests.factories import PASSWORD, UserFactory

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"
VERIFICATION_SENT_URL = "/accounts/confirm-email/"
NEW_PASSWORD = "plasma-cell-lantern-42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[-:\w]+/)")


def signup(client, *, name="Ada Okafor", email="ada@example.org", password=NEW_PASSWORD, **extra):
    data = {"name": name, "email": email, "password1": password, "password2": password, **extra}
    return client.post(SIGNUP_URL, data)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def confirm_path(body: str) -> str:
    match = CONFIRM_LINK.search(body)
    assert match, f"no confirmation link in: {body!r}"
    return match.group(1)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_signup_page_shows_name_email_and_password_fields(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    for field in ("name", "email", "password1", "password2"):
        assert f'name="{field}"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [SIGNUP_URL, LOGIN_URL, VERIFICATION_SENT_URL, "/accounts/password/reset/"],
)
def test_account_pages_use_the_site_layout(client, url):
    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert '<main id="main"' in content
    assert re.search(r'<a class="brand" href="/">.*?Trainee Career Events.*?</a>', content)


@pytest.mark.django_db
def test_signup_creates_unverified_account_with_name_and_profile(client):
    response = signup(client, name="  Ada Okafor ", email="ada@example.org")

    assert response.status_code == 302
    assert response.url == VERIFICATION_SENT_URL
    user = User.objects.get(email="ada@example.org")
    assert user.name == "Ada Okafor"
    assert user.check_password(NEW_PASSWORD)
    assert Profile.objects.filter(user=user).exists()
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("ada@example.org", False)
    ]
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_signup_sends_one_verification_mail_with_confirm_link(client, mailoutbox):
    signup(client, email="ada@example.org")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject.startswith("[Trainee Career Events] ")
    assert confirm_path(message.body).startswith("/accounts/confirm-email/")


@pytest.mark.django_db
def test_confirm_link_get_shows_a_form_and_does_not_verify(client, mailoutbox):
    signup(client, email="ada@example.org")
    path = confirm_path(mailoutbox[0].body)

    response = client.get(path)

    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()
    assert not EmailAddress.objects.get(email="ada@example.org").verified


@pytest.mark.django_db
def test_confirm_link_post_verifies_the_address(client, mailoutbox):
    signup(client, email="ada@example.org")
    path = confirm_path(mailoutbox[0].body)

    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified


@pytest.mark.django_db
def test_confirm_link_with_forged_key_verifies_nothing(client, mailoutbox):
    signup(client, email="ada@example.org")

    response = client.post("/accounts/confirm-email/forged-key/")

    assert response.status_code in (200, 404)
    assert not EmailAddress.objects.get(email="ada@example.org").verified


@pytest.mark.django_db
def test_full_flow_signup_confirm_login_shows_name_in_header(client, mailoutbox):
    signup(client, name="Ada Okafor", email="ada@example.org")
    client.post(confirm_path(mailoutbox[0].body))

    response = client.post(
        LOGIN_URL, {"login": "ada@example.org", "password": NEW_PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert logged_in_user_id(client) == str(User.objects.get(email="ada@example.org").pk)
    assert re.search(r'<span class="who">\s*Ada Okafor\s*</span>', response.content.decode())


@pytest.mark.django_db
def test_verification_mail_is_delivered_over_smtp(client, mailbox):
    signup(client, email="ada@example.org")

    assert len(mailbox.messages) == 1
    delivered = mailbox.messages[0]
    assert delivered["to"] == ["ada@example.org"]
    body = delivered["message"].get_body(preferencelist=("plain",)).get_content()
    assert "/accounts/confirm-email/" in confirm_path(body)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["person@example.org", "Person@Example.ORG"])
def test_signup_with_taken_email_answers_like_a_new_one_and_creates_no_second_account(
    client, mailoutbox, typed
):
    owner = UserFactory(email="person@example.org")

    response = signup(client, email=typed)

    assert response.status_code == 302
    assert response.url == VERIFICATION_SENT_URL
    assert User.objects.filter(email__iexact="person@example.org").count() == 1
    assert EmailAddress.objects.filter(email__iexact="person@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_signup_with_taken_email_tells_the_owner_by_mail(client, mailoutbox):
    UserFactory(email="person@example.org")

    signup(client, email="person@example.org")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["person@example.org"]
    assert "already exists" in mailoutbox[0].body
    assert "/accounts/confirm-email/" not in mailoutbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"name": ""}, "This field is required."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "x7", "password2": "x7"}, "This password is too short."),
        ({"password2": "a-different-password-99"}, "You must type the same password each time."),
    ],
    ids=["malformed-email", "empty-email", "empty-name", "common", "short", "mismatch"],
)
def test_signup_with_bad_input_shows_error_and_creates_nothing(client, mailoutbox, fields, error):
    data = {
        "name": "Ada Okafor",
        "email": "ada@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **fields,
    }

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    assert error in page_text(response)
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_login_before_verification_is_refused_and_points_to_verification(client, mailoutbox):
    signup(client, email="ada@example.org")

    response = client.post(LOGIN_URL, {"login": "ada@example.org", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.url == VERIFICATION_SENT_URL
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_login_with_wrong_password_shows_error_and_stays_anonymous(client):
    UserFactory(email="person@example.org")

    response = client.post(LOGIN_URL, {"login": "person@example.org", "password": "wrong-one"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in page_text(response)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_login_is_case_insensitive_on_email(client):
    user = UserFactory(email="person@example.org")

    response = client.post(LOGIN_URL, {"login": "Person@Example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_logout_by_get_shows_a_form_and_keeps_the_person_logged_in(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_logout_by_post_logs_out(client):
    client.force_login(UserFactory())

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_password_reset_mails_a_reset_link_to_the_owner(client, mailoutbox):
    UserFactory(email="person@example.org")

    response = client.post("/accounts/password/reset/", {"email": "person@example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["person@example.org"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


@pytest.mark.django_db
def test_password_reset_for_unknown_address_answers_the_same_and_sends_no_link(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mailoutbox)


@pytest.mark.django_db
def test_login_after_repeated_failures_is_rate_limited_even_with_right_password(client):
    UserFactory(email="person@example.org")
    for _ in range(5):
        client.post(LOGIN_URL, {"login": "person@example.org", "password": "wrong-one"})

    response = client.post(LOGIN_URL, {"login": "person@example.org", "password": PASSWORD})

    assert "Too many failed login attempts" in page_text(response)
    assert logged_in_user_id(client) is None


def fail_logins_from(client, address: str, times: int) -> None:
    for n in range(times):
        client.post(
            LOGIN_URL,
            {"login": f"nobody{n}@example.org", "password": "wrong-one"},
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",  # forged: no trusted proxy is configured
        )


@pytest.mark.django_db
def test_failed_logins_are_limited_per_client_address_whatever_x_forwarded_for_says(client):
    UserFactory(email="person@example.org")
    fail_logins_from(client, "10.0.0.1", 10)

    response = client.post(
        LOGIN_URL,
        {"login": "person@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.250",
    )

    assert "Too many failed login attempts" in page_text(response)
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_failed_logins_from_one_address_do_not_block_another(client):
    user = UserFactory(email="person@example.org")
    fail_logins_from(client, "10.0.0.1", 10)

    response = client.post(
        LOGIN_URL, {"login": "person@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
