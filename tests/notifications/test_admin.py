"""Staff: the outbox in admin (filters, errors, resend) and announcements composed in admin."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from events.models import Registration
from events.services import registration_create
from notifications.models import Announcement, Notification
from notifications.services import notification_enqueue, notifications_dispatch_due
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 12, 6, 15, 0, tzinfo=dt.UTC)
OUTBOX = "/admin/notifications/notification/"


def draft_of(preview) -> str:
    """The key of the composed announcement on its preview page (sent by its Send button)."""
    return re.search(r'name="draft" value="([^"]+)"', preview.content.decode()).group(1)


def row(key, *, status="pending", error="", user=None):
    notification = notification_enqueue(
        user=user or UserFactory(), kind="registration_confirmed", key=key, context={}
    )
    Notification.objects.filter(pk=notification.pk).update(status=status, last_error=error)
    return Notification.objects.get(pk=notification.pk)


def test_outbox_filters_by_status_and_shows_the_error(staff_client):
    row("a", status="failed", error="SMTPRecipientsRefused: 550 mailbox unavailable")
    row("b", status="sent")

    failed = staff_client.get(OUTBOX, {"status__exact": "failed"}).content.decode()
    sent = staff_client.get(OUTBOX, {"status__exact": "sent"}).content.decode()

    assert "550 mailbox unavailable" in failed
    assert "550 mailbox unavailable" not in sent
    assert "Resend" in failed


def test_resend_action_retries_failed_copies_sent_and_skips_pending(staff_client, scheduled):
    failed = row("failed", status="failed", error="550")
    sent = row("sent", status="sent")
    pending = row("pending")

    response = staff_client.post(
        OUTBOX,
        {"action": "resend", "_selected_action": [failed.pk, sent.pk, pending.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "2 queued for delivery" in page
    assert "1 skipped" in page
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == ("pending", "")
    assert Notification.objects.get(pk=sent.pk).status == "sent"
    assert Notification.objects.filter(key=f"resend:{sent.pk}:1", status="pending").exists()


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ({"include_confirmed": "on"}, ["confirmed"]),
        ({"include_waitlisted": "on"}, ["waitlisted"]),
        ({"include_confirmed": "on", "include_waitlisted": "on"}, ["confirmed", "waitlisted"]),
    ],
    ids=["seated", "waitlist", "both"],
)
def test_announcement_to_a_sessions_registrants_goes_through_the_outbox(
    staff_client,
    make_session,
    mailbox,
    include,
    expected,
    scheduled,
    django_capture_on_commit_callbacks,
):
    session = make_session(starts_at=START, capacity=1)
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        people = {status: UserFactory() for status in ("confirmed", "waitlisted")}
        for person in people.values():
            registration_create(session=session, user=person)
    Notification.objects.all().delete()
    selected = {"action": "announce", "_selected_action": [session.pk]}

    form = staff_client.post("/admin/events/session/", selected)
    preview = staff_client.post(
        "/admin/events/session/",
        {
            **selected,
            "apply": "1",
            "subject": "Room change",
            "body": "We moved to W230.\nSee you!",
            **include,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/events/session/",
            {**selected, "draft": draft_of(preview), "step": "send"},
            follow=True,
        )

    assert 'name="subject"' in form.content.decode()
    queued = "1 person" if len(expected) == 1 else f"{len(expected)} people"
    assert f"Announcement queued for {queued}" in response.content.decode()
    announcement = Announcement.objects.get()
    rows = Notification.objects.filter(kind="announcement").order_by("pk")
    assert [r.key for r in rows] == [
        f"announcement:{announcement.pk}:{people[s].pk}" for s in expected
    ]
    assert scheduled["dispatches"] == [1]
    notifications_dispatch_due()
    assert sorted(m["to"][0] for m in mailbox.messages) == sorted(people[s].email for s in expected)
    html = mailbox.messages[0]["message"].get_body(preferencelist=("html",)).get_content()
    assert "We moved to W230.<br>See you!" in html
    assert session.title in html
    assert Registration.objects.count() == 2


def test_announcement_needs_someone_to_send_to(staff_client, make_session):
    session = make_session(starts_at=START)

    response = staff_client.post(
        "/admin/events/session/",
        {
            "action": "announce",
            "_selected_action": [session.pk],
            "apply": "1",
            "subject": "Hi",
            "body": "x",
        },
    )

    assert "Choose who gets it" in response.content.decode()
    assert not Announcement.objects.exists()


def test_announcements_list_shows_delivery_counts(staff_client, make_session, mailbox):
    session = make_session(starts_at=timezone.now() + dt.timedelta(days=3))
    registration_create(session=session, user=UserFactory())
    selected = {"action": "announce", "_selected_action": [session.pk]}
    preview = staff_client.post(
        "/admin/events/session/",
        {**selected, "apply": "1", "subject": "Hi", "body": "x", "include_confirmed": "on"},
    )
    staff_client.post(
        "/admin/events/session/", {**selected, "draft": draft_of(preview), "step": "send"}
    )
    notifications_dispatch_due()

    page = staff_client.get("/admin/notifications/announcement/").content.decode()

    assert "1 sent" in page
