"""Staff build the program in admin without fear (issue 13, admin part): each check stops a
bad save with a message on the form and nothing saved; a move that touches people is shown
first; cancelling releases every place, tells each person once and the feed says so."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from icalendar import Calendar

from events.models import Registration, Session
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.admin_form import form_data, page_text
from tests.factories import (
    NY,
    EventFactory,
    LunchSessionFactory,
    LunchTableFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    TableHostFactory,
    UserFactory,
    staff_with,
)
from tests.smtp import header

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def change_url(session: Session) -> str:
    return f"/admin/events/session/{session.pk}/change/"


def post_session(client: Client, session: Session, **changes):
    data = form_data(client.get(change_url(session)).content.decode(), "session_form")
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in changes.items()}
    )
    return client.post(change_url(session), data)


def at(hour: int, minute: int = 0, day: int = 6) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def typed(moment: dt.datetime) -> dict:
    """The split date/time widgets of a start, as typed in the event's zone."""
    local = moment.astimezone(NY)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M")}


def move_to(starts: dt.datetime, ends: dt.datetime) -> dict:
    fields = {}
    for name, moment in (("starts_at", starts), ("ends_at", ends)):
        for part, value in typed(moment).items():
            fields[f"{name}_{part}"] = value
    return fields


def unchanged(session: Session) -> tuple:
    fresh = Session.objects.get(pk=session.pk)
    return (fresh.starts_at, fresh.ends_at, fresh.room_id, fresh.capacity, fresh.speakers)


# --- the checks -------------------------------------------------------------------------------


def test_a_room_holding_a_session_refuses_an_overlapping_one(staff_client, event):
    room = RoomFactory(event=event, name="W204")
    SessionFactory(event=event, room=room, title="Giving talks", starts_at=at(10), ends_at=at(11))
    other = SessionFactory(event=event, starts_at=at(10, 30), ends_at=at(11, 30))
    before = unchanged(other)

    response = post_session(staff_client, other, room=str(room.pk))

    assert response.status_code == 200
    assert "“W204” already holds “Giving talks” (Fri, Dec 6, 10:00–11:00 America/New_York)." in (
        page_text(response)
    )
    assert unchanged(other) == before


def test_back_to_back_sessions_share_a_room(staff_client, event):
    room = RoomFactory(event=event)
    SessionFactory(event=event, room=room, starts_at=at(10), ends_at=at(11))
    other = SessionFactory(event=event, starts_at=at(11), ends_at=at(12))

    response = post_session(staff_client, other, room=str(room.pk))

    assert response.status_code == 302
    assert Session.objects.get(pk=other.pk).room_id == room.pk


def test_the_lunch_is_one_session_in_its_room(staff_client, event):
    room = RoomFactory(event=event, name="Hall B")
    lunch = LunchSessionFactory(event=event, room=room)
    LunchTableFactory.create_batch(3, session=lunch)

    response = post_session(staff_client, lunch, title="Career development lunch")

    assert response.status_code == 302


def test_a_speaker_in_an_overlapping_session_is_refused(staff_client, event):
    SessionFactory(
        event=event, title="Grant writing", speakers=["Dr. Amara Okafor"], starts_at=at(10)
    )
    other = SessionFactory(event=event, starts_at=at(10, 15))
    before = unchanged(other)

    response = post_session(staff_client, other, speakers="dr. amara  okafor\r\nDr. Lee")

    assert response.status_code == 200
    assert "dr. amara okafor is also in “Grant writing”" in page_text(response)
    assert unchanged(other) == before


def test_a_lunch_table_host_counts_as_a_speaker(staff_client, event):
    lunch = LunchSessionFactory(event=event, starts_at=at(12), ends_at=at(13, 30))
    TableHostFactory(table=LunchTableFactory(session=lunch), name="Dr. Luis Ferreira")
    talk = SessionFactory(event=event, starts_at=at(13), ends_at=at(14))

    response = post_session(staff_client, talk, speakers="Dr. Luis Ferreira")

    assert response.status_code == 200
    assert f"Dr. Luis Ferreira is also in “{lunch.title}”" in page_text(response)


def test_a_room_of_another_event_is_refused(staff_client, event):
    elsewhere = RoomFactory(event=EventFactory(name="ASH 2031"), name="Hall A")
    session = SessionFactory(event=event)
    before = unchanged(session)

    response = post_session(staff_client, session, room=str(elsewhere.pk))

    assert response.status_code == 200
    assert "“Hall A” is a room of “ASH 2031”, not of “ASH 2030 Trainee Programme”" in page_text(
        response
    )
    assert unchanged(session) == before


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (at(9, day=5), at(10, day=5), "a session must lie within those days"),
        (at(23, day=9), at(0, 30, day=10), "a session must lie within those days"),
        (at(11), at(10), "A session must end after it starts."),
    ],
)
def test_a_session_outside_the_event_or_ending_before_it_starts_is_refused(
    staff_client, event, starts, ends, message
):
    session = SessionFactory(event=event)
    before = unchanged(session)

    response = post_session(staff_client, session, **move_to(starts, ends))

    assert response.status_code == 200
    assert message in page_text(response)
    assert unchanged(session) == before


def test_capacity_above_the_room_needs_the_override(staff_client, event):
    session = SessionFactory(event=event, room=RoomFactory(event=event, name="W201", capacity=40))
    before = unchanged(session)

    refused = post_session(staff_client, session, capacity="60")
    assert refused.status_code == 200
    assert "“W201” holds 40 people: a capacity of 60 needs" in page_text(refused)
    assert unchanged(session) == before

    allowed = post_session(staff_client, session, capacity="60", capacity_override="on")
    assert allowed.status_code == 302
    assert Session.objects.get(pk=session.pk).capacity == 60


def test_capacity_below_the_seats_taken_is_refused_without_the_choice(staff_client, event):
    session = SessionFactory(event=event, capacity=3)
    RegistrationFactory.create_batch(3, session=session, confirmed_at=at(8, day=1))

    response = post_session(staff_client, session, capacity="1")

    assert response.status_code == 200
    assert "3 people hold a seat: a capacity of 1 is below that." in page_text(response)
    assert Session.objects.get(pk=session.pk).capacity == 3
    assert Registration.objects.confirmed().filter(session=session).count() == 3
    assert not Notification.objects.filter(kind="seat_released").exists()


def test_capacity_below_the_seats_taken_moves_the_latest_to_the_top_of_the_waitlist(
    staff_client, event
):
    session = SessionFactory(event=event, capacity=3)
    first, second, third = (
        RegistrationFactory(session=session, confirmed_at=dt.datetime(2030, 1, day, tzinfo=NY))
        for day in (1, 2, 3)
    )
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    response = post_session(staff_client, session, capacity="1", release_overflow="on")

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).capacity == 1
    line = Registration.objects.waitlisted().filter(session=session).order_by("created_at", "id")
    assert list(line) == [second, third, waiting]
    assert list(Registration.objects.confirmed().filter(session=session)) == [first]
    told = Notification.objects.filter(kind="seat_released")
    assert sorted(told.values_list("user_id", flat=True)) == sorted([second.user_id, third.user_id])


# --- a move that touches people ---------------------------------------------------------------


def test_a_move_shows_who_would_get_a_clash_and_saves_only_once_confirmed(staff_client, event):
    session = SessionFactory(event=event, title="Giving talks", starts_at=at(10), ends_at=at(11))
    elsewhere = SessionFactory(event=event, title="Grant writing", starts_at=at(14), ends_at=at(15))
    clashing = UserFactory(email="amara@example.org", name="Amara Okafor")
    free = UserFactory(email="luis@example.org")
    for user in (clashing, free):
        RegistrationFactory(session=session, user=user)
    RegistrationFactory(session=elsewhere, user=clashing)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    shown = post_session(staff_client, session, **move_to(at(14, 30), at(15, 30)))

    assert shown.status_code == 200
    notice = shown.context["adminform"].form.non_field_errors()
    assert list(notice) == [
        "Check before moving: 3 people hold a place (2 with a seat, 1 waiting). The new time is "
        f"Fri, Dec 6, 2030, 14:30–15:30 EST in {session.room.name}; each is told by email a few "
        "minutes after saving.",
        "1 would now have a clash:",
        "amara@example.org (Amara Okafor) also holds a seat in “Grant writing” "
        "(Fri, Dec 6, 2030, 14:00–15:00 EST).",
        "Tick “Move it: I have read who it affects” and save again to move it.",
    ]
    assert "1 would now have a clash: amara@example.org (Amara Okafor)" in page_text(shown)
    assert Session.objects.get(pk=session.pk).starts_at == at(10)
    assert not Notification.objects.filter(kind="session_changed").exists()

    data = form_data(shown.content.decode(), "session_form")
    data["confirm_move"] = ["on"]
    saved = staff_client.post(change_url(session), data)

    assert saved.status_code == 302
    assert Session.objects.get(pk=session.pk).starts_at == at(14, 30)
    notices = Notification.objects.filter(kind="session_changed")
    assert notices.count() == 3  # batched, due a few minutes later, as every staff move


def test_a_confirmation_for_one_move_does_not_confirm_another(staff_client, event):
    session = SessionFactory(event=event, starts_at=at(10), ends_at=at(11))
    RegistrationFactory(session=session)
    shown = post_session(staff_client, session, **move_to(at(14), at(15)))
    data = form_data(shown.content.decode(), "session_form")
    data.update({"confirm_move": ["on"], **{k: [v] for k, v in move_to(at(16), at(17)).items()}})

    response = staff_client.post(change_url(session), data)

    assert response.status_code == 200
    assert "Check before moving: 1 person holds a place" in page_text(response)
    assert Session.objects.get(pk=session.pk).starts_at == at(10)


def test_a_move_without_registrants_saves_at_once(staff_client, event):
    session = SessionFactory(event=event, starts_at=at(10), ends_at=at(11))

    response = post_session(staff_client, session, **move_to(at(14), at(15)))

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).starts_at == at(14)


# --- cancelling -------------------------------------------------------------------------------


def cancel(client: Client, sessions: list[Session], reason: str | None):
    data = {"action": "cancel_sessions", "_selected_action": [str(s.pk) for s in sessions]}
    if reason is not None:
        data.update({"apply": "1", "reason": reason})
    return client.post("/admin/events/session/", data)


def test_cancel_asks_for_a_reason_and_changes_nothing_until_confirmed(staff_client, event):
    session = SessionFactory(event=event, title="Giving talks")
    RegistrationFactory.create_batch(2, session=session)

    page = cancel(staff_client, [session], None)
    empty = cancel(staff_client, [session], "")

    assert "Giving talks" in page_text(page) and "2 registered" in page_text(page)
    assert empty.status_code == 200
    assert Session.objects.get(pk=session.pk).cancelled_at is None
    assert Registration.objects.active().filter(session=session).count() == 2


def test_cancel_releases_every_place_tells_each_person_once_and_keeps_the_record(
    staff_client, event
):
    session = SessionFactory(event=event, capacity=1)
    seated = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    response = cancel(staff_client, [session], "The speaker cannot travel.")
    cancel(staff_client, [session], "A second click.")

    assert response.status_code == 302
    fresh = Session.objects.get(pk=session.pk)
    assert fresh.cancelled_at is not None
    assert fresh.cancel_reason == "The speaker cannot travel."
    assert fresh.sequence == session.sequence + 1
    assert set(Registration.objects.filter(session=session).values_list("status", flat=True)) == {
        "cancelled"
    }
    told = Notification.objects.filter(kind="session_cancelled")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [seated.user_id, waiting.user_id]
    )
    assert not Notification.objects.filter(kind="registration_cancelled").exists()
    assert told.get(user=waiting.user).context["reason"] == "The speaker cannot travel."
    history = LogEntry.objects.filter(
        object_id=str(session.pk), change_message__startswith="Cancelled"
    )
    assert list(history.values_list("change_message", flat=True)) == [
        "Cancelled: The speaker cannot travel. (2 told by email)."
    ]


def test_the_feed_shows_the_cancelled_session_as_cancelled(staff_client, client, event):
    session = SessionFactory(event=event, title="Giving talks")
    registration = RegistrationFactory(session=session, confirmed_at=at(8, day=1))
    token = registration.user.profile.calendar_token

    cancel(staff_client, [session], "The speaker cannot travel.")

    feed = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content)
    (item,) = feed.walk("VEVENT")
    assert str(item["status"]) == "CANCELLED"
    assert str(item["summary"]) == "Giving talks"
    assert int(item["sequence"]) == 1


def test_a_cancelled_session_says_so_and_takes_no_registration(client, event, staff_client):
    session = SessionFactory(event=event)
    cancel(staff_client, [session], "The speaker cannot travel.")
    trainee = UserFactory()
    client.force_login(trainee)

    page = client.get(session.get_absolute_url())
    client.post(f"/events/{event.slug}/sessions/{session.pk}/register/")

    assert "Cancelled. The speaker cannot travel." in page_text(page)
    assert not Registration.objects.filter(session=session, user=trainee).exists()


def test_a_forged_cancel_without_the_change_permission_is_refused(client, event):
    session = SessionFactory(event=event)
    RegistrationFactory(session=session)
    client.force_login(staff_with("events.view_session"))

    response = cancel(client, [session], "No reason.")

    assert response.status_code == 403
    assert Session.objects.get(pk=session.pk).cancelled_at is None
    assert Registration.objects.active().filter(session=session).count() == 1


def test_each_person_receives_one_cancellation_email_with_the_reason(staff_client, event, mailbox):
    session = SessionFactory(event=event, title="Giving talks", capacity=1)
    seated = RegistrationFactory(session=session, confirmed_at=at(8, day=1))
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)

    cancel(staff_client, [session], "The speaker cannot travel.")
    notifications_dispatch_due()

    got = sorted((m["to"][0], header(m["message"], "Subject")) for m in mailbox.messages)
    assert got == sorted((r.user.email, "Cancelled: Giving talks") for r in (seated, waiting))
    message = next(m["message"] for m in mailbox.messages if m["to"] == [waiting.user.email])
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "your place on its waitlist is released" in body
    assert "The speaker cannot travel." in body
    assert "(America/New_York)" in body


def test_a_person_sent_back_to_the_waitlist_is_told_by_email(staff_client, event, mailbox):
    session = SessionFactory(event=event, title="Giving talks", capacity=2)
    RegistrationFactory(session=session, confirmed_at=at(8, day=1))
    latest = RegistrationFactory(session=session, confirmed_at=at(9, day=1))

    post_session(staff_client, session, capacity="1", release_overflow="on")
    notifications_dispatch_due()

    (message,) = [m["message"] for m in mailbox.messages]
    assert header(message, "To") == latest.user.email
    assert header(message, "Subject") == "Back on the waitlist: Giving talks"
