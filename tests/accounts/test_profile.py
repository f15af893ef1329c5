"""The profile page, account deletion and the email-only User manager."""

import html

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from accounts.models import CareerStage, Profile, User
from events.models import Registration
from events.services import registration_create
from tests.factories import PASSWORD, SessionFactory, UserFactory, career_path

PROFILE_URL = "/accounts/profile/"
DELETE_URL = "/accounts/profile/delete/"


@pytest.fixture
def signed_in_ada(client):
    user = UserFactory(name="Ada Okafor", email="ada@example.org")
    client.force_login(user)
    return user


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def profile_post(**overrides) -> dict:
    data = {
        "name": "Ada Okafor",
        "career_stage": CareerStage.RESIDENT,
        "institution": "Lakeside Medical Center",
        "pronouns": "she/her",
        "interests": [career_path("medical-education").pk, career_path("translational").pk],
        "accessibility_needs": "Step-free access",
        "dietary_needs": "Vegetarian",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def slugs(related) -> set[str]:
    return set(related.values_list("slug", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PROFILE_URL, DELETE_URL])
def test_account_pages_send_anonymous_people_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [PROFILE_URL, "/accounts/email/", "/accounts/password/change/", DELETE_URL]
)
def test_account_settings_pages_load_with_the_settings_menu(client, signed_in_ada, url):
    response = client.get(url)

    assert response.status_code == 200
    assert '<nav aria-label="Account settings"' in response.content.decode()


@pytest.mark.django_db
def test_profile_page_shows_the_form_filled_with_the_person(client, signed_in_ada):
    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    text = page_text(response)
    assert 'value="Ada Okafor"' in text
    for field in ("career_stage", "institution", "interests", "is_mentor", "mentor_bio"):
        assert f'name="{field}"' in text


@pytest.mark.django_db
def test_profile_post_saves_every_field(client, signed_in_ada):
    response = client.post(PROFILE_URL, profile_post(name="Ada N. Okafor"))

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    signed_in_ada.refresh_from_db()
    profile = Profile.objects.get(user=signed_in_ada)
    assert signed_in_ada.name == "Ada N. Okafor"
    assert (
        profile.career_stage,
        profile.institution,
        profile.pronouns,
        profile.accessibility_needs,
        profile.dietary_needs,
        profile.is_mentor,
    ) == (
        "resident",
        "Lakeside Medical Center",
        "she/her",
        "Step-free access",
        "Vegetarian",
        False,
    )
    assert slugs(profile.interests) == {"medical-education", "translational"}


@pytest.mark.django_db
def test_profile_saved_shows_confirmation_message(client, signed_in_ada):
    response = client.post(PROFILE_URL, profile_post(), follow=True)

    assert "Your profile is saved." in page_text(response)


@pytest.mark.django_db
def test_profile_post_as_mentor_with_bio_and_expertise_saves_them(client, signed_in_ada):
    response = client.post(
        PROFILE_URL,
        profile_post(
            career_stage=CareerStage.SENIOR,
            is_mentor="on",
            mentor_bio="Hematologist in private practice for 20 years.",
            expertise=[career_path("private-practice").pk],
        ),
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=signed_in_ada)
    assert profile.is_mentor
    assert profile.mentor_bio == "Hematologist in private practice for 20 years."
    assert slugs(profile.expertise) == {"private-practice"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"mentor_bio": "   "}, "Mentors need a short bio so trainees can choose."),
        ({"expertise": None}, "Choose at least one career path you can advise on."),
    ],
    ids=["no-bio", "no-expertise"],
)
def test_profile_mentor_without_bio_or_expertise_shows_error_and_saves_nothing(
    client, signed_in_ada, overrides, error
):
    mentor = {
        "is_mentor": "on",
        "mentor_bio": "Hematologist in private practice.",
        "expertise": [career_path("private-practice").pk],
    }

    response = client.post(PROFILE_URL, profile_post(**{**mentor, **overrides}))

    assert response.status_code == 200
    assert error in page_text(response)
    profile = Profile.objects.get(user=signed_in_ada)
    assert (profile.is_mentor, profile.career_stage, profile.institution) == (False, "fellow", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"career_stage": "professor"}, "Select a valid choice."),
        ({"career_stage": ""}, "This field is required."),
        ({"interests": [999_999]}, "Select a valid choice."),
        ({"interests": ["not-a-number"]}, "is not a valid value."),
        ({"name": ""}, "This field is required."),
    ],
    ids=["unknown-stage", "no-stage", "unknown-interest", "garbage-interest", "no-name"],
)
def test_profile_forged_or_missing_values_show_error_and_save_nothing(
    client, signed_in_ada, overrides, error
):
    response = client.post(PROFILE_URL, profile_post(**overrides))

    assert response.status_code == 200
    assert error in page_text(response)
    signed_in_ada.refresh_from_db()
    profile = Profile.objects.get(user=signed_in_ada)
    assert signed_in_ada.name == "Ada Okafor"
    assert (profile.career_stage, profile.institution, profile.pronouns) == ("fellow", "", "")
    assert slugs(profile.interests) == set()


@pytest.mark.django_db
def test_profile_switching_mentor_off_clears_bio_and_expertise(client, signed_in_ada):
    client.post(
        PROFILE_URL,
        profile_post(
            is_mentor="on",
            mentor_bio="Hematologist in private practice.",
            expertise=[career_path("private-practice").pk],
        ),
    )

    response = client.post(
        PROFILE_URL,
        profile_post(
            mentor_bio="Hematologist in private practice.",
            expertise=[career_path("private-practice").pk],
        ),
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=signed_in_ada)
    assert (profile.is_mentor, profile.mentor_bio) == (False, "")
    assert slugs(profile.expertise) == set()


@pytest.mark.django_db
def test_profile_page_works_for_account_made_without_profile(client):
    user = User.objects.create_user(email="staff@example.org", password=PASSWORD, name="Sam")
    client.force_login(user)

    response = client.post(PROFILE_URL, profile_post(name="Sam Lee"))

    assert response.status_code == 302
    assert Profile.objects.get(user=user).career_stage == "resident"


@pytest.mark.django_db
def test_account_delete_get_shows_a_confirmation_form(client, signed_in_ada):
    response = client.get(DELETE_URL)

    assert response.status_code == 200
    text = page_text(response)
    assert "This cannot be undone." in text
    assert 'name="password"' in text
    assert 'name="confirm"' in text


@pytest.mark.django_db
def test_account_delete_with_wrong_password_shows_error_and_keeps_account(client, signed_in_ada):
    response = client.post(DELETE_URL, {"password": "not-my-password", "confirm": "on"})

    assert response.status_code == 200
    assert "That is not your password." in page_text(response)
    assert User.objects.filter(pk=signed_in_ada.pk).exists()
    assert client.session.get("_auth_user_id") == str(signed_in_ada.pk)


@pytest.mark.django_db
def test_account_delete_without_confirm_box_keeps_account(client, signed_in_ada):
    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert User.objects.filter(pk=signed_in_ada.pk).exists()


@pytest.mark.django_db
def test_account_delete_with_password_and_confirm_removes_everything_and_logs_out(
    client, signed_in_ada
):
    other = UserFactory()

    response = client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "Your account and everything in it have been deleted." in page_text(response)
    assert not User.objects.filter(pk=signed_in_ada.pk).exists()
    assert not Profile.objects.filter(user_id=signed_in_ada.pk).exists()
    assert not EmailAddress.objects.filter(email="ada@example.org").exists()
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_account_delete_gives_the_seat_to_the_next_person_on_the_waitlist(client, signed_in_ada):
    session = SessionFactory(capacity=1)
    registration_create(session=session, user=signed_in_ada)
    waiting = registration_create(session=session, user=UserFactory())

    client.post(DELETE_URL, {"password": PASSWORD, "confirm": "on"})

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert not Registration.objects.filter(user_id=signed_in_ada.pk).exists()


@pytest.mark.django_db
def test_account_delete_for_passwordless_account_needs_only_confirm(client):
    user = User.objects.create_user(email="sso@example.org", password=None)
    client.force_login(user)

    response = client.post(DELETE_URL, {"confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_create_user_without_password_has_unusable_password_and_lowercased_email():
    user = User.objects.create_user(email="Ada@Example.ORG", password=None, name="Ada")

    user.refresh_from_db()
    assert (user.email, user.name, user.is_staff, user.is_superuser) == (
        "ada@example.org",
        "Ada",
        False,
        False,
    )
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_create_user_with_password_can_check_it():
    user = User.objects.create_user(email="ada@example.org", password=PASSWORD)

    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_create_user_without_email_is_refused():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password=PASSWORD)


@pytest.mark.django_db
def test_create_superuser_is_staff_and_superuser_with_password():
    user = User.objects.create_superuser(email="boss@example.org", password=PASSWORD)

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, True, True)
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_user_emails_are_unique_regardless_of_case():
    User(email="a@x.org").save()

    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="A@x.org").save()

    assert User.objects.count() == 1
