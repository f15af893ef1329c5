"""Blood Buddies at the door: rounds with their conversations, check-in of mentors and
trainees, the standby line, and an absent trainee's seats offered to that line by the repair
without touching anyone else."""

import re
from collections import Counter

import pytest
import time_machine
from django.urls import reverse

from events.models import Registration
from mentorship.models import DoorStandby, Meeting, MentorOffer, TraineeSignup
from mentorship.services import schedule_draft, schedule_publish
from mentorship.services.door import mentor_checkin_mark
from notifications.models import Notification
from tests.concurrency import run_at_once
from tests.conftest import login_session_queries
from tests.factories import EventFactory, UserFactory, staff_with
from tests.mentorship.conftest import (
    at,
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    signup_for,
    speed_session,
)

DOOR = "events.change_registration"
SCHEDULED = Meeting.Status.SCHEDULED


@pytest.fixture
def door(client):
    user = staff_with(DOOR, name="Dora Door")
    client.force_login(user)
    client.user = user
    return client


def published_slot(*, mentors=2, trainees=3, rounds=4, title="Blood Buddies 1"):
    """A published slot 10:00–11:00 on December 6 (rounds of 10 minutes): with 2 mentors of
    one seat and 3 trainees, someone signed up is free in every round."""
    event = EventFactory()
    slot = make_slot(
        speed_session(event, title=title, starts_at=at(6, 10), ends_at=at(6, 11)), rounds=rounds
    )
    for n in range(mentors):
        offer_for(slot, make_mentor(f"Dr. Mentor {n}", email=f"mentor{n}-{slot.pk}@example.org"))
    for n in range(trainees):
        signup_for(slot, make_trainee(f"Trainee {n}", email=f"trainee{n}-{slot.pk}@example.org"))
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    slot.refresh_from_db()
    return slot


@pytest.fixture
def slot():
    return published_slot()


def page(slot):
    return reverse("staff:checkin_rounds", kwargs={"session_id": slot.session_id})


def url(name, slot, **kwargs):
    return reverse(f"staff:checkin_rounds_{name}", kwargs={"session_id": slot.session_id, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def snapshot(slot, exclude=()):
    return sorted(
        Meeting.objects.filter(slot=slot)
        .exclude(pk__in=exclude)
        .values_list(
            "pk", "status", "round", "table", "signup_id", "offer_id", "revision", "updated_at"
        )
    )


def registration_of(signup) -> Registration:
    return Registration.objects.get(pk=signup.registration_id)


@pytest.mark.django_db
def test_the_checkin_address_of_a_blood_buddies_slot_opens_its_door_page(door, slot):
    response = door.get(reverse("staff:checkin", kwargs={"session_id": slot.session_id}))

    assert response.status_code == 302
    assert response["Location"] == page(slot)


@pytest.mark.django_db
def test_the_page_lists_a_rounds_conversations_with_mentor_trainee_table_and_counts(door, slot):
    meetings = list(
        Meeting.objects.filter(slot=slot, round=2, status=SCHEDULED)
        .select_related("offer__mentor", "signup__trainee")
        .order_by("table")
    )
    mentor_checkin_mark(offer=meetings[0].offer, by=door.user)

    with time_machine.travel(at(6, 10, 15)):  # round 2 runs
        response = door.get(page(slot))
    body = text(response)

    assert response.context["door"].round.number == 2
    assert "Round 2, 10:10–10:20 (America/New_York)" in body
    assert "Mentors: 1 in of 2 · Trainees: 0 in of 3 · Standby: 0" in body
    for m in meetings:
        assert f"Table {m.table} Mentor {m.offer.mentor.name}" in body
        assert m.signup.trainee.name in body
    assert "by Dora Door" in body


@pytest.mark.django_db
def test_one_tap_checks_a_mentor_and_a_trainee_in_and_another_undoes_it(door, slot):
    meeting = Meeting.objects.filter(slot=slot, status=SCHEDULED).select_related(
        "offer__mentor", "signup__trainee"
    )[0]
    offer, signup = meeting.offer, meeting.signup

    r1 = door.post(url("mentor", slot, offer_id=offer.pk), {"attended": "1"}, follow=True)
    r2 = door.post(url("trainee", slot, signup_id=signup.pk), {"attended": "1", "round": "3"})

    assert messages_of(r1) == [f"{offer.mentor.name} is checked in."]
    assert r2["Location"] == page(slot) + "?round=3"
    offer.refresh_from_db()
    assert offer.checked_in_by == door.user
    assert registration_of(signup).checked_in_by == door.user

    door.post(url("mentor", slot, offer_id=offer.pk), {"attended": "0"})
    response = door.post(url("trainee", slot, signup_id=signup.pk), {"attended": "0"}, follow=True)

    assert messages_of(response)[-1] == f"{signup.trainee.name} is no longer checked in."
    offer.refresh_from_db()
    assert offer.checked_in_at is None
    assert registration_of(signup).checked_in_at is None


@pytest.mark.django_db
def test_another_slots_mentor_or_trainee_is_a_404_and_stays_unmarked(door, slot):
    other = published_slot(title="Blood Buddies 2")
    their_offer = MentorOffer.objects.filter(slot=other).first()
    their_signup = TraineeSignup.objects.filter(slot=other).first()

    assert (
        door.post(url("mentor", slot, offer_id=their_offer.pk), {"attended": "1"}).status_code
        == 404
    )
    assert (
        door.post(url("trainee", slot, signup_id=their_signup.pk), {"attended": "1"}).status_code
        == 404
    )
    assert door.get(url("absent", slot, signup_id=their_signup.pk)).status_code == 404
    assert door.post(url("absent", slot, signup_id=their_signup.pk)).status_code == 404
    their_offer.refresh_from_db()
    assert their_offer.checked_in_at is None
    assert registration_of(their_signup).checked_in_at is None
    assert TraineeSignup.objects.get(pk=their_signup.pk).status == "active"


@pytest.mark.django_db
def test_a_trainee_at_the_door_without_a_place_joins_the_standby_line_checked_in(door, slot):
    walker = make_trainee("Sam Standby", email="sam@example.org", interests=["industry"])

    with time_machine.travel(at(6, 10, 5)):
        response = door.post(url("standby", slot), {"person": "sam@example.org"}, follow=True)

    assert messages_of(response) == ["Sam Standby is checked in and waits on the standby line."]
    row = DoorStandby.objects.get(slot=slot)
    assert (row.trainee, row.added_by) == (walker, door.user)
    signup = TraineeSignup.objects.get(slot=slot, trainee=walker)
    assert signup.status == "active"
    assert registration_of(signup).checked_in_at is not None
    assert "Sam Standby" in text(response) and "waiting" in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["mentor", "matched"])
def test_a_mentor_or_a_trainee_with_conversations_is_not_put_on_the_line(door, slot, who):
    if who == "mentor":
        person = MentorOffer.objects.filter(slot=slot).first().mentor
        message = f"{person.name} is a mentor in this slot. Nothing changed."
    else:
        signup = Meeting.objects.filter(slot=slot, status=SCHEDULED).first().signup
        person = signup.trainee
        rounds = sorted(
            Meeting.objects.filter(signup=signup, status=SCHEDULED).values_list("round", flat=True)
        )
        listed = ", ".join(str(n) for n in rounds)
        message = (
            f"{person.name} has conversations (round{'s' if len(rounds) > 1 else ''} {listed}): "
            "check them in with their rounds instead. Nothing changed."
        )

    with time_machine.travel(at(6, 10, 5)):
        response = door.post(url("standby", slot), {"person": person.email}, follow=True)

    assert messages_of(response) == [message]
    assert not DoorStandby.objects.exists()


@pytest.mark.django_db
def test_a_trainee_who_leaves_the_line_is_taken_off_with_the_check_in_undone(door, slot):
    walker = make_trainee("Sam Standby", email="sam@example.org")
    with time_machine.travel(at(6, 10, 5)):
        door.post(url("standby", slot), {"person": "sam@example.org"})
        row = DoorStandby.objects.get()
        door.post(url("standby_remove", slot, standby_id=row.pk))

    assert not DoorStandby.objects.exists()
    signup = TraineeSignup.objects.get(slot=slot, trainee=walker)
    assert registration_of(signup).checked_in_at is None


@pytest.mark.django_db
def test_marking_absent_first_shows_what_will_happen_and_changes_nothing(door, slot):
    signup = Meeting.objects.filter(slot=slot, status=SCHEDULED, round=2).first().signup
    before = snapshot(slot)

    with time_machine.travel(at(6, 10, 15)):  # round 2 runs: round 1 is over
        response = door.get(url("absent", slot, signup_id=signup.pk))
    body = text(response)

    assert f"Mark {signup.trainee.name} absent?" in body
    assert "No other conversation changes." in body
    assert "Nobody is on the standby line now" in body
    if Meeting.objects.filter(signup=signup, round=1, status=SCHEDULED).exists():
        assert "over already, stays as it was" in body
    assert snapshot(slot) == before
    assert TraineeSignup.objects.get(pk=signup.pk).status == "active"


@pytest.mark.django_db
def test_an_absent_trainees_mentors_get_standby_trainees_and_no_other_meeting_changes(door, slot):
    absent = Meeting.objects.filter(slot=slot, status=SCHEDULED, round=2).first().signup
    theirs = list(Meeting.objects.filter(signup=absent, status=SCHEDULED))
    with time_machine.travel(at(6, 10, 3)):
        for n in range(2):
            make_trainee(f"Standby {n}", email=f"standby{n}@example.org")
            door.post(url("standby", slot), {"person": f"standby{n}@example.org"})
    standby_signups = set(
        TraineeSignup.objects.filter(slot=slot, trainee__email__startswith="standby").values_list(
            "pk", flat=True
        )
    )
    others_before = snapshot(slot, exclude=[m.pk for m in theirs])
    outbox_before = set(Notification.objects.values_list("pk", flat=True))

    with time_machine.travel(at(6, 10, 15)):  # round 2 runs: round 1 is over
        response = door.post(url("absent", slot, signup_id=absent.pk), {"round": "2"}, follow=True)

    assert TraineeSignup.objects.get(pk=absent.pk).status == "absent"
    # every conversation of the absent trainee is cancelled ...
    assert set(
        Meeting.objects.filter(pk__in=[m.pk for m in theirs]).values_list("status", flat=True)
    ) == {"cancelled"}
    # ... nobody else's conversation changed in any way ...
    assert (
        snapshot(
            slot,
            exclude=[m.pk for m in theirs]
            + list(
                Meeting.objects.filter(signup_id__in=standby_signups).values_list("pk", flat=True)
            ),
        )
        == others_before
    )
    # ... and each mentor's seat from round 2 on went to someone of the standby line.
    new = list(Meeting.objects.filter(slot=slot, signup_id__in=standby_signups))
    expected = sorted((m.round, m.offer_id) for m in theirs if m.round >= 2)
    assert sorted((m.round, m.offer_id) for m in new) == expected
    assert all(m.status == SCHEDULED for m in new)
    message = messages_of(response)[-1]
    assert message.startswith(f"{absent.trainee.name} is marked absent; ")
    assert "From the standby line — round 2: Standby " in message
    # the mentors and the placed trainees are told; the absent trainee and the others are not
    told = set(
        Notification.objects.exclude(pk__in=outbox_before).values_list("user__email", flat=True)
    )
    mentors = {m.offer.mentor.email for m in theirs if m.round >= 2}
    assert mentors <= told
    assert told <= mentors | {m.signup.trainee.email for m in new} | {
        m.offer.mentor.email for m in theirs
    }


@pytest.mark.django_db
def test_a_checked_in_trainee_cannot_be_marked_absent(door, slot):
    signup = Meeting.objects.filter(slot=slot, status=SCHEDULED).first().signup
    door.post(url("trainee", slot, signup_id=signup.pk), {"attended": "1"})
    before = snapshot(slot)

    with time_machine.travel(at(6, 10, 15)):
        response = door.post(url("absent", slot, signup_id=signup.pk), follow=True)

    assert messages_of(response)[-1] == (
        f"{signup.trainee.name} is checked in: undo the check-in first if they left. "
        "Nothing changed."
    )
    assert snapshot(slot) == before


@pytest.mark.django_db
def test_after_the_slot_nobody_is_marked_absent_or_put_on_the_line(door, slot):
    signup = Meeting.objects.filter(slot=slot, status=SCHEDULED).first().signup
    make_trainee("Late Larry", email="larry@example.org")
    before = snapshot(slot)

    with time_machine.travel(at(6, 11, 5)):
        r1 = door.post(url("absent", slot, signup_id=signup.pk), follow=True)
        r2 = door.post(url("standby", slot), {"person": "larry@example.org"}, follow=True)

    assert messages_of(r1)[-1] == "The slot is over. Nothing changed."
    assert messages_of(r2)[-1] == "The slot is over. Nothing changed."
    assert snapshot(slot) == before
    assert not DoorStandby.objects.exists()


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_staff_without_the_permission_get_403(client, slot):
    offer = MentorOffer.objects.filter(slot=slot).first()
    signup = TraineeSignup.objects.filter(slot=slot).first()
    posts = [
        (url("mentor", slot, offer_id=offer.pk), {"attended": "1"}),
        (url("trainee", slot, signup_id=signup.pk), {"attended": "1"}),
        (url("absent", slot, signup_id=signup.pk), {}),
        (url("standby", slot), {"person": "x@example.org"}),
    ]

    assert "/accounts/login/" in client.get(page(slot))["Location"]
    for path, data in posts:
        assert "/accounts/login/" in client.post(path, data)["Location"]
    client.force_login(UserFactory(is_staff=True))
    assert client.get(page(slot)).status_code == 403
    for path, data in posts:
        assert client.post(path, data).status_code == 403
    assert TraineeSignup.objects.get(pk=signup.pk).status == "active"


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(2, 3), (6, 12)])
def test_the_page_costs_the_same_queries_for_a_small_or_a_big_slot(
    door, django_assert_max_num_queries, size
):
    mentors, trainees = size
    slot = published_slot(mentors=mentors, trainees=trainees)

    with django_assert_max_num_queries(13 + login_session_queries()):
        response = door.get(page(slot), {"round": "1"})

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_staff_marking_the_same_mentors_at_once_keep_one_mark_each(postgres):
    slot = published_slot(mentors=4, trainees=4)
    offers = list(MentorOffer.objects.filter(slot=slot))
    one, two = staff_with(DOOR, email="one@example.org"), staff_with(DOOR, email="two@example.org")

    def door_pass(staff, order):
        return [(o.pk, mentor_checkin_mark(offer=o, by=staff)) for o in order]

    results = run_at_once([lambda: door_pass(one, offers), lambda: door_pass(two, offers[::-1])])

    assert not [r for r in results if isinstance(r, Exception)]
    assert Counter(pk for rows in results for pk, won in rows if won) == {o.pk: 1 for o in offers}


@pytest.mark.django_db
def test_the_seat_goes_to_the_standby_line_not_to_a_signed_up_trainee_who_is_not_there(door):
    slot = make_slot(
        speed_session(EventFactory(), starts_at=at(6, 10), ends_at=at(6, 11)), rounds=1
    )
    offer = offer_for(slot, make_mentor("Dr. Only Mentor"))
    for name in ("Ranked One", "Ranked Two"):  # both rank the mentor first: one meets them
        signup_for(slot, make_trainee(name), preferred=[offer])
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    matched = Meeting.objects.get(slot=slot).signup
    away = TraineeSignup.objects.exclude(pk=matched.pk).get(slot=slot)
    make_trainee("Sam Standby", email="sam@example.org")

    with time_machine.travel(at(6, 10, 1)):
        door.post(url("standby", slot), {"person": "sam@example.org"})
        door.post(url("absent", slot, signup_id=matched.pk))

    meeting = Meeting.objects.get(slot=slot, status=SCHEDULED)
    assert meeting.signup.trainee.name == "Sam Standby"
    assert not Meeting.objects.filter(signup=away).exists()
