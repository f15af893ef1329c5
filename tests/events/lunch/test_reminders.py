"""Reminders of the lunch list the person's tables as they are when the reminder goes out."""

import datetime as dt

import pytest
import time_machine

from events.lunch.services import lunch_join, table_seat_take
from notifications.services import notifications_dispatch_due
from tests.events.lunch.conftest import cell

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def reminder_texts(mailoutbox) -> list[str]:
    return [m.body for m in mailoutbox if m.subject.startswith("Reminder")]


def test_lunch_reminder_lists_the_tables_picked_after_joining(lunch, trainee, mailoutbox):
    with time_machine.travel(lunch.starts_at - dt.timedelta(days=10), tick=False):
        lunch_join(session=lunch, user=trainee)
        rotation, table = cell(lunch, table=3, rotation=2)
        table_seat_take(session=lunch, rotation=rotation, table=table, user=trainee)

    with time_machine.travel(lunch.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    (text,) = reminder_texts(mailoutbox)
    assert "Your tables:" in text
    assert f"Rotation 2, 12:20–12:40 EST: Table 3 — {table.career_path.name} (seat confirmed)" in (
        text
    )


def test_lunch_reminder_of_a_walk_in_says_no_table_was_picked(lunch, trainee, mailoutbox):
    with time_machine.travel(lunch.starts_at - dt.timedelta(days=10), tick=False):
        lunch_join(session=lunch, user=trainee)

    with time_machine.travel(lunch.starts_at - dt.timedelta(hours=1), tick=False):
        notifications_dispatch_due()

    (text,) = reminder_texts(mailoutbox)
    assert "Your tables: none picked; walk in and sit where there is room." in text
