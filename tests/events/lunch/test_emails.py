"""Lunch emails say what the person holds, rotation by rotation, with times in the event's
zone: never "confirmed" for a waitlist place or a walk-in, one email for a quick series of
picks, and the promotion and reminder emails list every table. Actions go through the real
views; the mail through the outbox dispatcher to a real SMTP server on loopback."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from events.lunch.services import table_seat_take
from events.models import Session
from notifications.services import notifications_dispatch_due
from tests.events.lunch.conftest import cell
from tests.factories import UserFactory
from tests.smtp import header

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]


@pytest.fixture
def start(lunch):
    """Ten days before the lunch, when people pick their tables."""
    with time_machine.travel(lunch.starts_at - dt.timedelta(days=10), tick=False) as traveller:
        yield traveller


def url(name: str, lunch: Session, **kwargs) -> str:
    return reverse(f"events:{name}", kwargs={"slug": lunch.event.slug, "pk": lunch.pk, **kwargs})


def post_take(client, lunch, table: int, rotation: int, *, waitlist: bool = False):
    rot, tab = cell(lunch, table, rotation)
    data = {"waitlist": "1"} if waitlist else {}
    return client.post(url("lunch_take", lunch, table_id=tab.pk, rotation_id=rot.pk), data)


def post_change(client, lunch, table: int, rotation: int):
    rot, tab = cell(lunch, table, rotation)
    return client.post(url("lunch_change", lunch, table_id=tab.pk, rotation_id=rot.pk))


def post_drop(client, lunch, rotation: int):
    rot = lunch.lunch_rotations.get(number=rotation)
    return client.post(url("lunch_drop", lunch, rotation_id=rot.pk))


def fill(lunch, table: int, rotation: int) -> None:
    rot, tab = cell(lunch, table, rotation)
    for _ in range(tab.seats):
        table_seat_take(session=lunch, rotation=rot, table=tab, user=UserFactory())


def deliver_later(start, minutes: int = 3) -> None:
    """Moves the clock on (past the few minutes quick changes are gathered in) and runs the
    dispatcher, as beat would."""
    start.shift(dt.timedelta(minutes=minutes))
    notifications_dispatch_due()


def plain(text: str) -> str:
    return text.replace("\r\n", "\n")


def mail_to(mailbox, user) -> list[dict]:
    found = []
    for delivered in mailbox.messages:
        if delivered["to"] != [user.email]:
            continue
        message = delivered["message"]
        found.append(
            {
                "subject": header(message, "Subject"),
                "text": plain(message.get_body(preferencelist=("plain",)).get_content()),
                "html": plain(message.get_body(preferencelist=("html",)).get_content()),
            }
        )
    return found


@pytest.fixture
def signed_in_trainee(client, trainee, start):
    client.force_login(trainee)  # on the travelled clock, so the session is still valid
    return trainee


def test_a_waitlist_place_as_first_pick_is_never_called_a_confirmed_seat(
    client, lunch, signed_in_trainee, start, mailbox
):
    fill(lunch, table=3, rotation=1)
    post_take(client, lunch, table=3, rotation=1, waitlist=True)

    deliver_later(start)

    (mail,) = mail_to(mailbox, signed_in_trainee)
    assert mail["subject"] == f"On your agenda: {lunch.title}"
    assert "Rotation 1, 12:00–12:20 EST: waitlisted #1 at Table 3 — Industry" in mail["text"]
    assert "Rotation 1, 12:00–12:20 EST: waitlisted #1 at Table 3 — Industry" in mail["html"]
    assert "confirmed" not in mail["text"].lower()
    assert "confirmed" not in mail["html"].lower()


def test_walking_in_says_no_table_is_picked_and_nothing_is_confirmed(
    client, lunch, signed_in_trainee, start, mailbox
):
    client.post(url("lunch_join", lunch))

    deliver_later(start)

    (mail,) = mail_to(mailbox, signed_in_trainee)
    assert "You have not picked a table: walk in and sit where there is room." in mail["text"]
    assert "confirmed" not in mail["text"].lower()
    assert "confirmed" not in mail["html"].lower()


def test_the_first_pick_email_names_the_table_and_rotation_with_the_zone(
    client, lunch, signed_in_trainee, start, mailbox
):
    post_take(client, lunch, table=3, rotation=2)

    deliver_later(start)

    (mail,) = mail_to(mailbox, signed_in_trainee)
    assert "Rotation 2, 12:20–12:40 EST: Table 3 — Industry (seat confirmed)" in mail["text"]
    assert "Rotation 1, 12:00–12:20 EST: no table picked (walk in)" in mail["text"]
    assert "Rotation 2, 12:20–12:40 EST: Table 3 — Industry (seat confirmed)" in mail["html"]


def test_the_first_email_carries_the_calendar_file_with_the_tables(
    client, lunch, signed_in_trainee, start, mailbox
):
    post_take(client, lunch, table=3, rotation=2)

    deliver_later(start)

    (delivered,) = mailbox.messages
    (attachment,) = list(delivered["message"].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    ics = attachment.get_content()
    assert "Table 3 — Industry (seat confirmed)" in ics.replace("\r\n ", "")


def test_picks_made_in_quick_succession_make_one_email_listing_every_table(
    client, lunch, signed_in_trainee, start, mailbox
):
    fill(lunch, table=4, rotation=3)
    post_take(client, lunch, table=3, rotation=1)
    start.shift(dt.timedelta(seconds=30))
    post_take(client, lunch, table=1, rotation=2)
    start.shift(dt.timedelta(seconds=30))
    post_take(client, lunch, table=4, rotation=3, waitlist=True)

    deliver_later(start)

    (mail,) = mail_to(mailbox, signed_in_trainee)
    assert (
        "Rotation 1, 12:00–12:20 EST: Table 3 — Industry (seat confirmed)\n"
        "  Rotation 2, 12:20–12:40 EST: Table 1 — Clinical hematology — malignant"
        " (seat confirmed)\n"
        "  Rotation 3, 12:40–13:00 EST: waitlisted #1 at Table 4 — Government"
    ) in mail["text"]


def test_a_later_change_sends_one_email_with_what_the_person_holds_now(
    client, lunch, signed_in_trainee, start, mailbox
):
    post_take(client, lunch, table=3, rotation=1)
    deliver_later(start)

    post_change(client, lunch, table=4, rotation=1)
    deliver_later(start)

    _, changed = mail_to(mailbox, signed_in_trainee)
    assert changed["subject"] == f"Your tables changed: {lunch.title}"
    assert "Rotation 1, 12:00–12:20 EST: Table 4 — Government (seat confirmed)" in changed["text"]
    assert "Table 3" not in changed["text"]


def test_dropping_a_pick_sends_one_email_saying_walk_in_for_that_rotation(
    client, lunch, signed_in_trainee, start, mailbox
):
    post_take(client, lunch, table=3, rotation=1)
    deliver_later(start)

    post_drop(client, lunch, rotation=1)
    deliver_later(start)

    _, changed = mail_to(mailbox, signed_in_trainee)
    assert "You have not picked a table: walk in and sit where there is room." in changed["text"]
    assert "Table 3" not in changed["text"]


def test_the_promotion_email_lists_every_table_the_person_holds(
    client, lunch, signed_in_trainee, start, mailbox
):
    fill(lunch, table=3, rotation=1)
    post_take(client, lunch, table=3, rotation=1, waitlist=True)
    post_take(client, lunch, table=4, rotation=2)
    deliver_later(start)
    seated = lunch.lunch_tables.get(number=3).table_seats.filter(status="confirmed").first()
    other = Client()
    other.force_login(seated.user)

    post_drop(other, lunch, rotation=1)
    notifications_dispatch_due()

    promoted = mail_to(mailbox, signed_in_trainee)[-1]
    assert promoted["subject"] == (
        "A seat opened at your lunch table: Table 3 (Industry), rotation 1"
    )
    assert "Rotation 1, 12:00–12:20 EST: Table 3 — Industry (seat confirmed)" in promoted["text"]
    assert (
        "Rotation 2, 12:20–12:40 EST: Table 4 — Government (seat confirmed)" in (promoted["text"])
    )
    assert (
        "Rotation 2, 12:20–12:40 EST: Table 4 — Government (seat confirmed)" in (promoted["html"])
    )


def test_the_reminder_names_the_tables_with_the_zone_and_the_waitlist_place(
    client, lunch, signed_in_trainee, start, mailbox
):
    fill(lunch, table=4, rotation=3)
    post_take(client, lunch, table=3, rotation=1)
    post_take(client, lunch, table=4, rotation=3, waitlist=True)

    start.move_to(lunch.starts_at - dt.timedelta(hours=1))
    notifications_dispatch_due()

    reminder = next(
        m for m in mail_to(mailbox, signed_in_trainee) if m["subject"].startswith("Reminder")
    )
    assert "Rotation 1, 12:00–12:20 EST: Table 3 — Industry (seat confirmed)" in reminder["text"]
    assert (
        "Rotation 3, 12:40–13:00 EST: waitlisted #1 at Table 4 — Government" in (reminder["text"])
    )


def test_leaving_the_lunch_before_the_email_goes_out_sends_no_lunch_email(
    client, lunch, signed_in_trainee, start, mailbox
):
    post_take(client, lunch, table=3, rotation=1)
    client.post(url("session_cancel", lunch))

    deliver_later(start)

    lunch_subjects = {
        f"On your agenda: {lunch.title}",
        f"Your tables changed: {lunch.title}",
        f"You're registered: {lunch.title}",
    }
    assert not [m for m in mail_to(mailbox, signed_in_trainee) if m["subject"] in lunch_subjects]
