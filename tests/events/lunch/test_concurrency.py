"""Exact seats per table and rotation under real concurrency: threads behind a barrier, each
with its own PostgreSQL connection, against the lunch's row locks."""

from collections import Counter

import pytest

from events.lunch.selectors import table_seat_position
from events.lunch.services import TableFullError, table_seat_drop, table_seat_take
from events.models import Registration, TableSeat
from tests.concurrency import run_at_once
from tests.events.lunch.conftest import cell
from tests.factories import UserFactory

# No serialized_rollback (it clashes with the content types other transactional tests leave
# behind); the lunch fixture re-seeds the career paths a flush wipes.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("scheduled_deliveries", "postgres"),
]

Seat = TableSeat.Status


def test_last_seat_of_a_table_goes_to_exactly_one_person(make_lunch):
    lunch = make_lunch(seats=3)
    rotation, table = cell(lunch, 3, 1)
    for person in UserFactory.create_batch(2):
        table_seat_take(session=lunch, rotation=rotation, table=table, user=person)
    racers = UserFactory.create_batch(12)

    results = run_at_once(
        [
            lambda u=u: table_seat_take(session=lunch, rotation=rotation, table=table, user=u)
            for u in racers
        ]
    )

    assert Counter(type(r).__name__ for r in results) == {"TableSeat": 1, "TableFullError": 11}
    assert (
        TableSeat.objects.filter(table=table, rotation=rotation, status=Seat.CONFIRMED).count() == 3
    )
    # The refused wrote nothing, not even the lunch registration.
    losers = [u.pk for u, r in zip(racers, results, strict=True) if isinstance(r, TableFullError)]
    assert not Registration.objects.filter(session=lunch, user_id__in=losers).exists()


def test_a_crowd_asking_for_the_waitlist_fills_the_seats_then_queues_without_gaps(make_lunch):
    lunch = make_lunch(seats=4)
    rotation, table = cell(lunch, 1, 2)
    people = UserFactory.create_batch(20)

    results = run_at_once(
        [
            lambda u=u: table_seat_take(
                session=lunch, rotation=rotation, table=table, user=u, join_waitlist=True
            )
            for u in people
        ]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(r.status for r in results) == {Seat.CONFIRMED: 4, Seat.WAITLISTED: 16}
    waiting = [r for r in results if r.status == Seat.WAITLISTED]
    assert sorted(table_seat_position(seat=s) for s in waiting) == list(range(1, 17))
    assert Registration.objects.filter(session=lunch, status="confirmed").count() == 20


def test_concurrent_drops_promote_exactly_as_many_from_the_waitlist(make_lunch):
    lunch = make_lunch(seats=5)
    rotation, table = cell(lunch, 2, 1)
    seated = UserFactory.create_batch(5)
    waiting = UserFactory.create_batch(8)
    for person in seated + waiting:
        table_seat_take(
            session=lunch, rotation=rotation, table=table, user=person, join_waitlist=True
        )

    results = run_at_once(
        [lambda u=u: table_seat_drop(session=lunch, rotation=rotation, user=u) for u in seated]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    confirmed = set(
        TableSeat.objects.filter(table=table, rotation=rotation, status=Seat.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    assert confirmed == {u.pk for u in waiting[:5]}


def test_one_person_racing_for_two_tables_in_one_rotation_gets_one(make_lunch):
    lunch = make_lunch()
    person = UserFactory()
    rotation, first = cell(lunch, 1, 1)
    _, second = cell(lunch, 3, 1)

    results = run_at_once(
        [
            lambda t=t: table_seat_take(session=lunch, rotation=rotation, table=t, user=person)
            for t in (first, second)
        ]
    )

    assert TableSeat.objects.filter(user=person).count() == 1
    assert sorted(getattr(r, "code", "seat") for r in results) == ["one_per_rotation", "seat"]
    assert Registration.objects.filter(session=lunch, user=person).count() == 1
