"""Admin's own pages and actions ask for the permission of their job, like the site's staff
pages: reading a roster is viewing registrations, running a matching or resending an email
changes rows. A staff account that may only look is never offered, and never granted, an
action that changes anything."""

import pytest
from django.urls import reverse

from mentorship.models import Meeting
from notifications.models import Notification
from tests.events.lunch.conftest import lunch_make
from tests.factories import SessionFactory, UserFactory, staff_with
from tests.mentorship.conftest import make_slot, offer_for, signup_for, speed_session

pytestmark = pytest.mark.django_db


def roster_url(session) -> str:
    return reverse("admin:events_session_roster", args=[session.pk])


@pytest.mark.parametrize(
    ("permissions", "status"),
    [
        ((), 403),
        (("events.view_session",), 403),
        (("events.view_registration",), 403),
        (("events.view_session", "events.view_registration"), 200),
    ],
    ids=["none", "session-only", "registration-only", "both"],
)
def test_admin_roster_csv_needs_both_the_session_and_its_registrations(client, permissions, status):
    session = SessionFactory()
    client.force_login(staff_with(*permissions))

    response = client.get(roster_url(session))

    assert response.status_code == status


def test_admin_sessions_list_shows_the_roster_column_only_to_registration_readers(client):
    SessionFactory(title="Grant writing")
    changelist = reverse("admin:events_session_changelist")

    client.force_login(staff_with("events.view_session"))
    without = client.get(changelist).content.decode()
    client.force_login(staff_with("events.view_session", "events.view_registration"))
    with_it = client.get(changelist).content.decode()

    assert "roster.csv" not in without
    assert "roster.csv" in with_it


def _slot_with_people():
    slot = make_slot(speed_session(SessionFactory().event))
    offer_for(slot)
    signup_for(slot)
    return slot


def _run_matching(client, slot):
    return client.post(
        reverse("admin:mentorship_speedmentoringslot_changelist"),
        {"action": "run_matching", "_selected_action": [slot.pk]},
    )


def test_admin_matching_action_is_not_offered_to_staff_who_may_only_view_slots(client):
    slot = _slot_with_people()
    client.force_login(staff_with("mentorship.view_speedmentoringslot"))

    page = client.get(reverse("admin:mentorship_speedmentoringslot_changelist")).content.decode()
    _run_matching(client, slot)

    assert 'value="run_matching"' not in page
    assert Meeting.objects.count() == 0


def test_admin_matching_action_runs_for_staff_who_may_change_slots(client):
    slot = _slot_with_people()
    client.force_login(
        staff_with("mentorship.view_speedmentoringslot", "mentorship.change_speedmentoringslot")
    )

    _run_matching(client, slot)

    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    ("permissions", "resent"),
    [
        (("notifications.view_notification",), False),
        (("notifications.view_notification", "notifications.change_notification"), True),
    ],
    ids=["view-only", "change"],
)
def test_admin_resend_needs_the_change_permission(
    client, scheduled_deliveries, permissions, resent
):
    failed = Notification.objects.create(
        user=UserFactory(), kind="registration_confirmed", key="k1", status="failed"
    )
    client.force_login(staff_with(*permissions))

    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend", "_selected_action": [failed.pk]},
    )

    failed.refresh_from_db()
    assert failed.status == ("pending" if resent else "failed")


@pytest.mark.parametrize(
    ("permissions", "people", "roster"),
    [
        (("events.view_lunchtable",), False, False),
        (("events.view_lunchtable", "events.view_tableseat"), True, False),
        (("events.view_lunchtable", "events.view_catering_needs"), False, True),
    ],
    ids=["table-only", "seats", "catering"],
)
def test_admin_lunch_tables_link_each_list_only_for_those_who_may_open_it(
    client, permissions, people, roster
):
    lunch_make(tables=1, rotations=1)
    client.force_login(staff_with(*permissions))

    page = client.get(reverse("admin:events_lunchtable_changelist")).content.decode()

    assert ("/guests/" in page) is people
    assert ("/roster.csv" in page) is roster
