"""Interviews: free slots in the person's zone, booking one (race-safe on PostgreSQL), moving,
cancelling until the cut-off, the emails through loopback SMTP, and the refusals."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.refusals import Refusal
from listening.models import InterviewBooking, InterviewSlot
from listening.services.interviews import interview_book, interview_slots_generate
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.concurrency import run_at_once
from tests.factories import (
    EventFactory,
    InterviewBookingFactory,
    ListeningRequestFactory,
    UserFactory,
    staff_with,
)
from tests.listening.booking_world import accepted, at, listening_event, slots

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

PAGE = "/listening/interviews/"


def book_url(slot) -> str:
    return reverse("listening:interview_book", kwargs={"slot_id": slot.pk})


def active_bookings() -> list[tuple[int, int]]:
    return list(
        InterviewBooking.objects.filter(status="booked")
        .order_by("pk")
        .values_list("user_id", "slot_id")
    )


def test_page_lists_free_slots_in_the_persons_zone_with_the_event_zone_alongside(client):
    event = listening_event()
    person = accepted(event, time_zone="Europe/Paris")
    first, second, _ = slots(event)
    InterviewBookingFactory(slot=second, user=accepted(event))
    client.force_login(person)

    page = client.get(PAGE).content.decode()

    assert "Friday, December 6, 15:00–15:20 (Europe/Paris)" in page
    assert "Fri, Dec 6, 09:00–09:20 event time (America/New_York)" in page
    assert book_url(first) in page
    assert book_url(second) not in page  # someone holds it
    assert "https://meet.example" not in page  # no link before booking


def test_booking_shows_the_link_only_to_the_person_booked(client):
    event = listening_event()
    person, other = accepted(event), accepted(event)
    slot = slots(event, count=1)[0]
    client.force_login(person)

    response = client.post(book_url(slot))

    assert response.status_code == 302
    assert active_bookings() == [(person.pk, slot.pk)]
    assert slot.meeting_url in client.get(PAGE).content.decode()
    client.force_login(other)
    assert slot.meeting_url not in client.get(PAGE).content.decode()


def test_a_second_booking_is_refused_offering_to_move_the_first(client):
    event = listening_event()
    person = accepted(event)
    first, second, _ = slots(event)
    client.force_login(person)
    client.post(book_url(first))

    response = client.post(book_url(second))

    page = response.content.decode()
    assert response.status_code == 409
    assert "You already have an interview at Friday, December 6, 09:00–09:20" in page
    assert "move it?" in page
    assert 'name="move" value="1"' in page
    assert active_bookings() == [(person.pk, first.pk)]


def test_moving_cancels_the_first_and_books_the_second_in_one_step(client):
    event = listening_event()
    person = accepted(event)
    first, second, _ = slots(event)
    client.force_login(person)
    client.post(book_url(first))

    client.post(book_url(second), {"move": "1"})

    assert active_bookings() == [(person.pk, second.pk)]
    assert Notification.objects.filter(
        key__startswith="listening-booking:", key__contains=":reminder:", status="pending"
    ).count() == len(event.reminder_offsets)  # the first booking's reminders are cancelled


@pytest.mark.parametrize(
    "request_kwargs",
    [
        None,
        {"status": "submitted"},
        {"status": "declined"},
        {"status": "accepted", "formats": ["group"]},
    ],
    ids=["no-request", "submitted", "declined", "group-only"],
)
def test_booking_without_an_accepted_interview_request_is_refused_with_why(client, request_kwargs):
    event = listening_event()
    person = UserFactory()
    if request_kwargs is not None:
        ListeningRequestFactory(event=event, user=person, **request_kwargs)
    slot = slots(event, count=1)[0]
    client.force_login(person)

    response = client.post(book_url(slot), follow=True)

    assert "needs an accepted request for a one-on-one interview" in response.content.decode()
    assert InterviewBooking.objects.count() == 0


def test_booking_after_the_cut_off_is_refused_with_why(client):
    event = listening_event()
    person = accepted(event)
    slot = slots(event, count=1)[0]
    InterviewSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=23)
    )
    client.force_login(person)

    response = client.post(book_url(slot), follow=True)

    assert "until 24 hours before they start" in response.content.decode()
    assert InterviewBooking.objects.count() == 0


def test_cancel_after_the_cut_off_is_refused_and_keeps_the_booking(client):
    event = listening_event()
    person = accepted(event)
    slot = slots(event, count=1)[0]
    client.force_login(person)
    client.post(book_url(slot))
    InterviewSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=2)
    )

    response = client.post(reverse("listening:interview_cancel"), follow=True)

    assert "can be cancelled until 24 hours before" in response.content.decode()
    assert active_bookings() == [(person.pk, slot.pk)]


def test_cancel_frees_the_slot_for_someone_else(client):
    event = listening_event()
    person, other = accepted(event), accepted(event)
    slot = slots(event, count=1)[0]
    client.force_login(person)
    client.post(book_url(slot))

    client.post(reverse("listening:interview_cancel"))
    client.force_login(other)
    client.post(book_url(slot))

    assert active_bookings() == [(other.pk, slot.pk)]


def test_a_missing_slot_id_is_404(client):
    client.force_login(accepted(listening_event()))
    assert client.post("/listening/interviews/999999/book/").status_code == 404


def test_a_slot_of_another_event_is_refused(client):
    event = listening_event()
    elsewhere = EventFactory()
    person = accepted(event)
    slot = slots(elsewhere, count=1)[0]
    client.force_login(person)

    client.post(book_url(slot))

    assert InterviewBooking.objects.count() == 0


def test_generating_slots_from_a_window_makes_back_to_back_slots_in_the_event_zone():
    event = listening_event()
    facilitator = UserFactory()

    made = interview_slots_generate(
        event=event,
        facilitator=facilitator,
        day=dt.date(2030, 12, 7),
        start=dt.time(9, 0),
        end=dt.time(10, 10),
        minutes=20,
        meeting_url="https://meet.example/x",
    )

    assert [s.starts_at for s in InterviewSlot.objects.order_by("starts_at")] == [
        at(7, 9),
        at(7, 9, 20),
        at(7, 9, 40),
    ]
    assert len(made) == 3


def test_generating_again_keeps_the_existing_slots_and_adds_the_rest():
    event = listening_event()
    facilitator = UserFactory()
    args = {"event": event, "facilitator": facilitator, "day": dt.date(2030, 12, 7), "minutes": 15}
    interview_slots_generate(**args, start=dt.time(9, 0), end=dt.time(9, 30))

    interview_slots_generate(**args, start=dt.time(9, 0), end=dt.time(10, 0))

    assert InterviewSlot.objects.filter(facilitator=facilitator).count() == 4


def test_generating_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(Refusal, match="end after it starts"):
        interview_slots_generate(
            event=listening_event(),
            facilitator=UserFactory(),
            day=dt.date(2030, 12, 7),
            start=dt.time(10, 0),
            end=dt.time(9, 0),
            minutes=20,
        )
    assert InterviewSlot.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_last_slot_booked_by_20_members_at_once_goes_to_exactly_one(postgres):
    event = listening_event()
    people = [accepted(event) for _ in range(20)]
    last, *others = slots(event, count=3)
    InterviewBookingFactory(slot=others[0], user=accepted(event))  # the nearest is taken too

    results = run_at_once([lambda p=p: interview_book(slot_id=last.pk, user=p) for p in people])

    booked = [r for r in results if isinstance(r, InterviewBooking)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(booked) == 1
    assert len(refused) == 19
    assert {r.code for r in refused} == {"taken"}
    assert InterviewBooking.objects.filter(slot=last, status="booked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_just_taken_page_offers_the_nearest_free_slots(client, postgres):
    event = listening_event()
    winner, loser = accepted(event), accepted(event)
    wanted, taken_too, free = slots(event, count=3)
    InterviewBookingFactory(slot=taken_too, user=accepted(event))
    interview_book(slot_id=wanted.pk, user=winner)
    client.force_login(loser)

    response = client.post(book_url(wanted))

    page = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, this slot was just taken." in page
    assert "The nearest free slots" in page
    assert book_url(free) in page


def test_confirmation_with_ics_and_cancellation_arrive_through_smtp(client, mailbox):
    event = listening_event()
    person = accepted(event, time_zone="Europe/Paris")
    slot = slots(event, count=1)[0]
    client.force_login(person)

    client.post(book_url(slot))
    client.post(reverse("listening:interview_cancel"))
    notifications_dispatch_due()

    assert mailbox.subjects() == [
        "Your private conversation is booked",
        "Your private conversation is cancelled",
    ]
    booked = mailbox.messages[0]["message"]
    assert mailbox.messages[0]["to"] == [person.email]
    body = booked.get_body(preferencelist=("plain",)).get_content()
    assert "Friday, December 6, 15:00–15:20 (Europe/Paris)" in body
    assert slot.meeting_url in body
    (ics,) = [
        part for part in booked.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    text = ics.get_content()
    text = text.decode() if isinstance(text, bytes) else text
    assert "SUMMARY:Private conversation" in text
    assert "DTSTART;TZID=America/New_York:20301206T090000" in text
    assert slot.meeting_url not in text  # a shared calendar never carries the link


def test_reminders_are_scheduled_before_the_interview_and_sent_through_smtp(client, mailbox):
    event = listening_event()
    person = accepted(event)
    slot = slots(event, count=1)[0]
    client.force_login(person)
    client.post(book_url(slot))
    client.get("/")  # nothing else queued

    due = sorted(
        Notification.objects.filter(kind="listening_interview_reminder").values_list(
            "due_at", flat=True
        )
    )
    assert due == sorted(slot.starts_at - dt.timedelta(minutes=m) for m in event.reminder_offsets)
    notifications_dispatch_due()  # the confirmation
    with time_machine.travel(slot.starts_at - dt.timedelta(minutes=30), tick=False):
        notifications_dispatch_due()

    assert "Reminder: your private conversation" in mailbox.subjects()


def test_a_reviewer_generates_slots_in_admin_with_times_typed_in_the_event_zone(client):
    event = listening_event()
    facilitator = UserFactory(email="fay@example.org")
    client.force_login(staff_with("listening.review_requests"))
    form = {
        "event": event.pk,
        "facilitator": "fay@example.org",
        "day": "2030-12-08",
        "start": "13:00",
        "end": "14:00",
        "minutes": "15",
        "meeting_url": "https://meet.example/fay",
    }

    response = client.post(reverse("admin:listening_interviewslot_generate"), form, follow=True)

    assert "4 slots published for" in response.content.decode()
    assert list(
        InterviewSlot.objects.filter(facilitator=facilitator).values_list("starts_at", flat=True)
    ) == [at(8, 13), at(8, 13, 15), at(8, 13, 30), at(8, 13, 45)]


def test_a_superuser_without_the_permission_cannot_generate_slots(client):
    event = listening_event()
    UserFactory(email="fay@example.org")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:listening_interviewslot_generate"),
        {"event": event.pk, "facilitator": "fay@example.org", "day": "2030-12-08",
         "start": "13:00", "end": "14:00", "minutes": "15"},
    )  # fmt: skip

    assert response.status_code == 403
    assert InterviewSlot.objects.count() == 0
