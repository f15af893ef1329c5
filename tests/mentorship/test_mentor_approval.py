"""Mentor approval: a person who ticks "I volunteer as a mentor" waits for a coordinator. Their
Blood Buddies offers are held (no matching, not shown to trainees), they read no trainee's
details, and a coordinator with the approve_mentor permission decides once, in admin, with a
note; approval emails the mentor once."""

import html
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import CareerPath, CareerStage, MentorApproval
from accounts.services import mentor_approval_decide
from events.lunch.services import table_seat_take
from events.models import TableHost
from mentorship.models import Meeting, MentorOffer
from mentorship.services import schedule_draft, schedule_publish
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import UserFactory, approve_mentor

from .conftest import make_mentor, make_trainee, offer_for, signup_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

PENDING = MentorApproval.Status.PENDING
APPROVED = MentorApproval.Status.APPROVED
DECLINED = MentorApproval.Status.DECLINED
WAITING = "Your mentor offer is waiting for a coordinator's approval."
CHANGELIST = "/admin/accounts/mentorapproval/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def slot_url(slot, name: str = "slot_detail") -> str:
    return reverse(f"mentorship:{name}", kwargs={"session_id": slot.session_id})


def coordinator(*, may_approve: bool = True):
    """Staff who can open the list in admin; only `may_approve` gives the permission."""
    user = UserFactory(is_staff=True)
    codenames = ["view_mentorapproval"] + (["approve_mentor"] if may_approve else [])
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
    )
    return user


# --- becoming a mentor ------------------------------------------------------------------------


def test_ticking_mentor_in_the_profile_makes_the_offer_pending_and_says_so():
    person = UserFactory()
    client = logged_in(person)

    client.post(
        reverse("accounts:profile"),
        {
            "name": "Dr. New Mentor",
            "career_stage": CareerStage.SENIOR,
            "is_mentor": "on",
            "mentor_bio": "Twenty years of clinic.",
            "expertise": [CareerPath.objects.get(slug="industry").pk],
        },
    )
    page = text(client.get(reverse("accounts:profile")))

    assert MentorApproval.objects.get(user=person).status == PENDING
    assert WAITING in page


def test_a_pending_mentor_offers_a_table_that_is_held_and_hidden_from_trainees(slot):
    mentor = make_mentor("Dr. Waiting", approved=False)
    approved = make_mentor("Dr. Approved")
    offer_for(slot, approved)

    response = logged_in(mentor).post(slot_url(slot, "mentor_signup"), {"capacity": 2}, follow=True)
    trainee_view = text(Client().get(slot_url(slot)))

    assert MentorOffer.objects.get(mentor=mentor).status == MentorOffer.Status.ACTIVE
    assert WAITING in text(response)
    assert "Your offer for this slot (2 trainees at once) is held" in text(response)
    assert "Dr. Approved" in trainee_view
    assert "Dr. Waiting" not in trainee_view


def test_a_trainee_cannot_rank_a_pending_mentor(slot):
    held = offer_for(slot, make_mentor("Dr. Waiting", approved=False))

    with pytest.raises(ValidationError) as refused:
        signup_for(slot, preferred=[held])

    assert refused.value.code == "not_in_slot"


def test_the_matching_leaves_pending_mentors_out(slot):
    approved = offer_for(slot, make_mentor("Dr. Approved"))
    offer_for(slot, make_mentor("Dr. Waiting", approved=False))
    for _ in range(2):
        signup_for(slot)

    result = schedule_draft(slot=slot)

    assert result.mentors == 1
    assert set(Meeting.objects.values_list("offer_id", flat=True)) == {approved.pk}


def test_a_pending_mentor_is_not_emailed_about_a_published_schedule(slot):
    offer_for(slot, make_mentor("Dr. Approved"))
    held = offer_for(slot, make_mentor("Dr. Waiting", approved=False))
    signup_for(slot)
    schedule_draft(slot=slot)

    schedule_publish(slot=slot)

    assert not Notification.objects.filter(user=held.mentor).exists()


def test_a_pending_lunch_host_cannot_read_the_guest_list_until_approved(event):
    lunch = lunch_make(event=event)
    host = make_mentor("Dr. Host", approved=False)
    TableHost.objects.filter(table__session=lunch, table__number=1).update(user=host)
    guest = make_trainee("Ada Guest", institution="Harbor College")
    rotation, table = cell(lunch, 1, 1)
    table_seat_take(session=lunch, rotation=rotation, table=table, user=guest)
    guests = reverse(
        "events:lunch_table_guests",
        kwargs={"slug": event.slug, "pk": lunch.pk, "table_id": table.pk},
    )
    client = logged_in(host)

    before = client.get(guests)
    agenda = text(client.get(reverse("events:my_agenda")))
    approve_mentor(host)
    after = client.get(guests)

    assert before.status_code == 404
    assert "Lunch tables you host" in agenda
    assert "guest lists open once you are approved" in agenda
    assert "Who is coming" not in agenda
    assert after.status_code == 200
    assert "Ada Guest" in text(after)


def test_a_declined_person_cannot_offer_a_table(slot):
    mentor = make_mentor("Dr. Declined", approved=False)
    mentor_approval_decide(
        approval=_pending(mentor),
        approve=False,
        note="Not a hematologist.",
        decided_by=None,
    )

    response = logged_in(mentor).post(slot_url(slot, "mentor_signup"), {"capacity": 1}, follow=True)

    assert not MentorOffer.objects.filter(mentor=mentor).exists()
    assert "A coordinator did not approve your mentor offer" in text(response)


# --- the coordinator's decision in admin --------------------------------------------------------


def _pending(mentor) -> MentorApproval:
    approval, _ = MentorApproval.objects.get_or_create(user=mentor)
    return approval


def test_approval_asks_for_a_note_on_a_confirmation_page_then_approves_and_emails_once(
    slot, mailbox
):
    mentor = make_mentor("Dr. Waiting", approved=False, email="waiting@example.org")
    held = offer_for(slot, mentor)
    approval = _pending(mentor)
    boss = coordinator()
    client = logged_in(boss)
    chosen = {"action": "approve_mentors", ACTION_CHECKBOX_NAME: [approval.pk]}

    confirm = client.post(CHANGELIST, chosen)
    unchanged = MentorApproval.objects.get(pk=approval.pk).status
    empty_note = client.post(CHANGELIST, {**chosen, "apply": "1", "note": ""})
    client.post(CHANGELIST, {**chosen, "apply": "1", "note": "Welcome aboard."})
    again = client.post(CHANGELIST, {**chosen, "apply": "1", "note": "Twice?"}, follow=True)
    notifications_dispatch_due()

    approval.refresh_from_db()
    assert confirm.status_code == 200
    assert "Dr. Waiting <waiting@example.org>" in text(confirm)
    assert 'name="note"' in confirm.content.decode()
    assert unchanged == PENDING
    assert empty_note.status_code == 200 and "This field is required." in text(empty_note)
    assert (approval.status, approval.note, approval.decided_by) == (
        APPROVED,
        "Welcome aboard.",
        boss,
    )
    assert approval.decided_at is not None
    assert "Nothing to do" in text(again)
    (mail,) = [m for m in mailbox.messages if m["to"] == ["waiting@example.org"]]
    body = mail["message"].get_body(preferencelist=("plain",)).get_content()
    assert mail["message"]["Subject"] == "You are approved as a mentor"
    assert "Welcome aboard." in body
    assert held.pk in list(
        MentorOffer.objects.filter(mentor__mentor_approval__status=APPROVED).values_list(
            "pk", flat=True
        )
    )


def test_staff_without_the_permission_cannot_approve(slot):
    mentor = make_mentor("Dr. Waiting", approved=False)
    approval = _pending(mentor)
    client = logged_in(coordinator(may_approve=False))

    listing = client.get(CHANGELIST)
    client.post(
        CHANGELIST,
        {
            "action": "approve_mentors",
            ACTION_CHECKBOX_NAME: [approval.pk],
            "apply": "1",
            "note": "x",
        },
    )

    assert listing.status_code == 200
    assert "approve_mentors" not in listing.content.decode()
    assert MentorApproval.objects.get(pk=approval.pk).status == PENDING
    assert not Notification.objects.filter(kind="mentor_approved").exists()


def test_declining_releases_the_held_tables_and_sends_no_email(slot):
    mentor = make_mentor("Dr. Waiting", approved=False)
    held = offer_for(slot, mentor)
    approval = _pending(mentor)
    client = logged_in(coordinator())

    client.post(
        CHANGELIST,
        {
            "action": "decline_mentors",
            ACTION_CHECKBOX_NAME: [approval.pk],
            "apply": "1",
            "note": "Not a hematologist.",
        },
    )

    held.refresh_from_db()
    assert MentorApproval.objects.get(pk=approval.pk).status == DECLINED
    assert held.status == MentorOffer.Status.WITHDRAWN
    assert not Notification.objects.filter(kind="mentor_approved").exists()


def test_a_decision_is_made_once_per_person():
    approval = _pending(make_mentor(approved=False))
    mentor_approval_decide(approval=approval, approve=True, note="Yes.", decided_by=None)

    with pytest.raises(ValidationError) as refused:
        mentor_approval_decide(approval=approval, approve=False, note="No.", decided_by=None)

    approval.refresh_from_db()
    assert refused.value.code == "decided"
    assert (approval.status, approval.note) == (APPROVED, "Yes.")


# --- existing data --------------------------------------------------------------------------


def test_the_data_migration_approves_mentors_with_matched_conversations_only(slot):
    matched = offer_for(slot, make_mentor("Dr. Matched"))
    signup_for(slot)
    schedule_draft(slot=slot)
    unmatched = make_mentor("Dr. Unmatched", approved=False)
    MentorApproval.objects.all().delete()  # as before the migration
    migration = importlib.import_module(
        "mentorship.migrations.0004_mentor_approvals_for_existing_mentors"
    )

    migration.forwards(apps, None)

    statuses = dict(MentorApproval.objects.values_list("user_id", "status"))
    assert statuses == {matched.mentor_id: APPROVED, unmatched.pk: PENDING}


def test_a_pending_mentors_agenda_card_and_my_agenda_say_the_table_is_held(slot):
    mentor = make_mentor("Dr. Waiting", approved=False)
    offer_for(slot, mentor, capacity=2)
    client = logged_in(mentor)

    card = text(client.get(slot.session.get_absolute_url()))
    agenda = text(client.get(reverse("events:my_agenda")))

    assert f"{WAITING} Your table in this slot is held until then." in card
    assert "You mentor in this slot" not in card
    assert WAITING in agenda
    assert "Your table in this slot (2 trainees at once) is held" in agenda


def test_the_staff_review_names_held_offers_apart_from_the_mentors_taking_part(slot):
    offer_for(slot, make_mentor("Dr. Approved"))
    offer_for(slot, make_mentor("Dr. Waiting", approved=False))
    staff = UserFactory(is_staff=True, is_superuser=True)

    page = text(logged_in(staff).get(slot_url(slot, "review")))

    assert "Taking part 1 mentor, 0 trainees" in page
    assert (
        "Held 1 mentor offer waiting for a coordinator's approval, not in the matching: Dr. Waiting"
        in page
    )
