"""The agenda's "Only sessions with free seats" keeps each session that has room by its own
mode's rule: open, seats left; drop-in, always; the lunch, a free table seat in some
rotation; Blood Buddies, places left for trainees while sign-up is open; listening sessions
(request), never. A session that has started has no room to give."""

import datetime as dt
import re

import pytest
import time_machine

from events.lunch.services import lunch_rotations_generate, table_seat_take
from events.models import LunchRotation, LunchTable, Session
from events.services import registration_create, registration_create_matched
from mentorship.models import SpeedMentoringSlot
from tests.factories import NY, RoomFactory, SessionFactory, UserFactory, career_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

SESSION_LINK = re.compile(r'<h4 class="session-title"><a href="[^"]+">([^<]+)</a></h4>')
FREE_SEATS = "?has_seats=on"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def listed(client, event, query: str = FREE_SEATS) -> set[str]:
    return set(SESSION_LINK.findall(client.get(event.get_absolute_url() + query).content.decode()))


def add_lunch(event, title: str, *, start: dt.datetime, tables: int = 2, seats: int = 1) -> Session:
    session = SessionFactory(
        event=event,
        title=title,
        kind=Session.Kind.CAREER_LUNCH,
        registration_mode=Session.Mode.TABLES,
        capacity=None,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=40),
    )
    lunch_rotations_generate(session=session, count=2, minutes=20)
    for number in range(1, tables + 1):
        LunchTable.objects.create(
            session=session, number=number, career_path=career_path("industry"), seats=seats
        )
    return session


def fill_lunch(session: Session) -> None:
    """Every table seat of every rotation taken, one person per rotation and table."""
    for rotation in LunchRotation.objects.filter(session=session):
        for table in LunchTable.objects.filter(session=session):
            for _ in range(table.seats):
                table_seat_take(session=session, rotation=rotation, table=table, user=UserFactory())


def buddies(event, title: str, *, start: dt.datetime, capacity: int = 20, **slot) -> Session:
    session = SessionFactory(
        event=event,
        title=title,
        kind=Session.Kind.SPEED_MENTORING,
        registration_mode=Session.Mode.MATCHED,
        capacity=capacity,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=45),
    )
    SpeedMentoringSlot.objects.create(
        session=session, rounds=4, minutes_per_round=10, tables=8, **slot
    )
    return session


def test_lunch_with_a_free_table_seat_is_kept(client, event):
    add_lunch(event, "Career lunch", start=at(7, 12))

    assert listed(client, event) == {"Career lunch"}


def test_lunch_with_one_table_seat_left_in_one_rotation_is_kept(client, event):
    session = add_lunch(event, "Career lunch", start=at(7, 12))
    rotation = LunchRotation.objects.get(session=session, number=1)
    for table in LunchTable.objects.filter(session=session):
        table_seat_take(session=session, rotation=rotation, table=table, user=UserFactory())
    last = LunchTable.objects.get(session=session, number=2)
    other = LunchRotation.objects.get(session=session, number=2)
    table_seat_take(session=session, rotation=other, table=last, user=UserFactory())

    assert listed(client, event) == {"Career lunch"}


def test_lunch_whose_every_table_seat_is_taken_is_left_out(client, event):
    session = add_lunch(event, "Career lunch", start=at(7, 12))
    fill_lunch(session)

    assert listed(client, event) == set()
    assert listed(client, event, "") == {"Career lunch"}


def test_blood_buddies_slot_with_places_for_trainees_is_kept(client, event):
    buddies(event, "Blood Buddies 1", start=at(6, 10))
    buddies(event, "Blood Buddies 2", start=at(6, 11))

    assert listed(client, event) == {"Blood Buddies 1", "Blood Buddies 2"}


def test_blood_buddies_slot_with_every_trainee_place_taken_is_left_out(client, event):
    session = buddies(event, "Blood Buddies 1", start=at(6, 10), capacity=1)
    registration_create_matched(session=session, user=UserFactory())

    assert listed(client, event) == set()


def test_blood_buddies_slot_whose_sign_up_has_closed_is_left_out(client, event):
    buddies(event, "Blood Buddies 1", start=at(6, 10), signup_closes_at=at(1, 9))

    with time_machine.travel(at(2, 9), tick=False):
        assert listed(client, event) == set()


@pytest.mark.parametrize(
    ("mode", "capacity", "taken", "kept"),
    [
        (Session.Mode.OPEN, 2, 1, True),
        (Session.Mode.OPEN, None, 3, True),
        (Session.Mode.OPEN, 1, 1, False),
        (Session.Mode.DROP_IN, None, 0, True),
        (Session.Mode.DROP_IN, 1, 1, True),
        (Session.Mode.REQUEST, None, 0, False),
    ],
    ids=["open-seats-left", "open-no-limit", "open-full", "drop-in", "drop-in-capacity", "request"],
)
def test_seated_drop_in_and_request_sessions_follow_their_own_rule(
    client, event, mode, capacity, taken, kept
):
    session = SessionFactory(
        event=event, title="The session", registration_mode=mode, capacity=capacity
    )
    for _ in range(taken):
        registration_create(session=session, user=UserFactory())

    assert listed(client, event) == ({"The session"} if kept else set())


def test_sessions_that_have_started_are_left_out(client, event):
    SessionFactory(event=event, title="Morning talk", starts_at=at(6, 9))
    SessionFactory(event=event, title="Afternoon talk", starts_at=at(6, 14))
    add_lunch(event, "Career lunch", start=at(6, 12))

    with time_machine.travel(at(6, 12, 5), tick=False):
        assert listed(client, event) == {"Afternoon talk"}


def test_a_logged_in_person_sees_the_same_sessions_with_room(client, event):
    add_lunch(event, "Career lunch", start=at(7, 12))
    buddies(event, "Blood Buddies 1", start=at(6, 10))
    client.force_login(UserFactory())

    assert listed(client, event) == {"Career lunch", "Blood Buddies 1"}


def test_the_filter_follows_a_lunch_filling_up_without_waiting_for_the_cache(client, event):
    session = add_lunch(event, "Career lunch", start=at(7, 12), tables=1)
    assert listed(client, event) == {"Career lunch"}  # the anonymous page, now cached

    fill_lunch(session)  # table seats do not change the agenda's version

    assert listed(client, event) == set()


# --- query counts stay flat ------------------------------------------------------------------

# Exact, the same at 3 and 60 of each kind: event (days are its own), career paths, sessions,
# their paths; lunch rotations, seats taken, tables; Blood Buddies slots, slot notes.
FREE_SEATS_AGENDA_QUERIES = 9


@pytest.mark.parametrize("size", [3, 60])
def test_free_seats_agenda_queries_do_not_grow_with_lunches_and_slots(
    client, event, django_assert_num_queries, size
):
    room = RoomFactory(event=event)
    for n in range(size):
        add_lunch(event, f"Lunch {n:02d}", start=at(6, 8) + dt.timedelta(hours=n), tables=3)
        buddies(event, f"Buddies {n:02d}", start=at(7, 8) + dt.timedelta(hours=n))
        SessionFactory(event=event, room=room, title=f"Talk {n:02d}", starts_at=at(8, 8, n % 60))

    with django_assert_num_queries(FREE_SEATS_AGENDA_QUERIES):
        response = client.get(event.get_absolute_url() + FREE_SEATS)

    assert len(SESSION_LINK.findall(response.content.decode())) == 3 * size
