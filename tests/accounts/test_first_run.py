"""The short profile step right after the first sign-in, through allauth's real views."""

import re

import pytest

from accounts.models import Profile, User
from tests.accounts.test_signup_flow import LOGIN_URL, NEW_PASSWORD, confirm_path, signup
from tests.factories import PASSWORD, EventFactory, SessionFactory, UserFactory, career_path

pytestmark = pytest.mark.django_db

WELCOME_URL = "/accounts/welcome/"


def sign_up_and_confirm(client, mailoutbox, email="ada@example.org") -> User:
    signup(client, email=email)
    client.post(confirm_path(mailoutbox[0].body))
    return User.objects.get(email=email)


def log_in(client, email, password=NEW_PASSWORD, next_path=""):
    url = LOGIN_URL + (f"?next={next_path}" if next_path else "")
    return client.post(url, {"login": email, "password": password})


def test_the_first_login_after_sign_up_goes_through_the_profile_step_once(client, mailoutbox):
    sign_up_and_confirm(client, mailoutbox)

    first = log_in(client, "ada@example.org")
    client.post("/accounts/logout/")
    second = log_in(client, "ada@example.org")

    assert first.status_code == 302
    assert first.url == f"{WELCOME_URL}?next=%2F"
    assert second.url == "/"


def test_the_step_keeps_where_the_person_was_going(client, mailoutbox):
    sign_up_and_confirm(client, mailoutbox)

    response = log_in(client, "ada@example.org", next_path="/me/agenda/")

    assert response.url == f"{WELCOME_URL}?next=%2Fme%2Fagenda%2F"


def test_accounts_not_made_by_sign_up_get_no_step(client):
    person = UserFactory(email="staff-made@example.org")

    response = log_in(client, person.email, password=PASSWORD)

    assert response.url == "/"


def test_the_step_explains_why_each_question_is_asked_and_can_be_skipped(client, mailoutbox):
    sign_up_and_confirm(client, mailoutbox)
    log_in(client, "ada@example.org")

    response = client.get(f"{WELCOME_URL}?next=/me/agenda/")

    content = response.content.decode()
    assert response.status_code == 200
    for field in (
        "career_stage",
        "institution",
        "interests",
        "accessibility_needs",
        "dietary_needs",
    ):
        assert f'name="{field}"' in content
    assert "with your stage the agenda shows which ones you can register for" in content
    assert "Staff only: for the career lunch." in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert re.search(r'<a href="/me/agenda/">Skip for now</a>', content)


def test_saving_the_step_stores_only_its_fields_and_opens_the_agenda_for_you(client, mailoutbox):
    event = EventFactory(slug="winter-2030")
    session = SessionFactory(event=event, title="Teaching on the wards")
    session.career_paths.set([career_path("medical-education")])
    user = sign_up_and_confirm(client, mailoutbox)
    log_in(client, "ada@example.org")

    response = client.post(
        WELCOME_URL,
        {
            "career_stage": "resident",
            "institution": "Bayview",
            "interests": [career_path("medical-education").pk],
            "dietary_needs": "Vegetarian",
            "next": "/",
        },
    )
    agenda = client.get(response.url)

    assert response.url == "/?for_you=on"
    profile = Profile.objects.get(user=user)
    assert (profile.career_stage, profile.institution, profile.dietary_needs) == (
        "resident",
        "Bayview",
        "Vegetarian",
    )
    assert list(profile.interests.values_list("slug", flat=True)) == ["medical-education"]
    assert profile.is_mentor is False
    assert "For you: Matches your interest in medical education" in agenda.content.decode()


def test_bad_input_in_the_step_changes_nothing_and_says_why(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(WELCOME_URL, {"career_stage": "professor", "institution": "x\ny"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=person).career_stage == "fellow"


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/"])
def test_the_step_never_sends_people_off_site(client, target):
    client.force_login(UserFactory())

    response = client.post(WELCOME_URL, {"next": target})

    assert response.url == "/"


def test_the_step_needs_a_login(client):
    response = client.get(WELCOME_URL)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
