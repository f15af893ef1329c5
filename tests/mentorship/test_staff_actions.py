"""Staff's irreversible Blood Buddies actions take a confirmation step that says what will
happen (a plain GET page, then a POST): publishing and emailing everyone, marking someone
absent; and an absence can be undone until the slot ends."""

import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mentorship import services
from mentorship.models import Meeting, MentorOffer, TraineeSignup
from mentorship.services import (
    participant_mark_absent,
    schedule_draft,
    schedule_publish,
    schedule_repair,
)
from notifications.models import Notification

from .conftest import at, make_mentor, make_slot, make_trainee, offer_for, signup_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

SCHEDULED = Meeting.Status.SCHEDULED


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, slot) -> str:
    return reverse(f"mentorship:{name}", kwargs={"session_id": slot.session_id})


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def changed_keys() -> list[str]:
    return sorted(
        Notification.objects.filter(kind="mentoring_schedule_changed").values_list("key", flat=True)
    )


@pytest.fixture
def pairs(buddies_session):
    """Two rounds, mentors A and B (one trainee at once), trainees T1 and T2: each trainee
    meets each mentor once. Published."""
    slot = make_slot(buddies_session, rounds=2)
    a = offer_for(slot, mentor=make_mentor("Dr. Ada"))
    b = offer_for(slot, mentor=make_mentor("Dr. Ben"))
    t1 = signup_for(slot, trainee=make_trainee("Tia One"))
    t2 = signup_for(slot, trainee=make_trainee("Tom Two"))
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    assert Meeting.objects.filter(slot=slot, status=SCHEDULED).count() == 4
    return slot, a, b, t1, t2


# --- publish ----------------------------------------------------------------------------------


def test_publish_asks_first_and_says_who_gets_an_email(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)

    response = logged_in(superuser).get(url("review_publish", slot))

    shown = text(response.content.decode())
    assert response.status_code == 200
    assert "3 people get an email with their rounds: 1 mentor" in shown
    assert "Publish and email 3 people" in shown
    slot.refresh_from_db()
    assert slot.published_at is None
    assert not Notification.objects.filter(kind="mentoring_schedule_published").exists()


def test_publish_confirmation_is_a_plain_form_with_csrf(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)

    page = logged_in(superuser).get(url("review_publish", slot)).content.decode()

    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.DOTALL)
    assert form.group(1) == url("review_publish", slot)
    assert 'name="csrfmiddlewaretoken"' in form.group(2)


def test_review_page_leads_to_the_publish_confirmation_not_straight_to_publishing(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)

    page = logged_in(superuser).get(url("review", slot)).content.decode()

    assert f'<a class="button" href="{url("review_publish", slot)}">' in page
    assert f'method="post" action="{url("review_publish", slot)}"' not in page


def test_publish_after_confirming_emails_everyone_once(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)
    client = logged_in(superuser)

    client.get(url("review_publish", slot))
    client.post(url("review_publish", slot))

    assert Notification.objects.filter(kind="mentoring_schedule_published").count() == 2


# --- mark absent ------------------------------------------------------------------------------


def test_mark_absent_asks_first_and_names_the_rounds_and_partners(pairs, superuser):
    slot, a, *_ = pairs

    response = logged_in(superuser).get(url("review_absent", slot), {"user": a.mentor_id})

    shown = text(response.content.decode())
    assert response.status_code == 200
    assert (
        "Dr. Ada is taken out of rounds 1, 2: 2 conversations are cancelled "
        "(times in America/New_York): Round 1, 10:00–10:10, table 1:" in shown
    )
    assert "(Tia One, Tom Two among them)" in shown
    assert MentorOffer.objects.get(pk=a.pk).status == "active"
    assert Meeting.objects.filter(slot=slot, status=SCHEDULED).count() == 4


def test_mark_absent_after_confirming_cancels_the_conversations(pairs, superuser):
    slot, a, *_ = pairs

    logged_in(superuser).post(url("review_absent", slot), {"user": a.mentor_id})

    assert MentorOffer.objects.get(pk=a.pk).status == "absent"
    assert not Meeting.objects.filter(offer=a, status=SCHEDULED).exists()


def test_review_page_marks_absent_through_the_confirmation(pairs, superuser):
    slot, *_ = pairs

    page = logged_in(superuser).get(url("review", slot)).content.decode()

    assert f'<form method="get" action="{url("review_absent", slot)}"' in page


@pytest.mark.parametrize("query", [{}, {"user": "abc"}, {"user": "999999"}])
def test_mark_absent_without_a_taking_part_person_says_so_and_changes_nothing(
    pairs, superuser, query
):
    slot, *_ = pairs

    response = logged_in(superuser).get(url("review_absent", slot), query, follow=True)

    assert response.status_code == 200
    assert "Choose a person who takes part in this slot." in response.content.decode()
    assert Meeting.objects.filter(slot=slot, status=SCHEDULED).count() == 4


# --- undo absent ------------------------------------------------------------------------------


def test_undo_absent_before_a_repair_restores_everything_and_emails_nobody(pairs):
    slot, a, *_ = pairs
    before = set(Meeting.objects.filter(slot=slot, status=SCHEDULED).values_list("pk", flat=True))
    participant_mark_absent(slot=slot, user=a.mentor)

    result = services.participant_absence_undo(slot=slot, user=a.mentor)

    after = set(Meeting.objects.filter(slot=slot, status=SCHEDULED).values_list("pk", flat=True))
    assert (result.restored, result.lost, result.notified) == (2, 0, 0)
    assert after == before
    assert MentorOffer.objects.get(pk=a.pk).status == "active"
    assert changed_keys() == []


def test_undo_absent_after_a_repair_restores_the_conversations_and_tells_the_partners(pairs):
    slot, a, _, t1, t2 = pairs
    participant_mark_absent(slot=slot, user=a.mentor)
    schedule_repair(slot=slot)  # nobody free to fill in: T1 and T2 are told of a free round

    result = services.participant_absence_undo(slot=slot, user=a.mentor)

    assert (result.restored, result.lost, result.notified) == (2, 0, 2)
    assert Meeting.objects.filter(offer=a, status=SCHEDULED).count() == 2
    assert changed_keys() == sorted(
        f"bb:{slot.pk}:changed:{revision}:{signup.trainee_id}"
        for revision in (1, 2)
        for signup in (t1, t2)
    )


def test_undo_absent_leaves_a_seat_given_away_by_a_repair_and_tells_the_person(buddies_session):
    slot = make_slot(buddies_session, rounds=1)
    offer_for(slot)
    first, second = signup_for(slot), signup_for(slot)
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    met = Meeting.objects.get(slot=slot).signup
    free = second if met == first else first
    participant_mark_absent(slot=slot, user=met.trainee)
    schedule_repair(slot=slot)  # the mentor's seat goes to the trainee who was free

    result = services.participant_absence_undo(slot=slot, user=met.trainee)

    assert (result.restored, result.lost, result.notified) == (0, 1, 1)
    assert list(
        Meeting.objects.filter(slot=slot, status=SCHEDULED).values_list("signup", flat=True)
    ) == [free.pk]
    assert TraineeSignup.objects.get(pk=met.pk).status == "active"
    assert f"bb:{slot.pk}:changed:2:{met.trainee_id}" in changed_keys()


def test_undo_absent_keeps_others_cancellations_for_the_next_repair(pairs):
    slot, a, _, _, t2 = pairs
    participant_mark_absent(slot=slot, user=a.mentor)
    schedule_repair(slot=slot)
    participant_mark_absent(slot=slot, user=t2.trainee)  # waits for the next repair

    services.participant_absence_undo(slot=slot, user=a.mentor)
    result = schedule_repair(slot=slot)

    assert result.cancelled == 1  # T2's remaining conversation, cancelled before the undo


def test_undo_absent_brings_a_mentors_reminders_back(pairs):
    slot, a, *_ = pairs
    reminders = Notification.objects.filter(kind="mentoring_reminder", user=a.mentor)
    assert reminders.filter(status="pending").exists()
    participant_mark_absent(slot=slot, user=a.mentor)
    assert not reminders.filter(status="pending").exists()

    services.participant_absence_undo(slot=slot, user=a.mentor)

    assert reminders.filter(status="pending").count() == reminders.count() > 0


def test_undo_absent_after_the_slot_ends_is_refused(pairs):
    slot, a, *_ = pairs
    participant_mark_absent(slot=slot, user=a.mentor)

    with time_machine.travel(at(6, 11)), pytest.raises(ValidationError) as exc:
        services.participant_absence_undo(slot=slot, user=a.mentor)

    assert exc.value.code == "over"
    assert MentorOffer.objects.get(pk=a.pk).status == "absent"


def test_undo_absent_keeps_rounds_already_over(pairs):
    slot, a, *_ = pairs
    participant_mark_absent(slot=slot, user=a.mentor)

    with time_machine.travel(at(6, 10, 15)):  # round 1 (10:00–10:10) is over
        result = services.participant_absence_undo(slot=slot, user=a.mentor)

    assert result.restored == 1
    assert list(
        Meeting.objects.filter(offer=a, status=SCHEDULED).values_list("round", flat=True)
    ) == [2]


def test_undo_absent_asks_first_and_says_what_comes_back_and_who_is_emailed(pairs, superuser):
    slot, a, *_ = pairs
    participant_mark_absent(slot=slot, user=a.mentor)
    schedule_repair(slot=slot)

    response = logged_in(superuser).get(url("review_absent_undo", slot), {"user": a.mentor_id})

    shown = text(response.content.decode())
    assert "Dr. Ada (mentor) takes part again?" in shown
    assert "2 conversations come back" in shown
    assert "2 people get an email with their new rounds: Tia One, Tom Two." in shown
    assert MentorOffer.objects.get(pk=a.pk).status == "absent"


def test_review_page_offers_undo_for_someone_marked_absent(pairs, superuser):
    slot, a, *_ = pairs
    participant_mark_absent(slot=slot, user=a.mentor)

    page = logged_in(superuser).get(url("review", slot)).content.decode()

    assert f'href="{url("review_absent_undo", slot)}?user={a.mentor_id}"' in page


def test_undo_absent_after_confirming_restores_the_person(pairs, superuser):
    slot, a, *_ = pairs
    participant_mark_absent(slot=slot, user=a.mentor)

    response = logged_in(superuser).post(
        url("review_absent_undo", slot), {"user": a.mentor_id}, follow=True
    )

    assert "Dr. Ada takes part again: 2 conversations back; 0 people are emailed." in text(
        response.content.decode()
    )
    assert MentorOffer.objects.get(pk=a.pk).status == "active"


@pytest.mark.parametrize("name", ["review_publish", "review_absent", "review_absent_undo"])
@pytest.mark.parametrize("is_staff", [False, True], ids=["trainee", "staff"])
def test_confirmation_pages_are_for_holders_of_the_change_permission_only(pairs, name, is_staff):
    slot, a, *_ = pairs
    person = make_trainee()
    if is_staff:
        person.is_staff = True
        person.save(update_fields=["is_staff"])

    response = logged_in(person).get(url(name, slot), {"user": a.mentor_id})

    assert response.status_code == 403


# --- the audit trail --------------------------------------------------------------------------


def slot_history(slot) -> list[tuple[int, str]]:
    return [
        (entry.user_id, entry.get_change_message())
        for entry in LogEntry.objects.filter(
            content_type__model="speedmentoringslot", object_id=str(slot.pk)
        ).order_by("pk")
    ]


def test_publishing_and_repairing_from_the_review_are_in_the_slot_history(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)
    client = logged_in(superuser)

    client.post(url("review_publish", slot))
    met = Meeting.objects.get(slot=slot).signup.trainee
    participant_mark_absent(slot=slot, user=met)
    client.post(url("review_repair", slot))

    assert slot_history(slot) == [
        (superuser.pk, "Published the matching; 2 emailed."),
        (superuser.pk, "Repaired the matching: 0 of 1 cancelled conversations re-filled; 1 told."),
    ]
