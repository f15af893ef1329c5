"""Every free-text field has a length limit, in the model and the form; one-line fields
(names, institutions, titles) take no control characters at all, multi-line fields (needs,
bios, comments) take line breaks but no other control character. A refused post shows a
clear message and changes nothing."""

import csv
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import CareerStage, Profile, User
from events.models import Event, Session
from mentorship.models import ConversationFeedback
from notifications.models import Notification
from tests.admin_form import form_data, page_text
from tests.factories import EventFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

PROFILE_URL = "/accounts/profile/"
SIGNUP_URL = "/accounts/signup/"
MEGABYTE = "x" * 1_000_000


@pytest.fixture
def ada_from_bayview(client):
    user = UserFactory(name="Ada Okafor", email="ada@example.org")
    Profile.objects.filter(user=user).update(institution="Bayview", accessibility_needs="")
    client.force_login(user)
    return user


def profile_post(**overrides) -> dict:
    return {
        "name": "Ada Okafor",
        "career_stage": CareerStage.RESIDENT,
        "institution": "Lakeside Medical Center",
        "pronouns": "she/her",
        "accessibility_needs": "Step-free access",
        "dietary_needs": "Vegetarian",
        **overrides,
    }


def assert_profile_unchanged(ada_from_bayview) -> None:
    ada_from_bayview.refresh_from_db()
    profile = Profile.objects.get(user=ada_from_bayview)
    assert (ada_from_bayview.name, profile.institution, profile.accessibility_needs) == (
        "Ada Okafor",
        "Bayview",
        "",
    )


# --- length limits ----------------------------------------------------------------------------


def test_a_megabyte_of_accessibility_needs_is_refused_with_its_length(client, ada_from_bayview):
    response = client.post(PROFILE_URL, profile_post(accessibility_needs=MEGABYTE))

    assert response.status_code == 200
    assert "Keep this to 500 characters or fewer (you typed 1,000,000)." in page_text(response)
    assert_profile_unchanged(ada_from_bayview)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", 150),
        ("institution", 200),
        ("pronouns", 40),
        ("dietary_needs", 200),
        ("accessibility_needs", 500),
    ],
)
def test_profile_field_one_character_over_its_limit_is_refused(
    client, ada_from_bayview, field, limit
):
    response = client.post(PROFILE_URL, profile_post(**{field: "y" * (limit + 1)}))

    assert f"Keep this to {limit} characters or fewer (you typed {limit + 1})." in page_text(
        response
    )
    assert_profile_unchanged(ada_from_bayview)


def test_profile_field_at_its_limit_is_saved(client, ada_from_bayview):
    response = client.post(PROFILE_URL, profile_post(accessibility_needs="y" * 500))

    assert response.status_code == 302
    assert Profile.objects.get(user=ada_from_bayview).accessibility_needs == "y" * 500


def test_profile_page_tells_the_browser_each_limit(client, ada_from_bayview):
    form = client.get(PROFILE_URL).content.decode()

    assert 'name="accessibility_needs" cols="40" rows="2" maxlength="500"' in form
    assert 'maxlength="200"' in form


def test_a_line_break_typed_in_a_browser_counts_as_one_character(client, ada_from_bayview):
    # Browsers send CR LF and count it as one against maxlength: 498 + 1 + 1 = 500 shown.
    needs = "y" * 249 + "\r\n" + "y" * 249

    response = client.post(PROFILE_URL, profile_post(accessibility_needs=needs))

    assert response.status_code == 302
    assert (
        Profile.objects.get(user=ada_from_bayview).accessibility_needs
        == "y" * 249 + "\n" + "y" * 249
    )


def test_mentor_feedback_comment_over_its_limit_is_refused_by_the_model():
    feedback = ConversationFeedback(comment="z" * 1001, rating=3)

    with pytest.raises(ValidationError) as caught:
        feedback.clean_fields(exclude=["meeting", "author"])

    assert caught.value.message_dict["comment"] == [
        "Keep this to 1,000 characters or fewer (you typed 1,001)."
    ]


def test_admin_session_description_over_its_limit_is_refused(superuser_client):
    session = SessionFactory(description="Short.")
    url = f"/admin/events/session/{session.pk}/change/"
    data = form_data(superuser_client.get(url).content.decode(), "session_form")
    data["description"] = ["d" * 5001]

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "Keep this to 5,000 characters or fewer (you typed 5,001)." in page_text(response)
    session.refresh_from_db()
    assert session.description == "Short."


def test_admin_session_with_too_many_speakers_is_refused(superuser_client):
    session = SessionFactory(speakers=["Dr. Amara Okafor"])
    url = f"/admin/events/session/{session.pk}/change/"
    data = form_data(superuser_client.get(url).content.decode(), "session_form")
    data["speakers"] = ["\n".join(f"Speaker {n}" for n in range(51))]

    response = superuser_client.post(url, data)

    assert "List at most 50 names (you typed 51)." in page_text(response)
    session.refresh_from_db()
    assert session.speakers == ["Dr. Amara Okafor"]


def test_import_agenda_with_a_title_over_its_limit_names_the_line_and_imports_nothing(tmp_path):
    EventFactory(slug="meeting")
    path = tmp_path / "agenda.csv"
    columns = "key,title,kind,day,start,end,room,capacity,registration_mode,audience,career_paths,speakers,description"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns.split(","))
        writer.writerow(
            ["a", "T" * 201, "didactic", "2019-12-06", "10:00", "11:00", "W301", "5", "open"]
            + [""] * 4
        )
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_agenda", "meeting", str(path), stderr=err)

    assert caught.value.returncode == 2
    assert "line 2: title: Keep this to 200 characters or fewer (you typed 201)." in err.getvalue()
    assert not Session.objects.exists()


# --- names and other one-line fields ------------------------------------------------------------

ONE_LINE = (
    "Keep this on one line: line breaks, tabs and other control characters are not allowed here."
)


def test_sign_up_with_a_line_break_in_the_name_is_refused_and_creates_no_account(client):
    response = client.post(
        SIGNUP_URL,
        {
            "name": "Ada Okafor\nBcc: everyone@example.org",
            "email": "ada@example.org",
            "password1": "plasma-cell-lantern-42",
            "password2": "plasma-cell-lantern-42",
        },
    )

    assert response.status_code == 200
    assert ONE_LINE in page_text(response)
    assert not User.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("text", ["Ada\nOkafor", "Ada\rOkafor", "Ada\tOkafor", "Ada\u2028Okafor"])
def test_profile_name_that_is_not_one_line_is_refused(client, ada_from_bayview, text):
    response = client.post(PROFILE_URL, profile_post(name=text))

    assert ONE_LINE in page_text(response)
    assert_profile_unchanged(ada_from_bayview)


@pytest.mark.parametrize("field", ["institution", "pronouns", "dietary_needs"])
def test_profile_one_line_field_with_a_control_character_is_refused(
    client, ada_from_bayview, field
):
    response = client.post(PROFILE_URL, profile_post(**{field: "Bay\x1bview"}))

    assert ONE_LINE in page_text(response)
    assert_profile_unchanged(ada_from_bayview)


def test_multi_line_needs_keep_their_line_breaks(client, ada_from_bayview):
    response = client.post(
        PROFILE_URL, profile_post(accessibility_needs="Step-free access\r\nSeat near the door")
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=ada_from_bayview)
    assert profile.accessibility_needs == "Step-free access\nSeat near the door"


def test_multi_line_needs_with_another_control_character_are_refused_naming_it(
    client, ada_from_bayview
):
    response = client.post(PROFILE_URL, profile_post(accessibility_needs="Step-free\x07 access"))

    assert (
        "This text contains an invisible control character (U+0007). Remove it and try again."
        in page_text(response)
    )
    assert_profile_unchanged(ada_from_bayview)


def test_admin_user_change_with_a_line_break_in_the_name_is_refused(superuser_client):
    user = UserFactory(name="Ben Adeyemi")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(superuser_client.get(url).content.decode(), "user_form")
    data["name"] = ["Ben Adeyemi\nBcc: everyone@example.org"]

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert ONE_LINE in page_text(response)
    user.refresh_from_db()
    assert user.name == "Ben Adeyemi"


def test_admin_user_add_with_a_line_break_in_the_name_is_refused(superuser_client):
    url = reverse("admin:accounts_user_add")
    data = form_data(superuser_client.get(url).content.decode(), "user_form")
    data.update({"email": ["cleo@example.org"], "name": ["Cleo\r\nBcc: x@example.org"]})

    response = superuser_client.post(url, data)

    assert ONE_LINE in page_text(response)
    assert not User.objects.filter(email="cleo@example.org").exists()


def test_admin_event_name_with_a_control_character_is_refused(superuser_client):
    event = EventFactory(name="Winter Meeting")
    url = f"/admin/events/event/{event.pk}/change/"
    data = form_data(superuser_client.get(url).content.decode(), "event_form")
    data["name"] = ["Winter\x0bMeeting"]

    response = superuser_client.post(url, data)

    assert ONE_LINE in page_text(response)
    assert Event.objects.get(pk=event.pk).name == "Winter Meeting"


def test_admin_speaker_name_with_a_control_character_is_refused(superuser_client):
    session = SessionFactory(speakers=["Dr. Amara Okafor"])
    url = f"/admin/events/session/{session.pk}/change/"
    data = form_data(superuser_client.get(url).content.decode(), "session_form")
    data["speakers"] = ["Dr. Luis\x1b[31m Ferreira"]

    response = superuser_client.post(url, data)

    assert f"“Dr. Luis\x1b[31m Ferreira”: {ONE_LINE}" in response.content.decode()
    session.refresh_from_db()
    assert session.speakers == ["Dr. Amara Okafor"]
