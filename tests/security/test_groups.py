"""The staff groups made by the migration, one per job: each opens its job's staff pages and
runs its job's admin actions, and gets a 403 (nothing changed) everywhere else. Audit rows
name who did it."""

import importlib

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from events.models import Session
from notifications.models import Notification
from tests.events.lunch.conftest import lunch_make
from tests.factories import SessionFactory, UserFactory
from tests.mentorship.conftest import make_slot, offer_for, signup_for, speed_session

pytestmark = pytest.mark.django_db

GROUPS = [
    "Program editor", "Lunch coordinator", "Blood Buddies coordinator", "Communications",
    "Door staff",
]  # fmt: skip
_DOOR = importlib.import_module("accounts.migrations.0007_door_staff_group")
STAFF_GROUPS = {
    **importlib.import_module("accounts.migrations.0006_staff_groups").GROUPS,
    _DOOR.GROUP: _DOOR.PERMISSIONS,
}


@pytest.fixture(autouse=True)
def staff_groups():
    """The groups as the migration made them. A transactional test that ran earlier on the
    same worker empties every table (permissions come back, data migrations' rows do not),
    so they are made again from the migration's own list when missing."""
    assert set(STAFF_GROUPS) == set(GROUPS)
    for name, wanted in STAFF_GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            for label in wanted:
                app_label, codename = label.split(".")
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )


def member(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def lunch_overview(world):
    return "GET", reverse("events:lunch_overview",
                          kwargs={"slug": world["lunch"].event.slug, "pk": world["lunch"].pk}), {}  # fmt: skip


def slot_review(world):
    return "GET", reverse("mentorship:review", kwargs={"session_id": world["speed"].pk}), {}


def feedback(world):
    return "GET", reverse("mentorship:feedback_summary"), {}


def mentor_approvals(world):
    return "GET", reverse("admin:accounts_mentorapproval_changelist"), {}


def publish_sessions(world):
    return "POST", reverse("admin:events_session_changelist"), {
        "action": "sessions_publish_action", "_selected_action": [world["draft"].pk], "apply": "1"}  # fmt: skip


def import_program(world):
    return "POST", reverse("admin:events_event_changelist"), {
        "action": "agenda_import_action", "_selected_action": [world["draft"].event_id]}  # fmt: skip


def checkin(world):
    return "GET", reverse("staff:checkin", kwargs={"session_id": world["draft"].pk}), {}


def walk_in(world):
    return "POST", reverse("staff:checkin_walk_in", kwargs={"session_id": world["draft"].pk}), {
        "user": world["sent"].user_id}  # fmt: skip


def resend(world):
    return "POST", reverse("admin:notifications_notification_changelist"), {
        "action": "resend", "_selected_action": [world["sent"].pk]}  # fmt: skip


# Which group may (200, or a redirect after the action ran); the others get 403.
MATRIX = {
    lunch_overview: {"Lunch coordinator"},
    slot_review: {"Blood Buddies coordinator", "Program editor"},
    feedback: {"Blood Buddies coordinator"},
    mentor_approvals: {"Blood Buddies coordinator"},
    publish_sessions: {"Program editor"},
    import_program: {"Program editor"},
    resend: {"Communications"},
    checkin: {"Door staff"},
    walk_in: {"Door staff"},
}


@pytest.fixture
def world():
    event = SessionFactory().event
    draft = SessionFactory(event=event, title="Draft", is_published=False)
    lunch = lunch_make(event=event, title="Lunch", tables=1, rotations=1)
    speed = speed_session(event, title="Blood Buddies")
    slot = make_slot(speed)
    offer_for(slot)
    signup_for(slot)
    sent = Notification.objects.create(
        user=UserFactory(), kind="announcement", key="a:1", context={},
        status=Notification.Status.FAILED,
    )  # fmt: skip
    return {"draft": draft, "lunch": lunch, "speed": speed, "sent": sent}


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("page", list(MATRIX), ids=[f.__name__ for f in MATRIX])
def test_each_group_may_do_its_job_and_nothing_else(client, world, group, page):
    client.force_login(member(group))
    method, url, data = page(world)
    before = (Session.objects.filter(is_published=True).count(), Notification.objects.count())

    response = client.get(url) if method == "GET" else client.post(url, data)

    if group in MATRIX[page]:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        after = (Session.objects.filter(is_published=True).count(), Notification.objects.count())
        assert after == before


def test_group_actions_leave_an_audit_row_naming_the_person(client, world):
    editor, comms = member("Program editor"), member("Communications")
    client.force_login(editor)
    client.post(*publish_sessions(world)[1:])
    client.force_login(comms)
    client.post(*resend(world)[1:])

    rows = {(e.user_id, e.object_id, e.get_change_message()) for e in LogEntry.objects.all()}
    assert (editor.pk, str(world["draft"].pk), "Published.") in rows
    assert (comms.pk, str(world["sent"].pk), "Resent.") in rows
