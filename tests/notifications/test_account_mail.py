"""allauth's mail goes through the outbox: recorded, sent at once, retried when SMTP is down."""

import pytest

from accounts.models import User
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.conftest import free_port
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plasma-cell-lantern-42"


def signup(client, email="ada@example.org"):
    return client.post(
        "/accounts/signup/",
        {
            "name": "Ada Okafor",
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def test_verification_mail_is_an_outbox_row_sent_at_once(client, mailbox):
    signup(client)

    row = Notification.objects.get()
    assert (row.kind, row.status) == ("raw", "sent")
    assert row.user == User.objects.get(email="ada@example.org")
    assert mailbox.count() == 1
    body = mailbox.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "/accounts/confirm-email/" in body


def test_mail_to_an_address_without_account_is_recorded_with_that_address(client, mailbox):
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    row = Notification.objects.get()
    assert (row.user, row.to_email, row.status) == (None, "nobody@example.org", "sent")
    assert mailbox.messages[0]["to"] == ["nobody@example.org"]


def test_signup_while_the_mail_server_is_down_succeeds_and_the_mail_follows(
    client, mailbox, settings
):
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2

    response = signup(client)

    assert response.status_code == 302
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    settings.EMAIL_PORT = mailbox.port
    Notification.objects.filter(pk=row.pk).update(due_at=row.created_at)  # backoff elapsed
    assert notifications_dispatch_due()["sent"] == 1
    assert mailbox.messages[0]["to"] == ["ada@example.org"]


def test_taken_address_owner_is_told_through_the_outbox(client, mailbox):
    owner = UserFactory(email="person@example.org")

    signup(client, email="person@example.org")

    row = Notification.objects.get()
    assert (row.user, row.status) == (owner, "sent")
    body = mailbox.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "already exists" in body
