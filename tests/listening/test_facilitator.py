"""The facilitator's day: their own slots and groups with participants' names and chosen
topics and nothing else; marking an interview held or missed; someone else's is a 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from listening.models import GroupPlace, InterviewBooking, InterviewSlot
from notifications.services import notifications_dispatch_due
from tests.factories import PASSWORD, GroupPlaceFactory, InterviewBookingFactory, UserFactory
from tests.listening.booking_world import accepted, group, listening_event, slots

pytestmark = pytest.mark.django_db

PAGE = "/listening/facilitator/"


def held_url(booking, what="held") -> str:
    return reverse(f"listening:facilitator_{what}", kwargs={"booking_id": booking.pk})


def world():
    event = listening_event()
    fay = UserFactory(name="Dr. Fay Facilitator")
    gus = UserFactory(name="Dr. Gus Other")
    person = accepted(
        event,
        formats=["interview", "group"],
        user=UserFactory(name="Pat Participant", email="pat@private.example"),
        topics=["gender", "other"],
        topic_other="Parenthood in training",
        note="Something only reviewers read",
    )
    mine = slots(event, fay, count=2)
    theirs = slots(event, gus, count=1, day=7)
    booking = InterviewBookingFactory(slot=mine[0], user=person)
    other_booking = InterviewBookingFactory(slot=theirs[0], user=accepted(event))
    g = group(event, title="Belonging at work", facilitator=fay)
    GroupPlaceFactory(group=g, user=person)
    return event, fay, gus, person, booking, other_booking


def test_facilitator_sees_names_and_topics_of_their_own_people_only(client):
    _, fay, _, _person, booking, other_booking = world()
    client.force_login(fay)

    page = client.get(PAGE).content.decode()

    assert page.count("Pat Participant") == 2  # the interview and the group
    assert "Gender, Other: Parenthood in training" in page
    assert "Friday, December 6, 09:00–09:20 (America/New_York)" in page
    assert "Belonging at work" in page
    assert booking.slot.meeting_url in page
    assert "pat@private.example" not in page
    assert "Something only reviewers read" not in page
    assert other_booking.user.get_full_name() not in page
    assert held_url(other_booking) not in page


@pytest.mark.parametrize("who", ["anonymous", "member", "superuser"])
def test_people_who_facilitate_nothing_get_no_page(client, who):
    world()
    if who == "member":
        client.force_login(UserFactory())
    elif who == "superuser":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(PAGE)

    assert response.status_code == (302 if who == "anonymous" else 404)


@pytest.mark.parametrize("what,status", [("held", "held"), ("missed", "missed")])
def test_facilitator_marks_an_interview_once_it_has_started(client, what, status):
    _, fay, _, _, booking, _ = world()
    InterviewSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    client.force_login(fay)

    client.post(held_url(booking, what))

    booking.refresh_from_db()
    assert booking.status == status


def test_marking_before_the_interview_starts_is_refused(client):
    _, fay, _, _, booking, _ = world()
    client.force_login(fay)

    response = client.post(held_url(booking), follow=True)

    assert "once it has started" in response.content.decode()
    assert InterviewBooking.objects.get(pk=booking.pk).status == "booked"


@pytest.mark.parametrize("who", ["other_facilitator", "participant", "superuser"])
def test_marking_a_booking_on_someone_elses_slot_is_404(client, who):
    _, _fay, gus, person, booking, _ = world()
    user = {"other_facilitator": gus, "participant": person}.get(who) or UserFactory(
        is_staff=True, is_superuser=True
    )
    client.force_login(user)

    assert client.post(held_url(booking)).status_code == 404
    assert InterviewBooking.objects.get(pk=booking.pk).status == "booked"


def test_deleting_a_facilitators_account_removes_their_slots_and_tells_the_person(
    client, mailbox, scheduled_deliveries
):
    _, fay, _, person, booking, other_booking = world()
    client.force_login(fay)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    notifications_dispatch_due()

    assert response.status_code == 302
    assert not User.objects.filter(pk=fay.pk).exists()
    assert InterviewSlot.objects.filter(facilitator_id=fay.pk).count() == 0
    assert not InterviewBooking.objects.filter(pk=booking.pk).exists()
    assert InterviewBooking.objects.filter(pk=other_booking.pk).exists()
    assert [m["to"] for m in mailbox.messages] == [[person.email]]
    assert mailbox.subjects() == ["Your private conversation needs a new time"]


def test_deleting_a_participants_account_leaves_no_booking_or_place(client):
    _, _, _, person, _, _ = world()
    client.force_login(person)

    client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})

    assert InterviewBooking.objects.filter(user_id=person.pk).count() == 0
    assert GroupPlace.objects.filter(user_id=person.pk).count() == 0
