"""Staff announcements from the sessions list: one greeting (the template's), a preview of the
exact email with its number of recipients, a test to oneself, and the send as the confirmation
of the preview."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry

from events.services import registration_create
from notifications.models import Announcement, Notification
from notifications.services import notifications_dispatch_due
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 12, 6, 15, 0, tzinfo=dt.UTC)
SESSIONS = "/admin/events/session/"
DRAFT = re.compile(r'name="draft" value="([^"]+)"')
FRAME = re.compile(r'<iframe class="announce-frame" src="([^"]+)"')


@pytest.fixture
def signed_in_staff(client):
    user = UserFactory(name="Sam Staff", email="sam@example.org", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def full_session(make_session):
    """A session with Ana Lopez seated and Ben Osei on its waitlist."""
    full_session = make_session(starts_at=START, capacity=1, title="Giving a scientific talk")
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        for name, email in (("Ana Lopez", "ana@example.org"), ("Ben Osei", "ben@example.org")):
            registration_create(session=full_session, user=UserFactory(name=name, email=email))
    Notification.objects.all().delete()
    return full_session


def compose(client, full_session, **fields):
    """The compose form's "Preview the email" button."""
    data = {"subject": "Room change", "body": "We moved to W230.\nSee you there!"}
    data.update({"include_confirmed": "on"} if not fields.keys() & {"include_waitlisted"} else {})
    data.update(fields)
    return client.post(
        SESSIONS,
        {"action": "announce", "_selected_action": [full_session.pk], "apply": "1", **data},
    )


def step(client, full_session, preview, name):
    """A button of the preview page (send, test or edit)."""
    draft = DRAFT.search(preview.content.decode()).group(1)
    return client.post(
        SESSIONS,
        {"action": "announce", "_selected_action": [full_session.pk], "draft": draft, "step": name},
        follow=True,
    )


def text_of(delivered) -> str:
    return delivered["message"].get_body(preferencelist=("plain",)).get_content()


# --- one greeting ----------------------------------------------------------------------------


@pytest.mark.parametrize("greeting", ["Dear fellows,", "Hi all!", "Hello everyone", "Dear Ana,"])
def test_message_starting_with_a_greeting_is_refused_with_what_to_do(
    client, signed_in_staff, full_session, greeting
):
    response = compose(client, full_session, body=f"{greeting}\n\nWe moved to W230.")

    page = response.content.decode()
    assert f"Leave out the greeting “{greeting}”" in page
    assert "already begins “Dear …,” with the person&#x27;s own name" in page
    assert 'name="draft"' not in page
    assert not Notification.objects.exists()


def test_message_naming_a_greeting_later_on_is_accepted(client, signed_in_staff, full_session):
    response = compose(client, full_session, body="We moved to W230.\nHi to everyone who asked!")

    assert 'name="draft"' in response.content.decode()


def test_compose_form_says_the_greeting_comes_with_the_email(client, signed_in_staff, full_session):
    response = client.post(SESSIONS, {"action": "announce", "_selected_action": [full_session.pk]})

    assert "Each email already begins “Dear …,” with the person's own name" in (
        response.content.decode()
    )


def test_sent_announcement_greets_each_person_once_by_name(
    client, signed_in_staff, full_session, mailbox
):
    preview = compose(client, full_session, body="We moved to W230.")
    step(client, full_session, preview, "send")

    notifications_dispatch_due()

    [delivered] = mailbox.messages
    text = text_of(delivered)
    assert text.startswith("Dear Ana Lopez,\r\n\r\nWe moved to W230.")
    assert text.count("Dear") == 1


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_recipient_count_subject_and_text_and_sends_nothing(
    client, signed_in_staff, full_session
):
    response = compose(client, full_session, include_confirmed="on", include_waitlisted="on")

    page = response.content.decode()
    assert "It goes to 2 people" in page
    assert "“Giving a scientific talk”" in page
    assert "The email as Ana Lopez (ana@example.org) gets it" in page
    assert "<dd>[Trainee Career Events] Room change</dd>" not in page  # no prefix on announcements
    assert "<dd>Room change</dd>" in page
    assert "Dear Ana Lopez,\n\nWe moved to W230.\nSee you there!" in page
    assert "Send to 2 people" in page
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()


def test_preview_frame_shows_the_html_email_for_that_recipient(
    client, signed_in_staff, full_session
):
    preview = compose(client, full_session)
    frame = FRAME.search(preview.content.decode()).group(1)

    response = client.get(frame)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>Dear Ana Lopez,</p>" in html
    assert "We moved to W230.<br>See you there!" in html
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_frame_of_another_staff_members_draft_is_not_found(
    client, signed_in_staff, full_session
):
    preview = compose(client, full_session)
    frame = FRAME.search(preview.content.decode()).group(1)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(frame)

    assert response.status_code == 404


def test_preview_with_nobody_to_send_to_offers_no_send_button(
    client, signed_in_staff, full_session
):
    full_session.registrations.all().delete()

    response = compose(client, full_session)

    page = response.content.decode()
    assert "Nobody would get it" in page
    assert "Send to" not in page
    assert "The email, shown with your name" in page
    assert "Dear Sam Staff," in page


def test_edit_returns_to_the_form_with_the_message(client, signed_in_staff, full_session):
    preview = compose(client, full_session, subject="Room change", body="We moved to W230.")

    response = step(client, full_session, preview, "edit")

    page = response.content.decode()
    assert 'value="Room change"' in page
    assert "We moved to W230.</textarea>" in page
    assert not Notification.objects.exists()


# --- a test to oneself -----------------------------------------------------------------------


def test_send_me_a_test_reaches_only_the_staff_member_marked_as_a_test(
    client, signed_in_staff, full_session, mailbox
):
    preview = compose(client, full_session, body="We moved to W230.")

    response = step(client, full_session, preview, "test")
    notifications_dispatch_due()

    assert "A test copy is on its way to sam@example.org" in response.content.decode()
    [delivered] = mailbox.messages
    assert delivered["to"] == ["sam@example.org"]
    assert delivered["message"]["Subject"] == "[Test] Room change"
    assert text_of(delivered).startswith("Dear Sam Staff,\r\n\r\n[Test: only you got this copy.")
    assert not Announcement.objects.exists()


def test_after_a_test_the_preview_still_offers_the_send(client, signed_in_staff, full_session):
    preview = compose(client, full_session)

    response = step(client, full_session, preview, "test")

    assert "Send to 1 person" in response.content.decode()


# --- the send confirms the preview -----------------------------------------------------------


def test_send_from_the_preview_queues_one_email_per_recipient(
    client, signed_in_staff, full_session, mailbox
):
    preview = compose(client, full_session, include_confirmed="on", include_waitlisted="on")

    response = step(client, full_session, preview, "send")
    notifications_dispatch_due()

    assert "Announcement queued for 2 people." in response.content.decode()
    assert Announcement.objects.get().recipient_count == 2
    assert sorted(m["to"][0] for m in mailbox.messages) == ["ana@example.org", "ben@example.org"]


def test_sending_the_same_preview_twice_sends_once(client, signed_in_staff, full_session):
    preview = compose(client, full_session)
    step(client, full_session, preview, "send")

    again = step(client, full_session, preview, "send")

    assert "no longer waiting to be sent" in again.content.decode()
    assert Announcement.objects.count() == 1
    assert Notification.objects.filter(kind="announcement").count() == 1


def test_sent_announcement_is_a_line_in_the_session_history(client, signed_in_staff, full_session):
    preview = compose(client, full_session)
    step(client, full_session, preview, "send")

    [entry] = LogEntry.objects.filter(object_id=str(full_session.pk), content_type__model="session")
    assert entry.get_change_message() == "Announcement “Room change” queued for 1 person."
    assert entry.user_id == signed_in_staff.pk
