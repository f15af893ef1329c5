"""The lunch's rules, through the services: one table per rotation, each table once, exact
seats with waitlists per cell, one agenda item that clashes like any session."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.lunch.services import (
    TableFullError,
    lunch_join,
    lunch_rotations_generate,
    lunch_tables_copy,
    table_seat_change,
    table_seat_drop,
    table_seat_take,
    table_waitlists_promote,
)
from events.models import LunchRotation, LunchTable, Registration, Session, TableHost, TableSeat
from events.services import (
    ClashError,
    registration_cancel,
    registration_create,
    registration_switch,
)
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.events.lunch.conftest import cell
from tests.factories import NY, SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Seat = TableSeat.Status


def take(lunch, user, table: int, rotation: int, **kwargs) -> TableSeat:
    rot, tab = cell(lunch, table, rotation)
    return table_seat_take(session=lunch, rotation=rot, table=tab, user=user, **kwargs)


def change(lunch, user, table: int, rotation: int, **kwargs) -> TableSeat:
    rot, tab = cell(lunch, table, rotation)
    return table_seat_change(session=lunch, rotation=rot, table=tab, user=user, **kwargs)


def drop(lunch, user, rotation: int) -> TableSeat:
    return table_seat_drop(
        session=lunch, rotation=lunch.lunch_rotations.get(number=rotation), user=user
    )


def picks(lunch, user) -> list[tuple[int, int, str]]:
    """(rotation, table, status) of the person's active picks, by their numbers."""
    return list(
        TableSeat.objects.filter(user=user, rotation__session=lunch)
        .exclude(status=Seat.CANCELLED)
        .order_by("rotation__number")
        .values_list("rotation__number", "table__number", "status")
    )


def cell_people(lunch, table: int, rotation: int) -> dict[int, str]:
    rot, tab = cell(lunch, table, rotation)
    return dict(
        TableSeat.objects.filter(rotation=rot, table=tab)
        .exclude(status=Seat.CANCELLED)
        .values_list("user_id", "status")
    )


def lunch_status(lunch, user) -> str | None:
    registration = (
        Registration.objects.filter(session=lunch, user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    return registration.status if registration else None


def fill(lunch, table: int, rotation: int, count: int) -> list:
    people = UserFactory.create_batch(count)
    for person in people:
        take(lunch, person, table, rotation)
    return people


# --- seats and the agenda item ------------------------------------------------------------------


def test_first_pick_seats_the_person_and_puts_the_lunch_on_their_agenda(lunch, trainee):
    seat = take(lunch, trainee, table=1, rotation=1)

    assert seat.status == Seat.CONFIRMED
    assert picks(lunch, trainee) == [(1, 1, Seat.CONFIRMED)]
    assert lunch_status(lunch, trainee) == Registration.Status.CONFIRMED


def test_more_picks_keep_one_lunch_registration(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)
    take(lunch, trainee, table=3, rotation=2)
    take(lunch, trainee, table=4, rotation=3)

    assert picks(lunch, trainee) == [
        (1, 1, Seat.CONFIRMED), (2, 3, Seat.CONFIRMED), (3, 4, Seat.CONFIRMED),
    ]  # fmt: skip
    assert Registration.objects.filter(session=lunch, user=trainee).count() == 1


def test_walk_in_puts_the_lunch_on_the_agenda_without_a_table(lunch, trainee):
    registration = lunch_join(session=lunch, user=trainee)

    assert registration.status == Registration.Status.CONFIRMED
    assert picks(lunch, trainee) == []


def test_walk_in_twice_says_already_on_the_agenda(lunch, trainee):
    lunch_join(session=lunch, user=trainee)

    with pytest.raises(ValidationError) as refused:
        lunch_join(session=lunch, user=trainee)

    assert refused.value.code == "already_registered"
    assert Registration.objects.filter(session=lunch, user=trainee).count() == 1


def test_registration_create_still_refuses_a_tables_session(lunch, trainee):
    with pytest.raises(ValidationError) as refused:
        registration_create(session=lunch, user=trainee)

    assert refused.value.code == "mode"


# --- one table per rotation, each table once ----------------------------------------------------


def test_second_table_in_the_same_rotation_is_refused_and_nothing_changes(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)

    with pytest.raises(ValidationError) as refused:
        take(lunch, trainee, table=3, rotation=1)

    assert refused.value.code == "one_per_rotation"
    assert refused.value.messages == [
        "You already have Table 1 (Clinical hematology — malignant) in rotation 1: one table "
        "per rotation. Change or drop that pick instead; nothing changed."
    ]
    assert picks(lunch, trainee) == [(1, 1, Seat.CONFIRMED)]


def test_same_table_in_another_rotation_is_refused_and_nothing_changes(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)

    with pytest.raises(ValidationError) as refused:
        take(lunch, trainee, table=3, rotation=2)

    assert refused.value.code == "table_once"
    assert refused.value.messages == [
        "You already picked Table 3 (Industry) in rotation 1: each table once, so you meet "
        "more people. Nothing changed."
    ]
    assert picks(lunch, trainee) == [(1, 3, Seat.CONFIRMED)]


def test_a_waitlist_place_counts_as_the_pick_of_its_rotation(lunch, trainee):
    fill(lunch, table=1, rotation=1, count=2)
    take(lunch, trainee, table=1, rotation=1, join_waitlist=True)

    with pytest.raises(ValidationError) as refused:
        take(lunch, trainee, table=3, rotation=1)

    assert refused.value.code == "one_per_rotation"


def test_taking_the_same_cell_twice_says_already_your_pick(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)

    with pytest.raises(ValidationError) as refused:
        take(lunch, trainee, table=1, rotation=1)

    assert refused.value.code == "already_picked"
    assert picks(lunch, trainee) == [(1, 1, Seat.CONFIRMED)]


@pytest.mark.parametrize(
    "second",
    [{"rotation": "same", "table": "other"}, {"rotation": "other", "table": "same"}],
    ids=["two-tables-one-rotation", "one-table-twice"],
)
def test_the_database_refuses_what_the_rules_refuse(lunch, trainee, second):
    rot, tab = cell(lunch, 1, 1)
    other_rot, other_tab = cell(lunch, 2, 2)
    TableSeat.objects.create(rotation=rot, table=tab, user=trainee, status=Seat.CONFIRMED)

    with pytest.raises(IntegrityError), transaction.atomic():
        TableSeat.objects.create(
            rotation=rot if second["rotation"] == "same" else other_rot,
            table=tab if second["table"] == "same" else other_tab,
            user=trainee,
            status=Seat.WAITLISTED,
        )


# --- full tables and waitlists ------------------------------------------------------------------


def test_full_table_is_refused_with_the_same_paths_tables_that_have_seats(lunch, trainee):
    fill(lunch, table=1, rotation=2, count=2)

    with pytest.raises(TableFullError) as refused:
        take(lunch, trainee, table=1, rotation=2)

    assert [t.number for t in refused.value.alternatives] == [2]
    assert refused.value.alternatives[0].seats_left == 2
    assert refused.value.messages == [
        "Table 1 (Clinical hematology — malignant) is full in rotation 2. Other Clinical "
        "hematology — malignant tables with seats then: Table 2 (2 seats left). You can also "
        "join its waitlist."
    ]
    assert picks(lunch, trainee) == []
    assert lunch_status(lunch, trainee) is None


def test_alternatives_leave_out_full_tables_and_tables_the_person_already_picked(lunch, trainee):
    fill(lunch, table=1, rotation=2, count=2)
    take(lunch, trainee, table=2, rotation=1)

    with pytest.raises(TableFullError) as refused:
        take(lunch, trainee, table=1, rotation=2)

    assert refused.value.alternatives == []
    assert "No other Clinical hematology — malignant table has a seat then." in str(refused.value)


def test_full_table_with_waitlist_asked_for_gives_a_place_in_arrival_order(lunch):
    fill(lunch, table=3, rotation=1, count=2)
    first, second = UserFactory(), UserFactory()

    take(lunch, first, table=3, rotation=1, join_waitlist=True)
    take(lunch, second, table=3, rotation=1, join_waitlist=True)

    people = cell_people(lunch, 3, 1)
    assert (people[first.pk], people[second.pk]) == (Seat.WAITLISTED, Seat.WAITLISTED)
    assert lunch_status(lunch, first) == Registration.Status.CONFIRMED


def test_dropping_a_seat_promotes_the_first_waiting_and_emails_them(lunch):
    seated = fill(lunch, table=3, rotation=1, count=2)
    first, second = UserFactory(), UserFactory()
    take(lunch, first, table=3, rotation=1, join_waitlist=True)
    take(lunch, second, table=3, rotation=1, join_waitlist=True)

    drop(lunch, seated[0], rotation=1)

    people = cell_people(lunch, 3, 1)
    assert people == {
        seated[1].pk: Seat.CONFIRMED,
        first.pk: Seat.CONFIRMED,
        second.pk: Seat.WAITLISTED,
    }
    (email,) = Notification.objects.filter(kind="lunch_table_promoted")
    assert email.user_id == first.pk
    assert email.context["table_label"] == "Table 3 (Industry)"
    assert email.context["rotation_number"] == 1


def test_drop_keeps_the_lunch_on_the_agenda(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)

    drop(lunch, trainee, rotation=1)

    assert picks(lunch, trainee) == []
    assert lunch_status(lunch, trainee) == Registration.Status.CONFIRMED


def test_drop_without_a_pick_in_that_rotation_is_refused(lunch, trainee):
    with pytest.raises(ValidationError) as refused:
        drop(lunch, trainee, rotation=2)

    assert refused.value.code == "no_pick"


def test_more_seats_from_staff_promote_the_waiting(lunch):
    fill(lunch, table=3, rotation=1, count=2)
    waiting = UserFactory()
    take(lunch, waiting, table=3, rotation=1, join_waitlist=True)
    LunchTable.objects.filter(session=lunch, number=3).update(seats=3)

    promoted = table_waitlists_promote(session=lunch)

    assert [seat.user_id for seat in promoted] == [waiting.pk]
    assert cell_people(lunch, 3, 1)[waiting.pk] == Seat.CONFIRMED


# --- change -------------------------------------------------------------------------------------


def test_change_moves_the_pick_and_gives_the_old_seat_to_the_waitlist(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    fill(lunch, table=3, rotation=1, count=1)
    waiting = UserFactory()
    take(lunch, waiting, table=3, rotation=1, join_waitlist=True)

    change(lunch, trainee, table=4, rotation=1)

    assert picks(lunch, trainee) == [(1, 4, Seat.CONFIRMED)]
    assert cell_people(lunch, 3, 1)[waiting.pk] == Seat.CONFIRMED


def test_change_to_a_full_table_is_refused_and_keeps_the_pick(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    fill(lunch, table=4, rotation=1, count=2)

    with pytest.raises(TableFullError) as refused:
        change(lunch, trainee, table=4, rotation=1)

    assert "Your pick of Table 3 (Industry) is unchanged." in str(refused.value)
    assert picks(lunch, trainee) == [(1, 3, Seat.CONFIRMED)]


def test_change_to_a_full_table_with_waitlist_gives_up_the_old_seat(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    fill(lunch, table=4, rotation=1, count=2)

    change(lunch, trainee, table=4, rotation=1, join_waitlist=True)

    assert picks(lunch, trainee) == [(1, 4, Seat.WAITLISTED)]


def test_change_to_a_table_picked_in_another_rotation_is_refused(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    take(lunch, trainee, table=4, rotation=2)

    with pytest.raises(ValidationError) as refused:
        change(lunch, trainee, table=3, rotation=2)

    assert refused.value.code == "table_once"
    assert picks(lunch, trainee) == [(1, 3, Seat.CONFIRMED), (2, 4, Seat.CONFIRMED)]


def test_change_without_a_pick_in_that_rotation_is_refused(lunch, trainee):
    with pytest.raises(ValidationError) as refused:
        change(lunch, trainee, table=3, rotation=1)

    assert refused.value.code == "no_pick"


# --- leaving the lunch --------------------------------------------------------------------------


def test_cancelling_the_lunch_drops_the_tables_and_promotes_their_waitlists(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    take(lunch, trainee, table=4, rotation=2)
    fill(lunch, table=3, rotation=1, count=1)
    waiting = UserFactory()
    take(lunch, waiting, table=3, rotation=1, join_waitlist=True)

    registration_cancel(session=lunch, user=trainee)

    assert picks(lunch, trainee) == []
    assert lunch_status(lunch, trainee) is None
    assert cell_people(lunch, 3, 1)[waiting.pk] == Seat.CONFIRMED


def test_switching_from_the_lunch_to_an_overlapping_session_drops_the_tables(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    talk = SessionFactory(event=lunch.event, starts_at=lunch.starts_at + dt.timedelta(minutes=30))

    registration_switch(session=talk, replace=lunch, user=trainee)

    assert picks(lunch, trainee) == []
    assert lunch_status(lunch, trainee) is None


# --- clashes and who may pick -------------------------------------------------------------------


def test_a_pick_that_would_clash_with_a_seat_elsewhere_is_refused_and_writes_nothing(
    lunch, trainee
):
    talk = SessionFactory(
        event=lunch.event, title="Grant writing", starts_at=lunch.starts_at + dt.timedelta(hours=1)
    )
    registration_create(session=talk, user=trainee)

    with pytest.raises(ClashError) as refused:
        take(lunch, trainee, table=1, rotation=1)

    assert refused.value.clashing == talk
    assert picks(lunch, trainee) == []
    assert lunch_status(lunch, trainee) is None


def test_the_lunch_clashes_with_an_overlapping_session_registered_later(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)
    talk = SessionFactory(event=lunch.event, starts_at=lunch.starts_at - dt.timedelta(minutes=15))

    with pytest.raises(ClashError) as refused:
        registration_create(session=talk, user=trainee)

    assert refused.value.clashing == lunch


def test_a_session_right_after_the_lunch_does_not_clash(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)
    talk = SessionFactory(event=lunch.event, starts_at=lunch.ends_at)

    registration = registration_create(session=talk, user=trainee)

    assert registration.status == Registration.Status.CONFIRMED


def test_an_unverified_account_cannot_pick(lunch):
    person = UserFactory(verified=False)

    with pytest.raises(ValidationError) as refused:
        take(lunch, person, table=1, rotation=1)

    assert refused.value.code == "unverified"
    assert picks(lunch, person) == []


def test_after_registration_closes_picks_are_refused_but_drops_still_work(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)
    Session.objects.filter(pk=lunch.pk).update(
        registration_closes_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    lunch.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        take(lunch, trainee, table=3, rotation=2)
    drop(lunch, trainee, rotation=1)

    assert refused.value.code == "window"
    assert picks(lunch, trainee) == []


def test_a_table_of_another_lunch_is_refused(make_lunch, lunch, trainee):
    other = make_lunch(event=lunch.event)
    rotation = lunch.lunch_rotations.get(number=1)
    foreign = other.lunch_tables.get(number=1)

    with pytest.raises(ValidationError) as refused:
        table_seat_take(session=lunch, rotation=rotation, table=foreign, user=trainee)

    assert refused.value.code == "other"
    assert not TableSeat.objects.exists()


# --- staff: rotations and copies -------------------------------------------------------------


def test_rotations_are_generated_back_to_back_from_the_lunch_start(make_lunch):
    lunch = make_lunch(rotations=0)

    lunch_rotations_generate(session=lunch, count=3, minutes=25)

    assert [
        (r.number, r.starts_at.astimezone(NY).time(), r.ends_at.astimezone(NY).time())
        for r in LunchRotation.objects.filter(session=lunch)
    ] == [
        (1, dt.time(12, 0), dt.time(12, 25)),
        (2, dt.time(12, 25), dt.time(12, 50)),
        (3, dt.time(12, 50), dt.time(13, 15)),
    ]


def test_rotations_that_would_outlast_the_lunch_are_refused(make_lunch):
    lunch = make_lunch(rotations=0)

    with pytest.raises(ValidationError) as refused:
        lunch_rotations_generate(session=lunch, count=4, minutes=25)

    assert refused.value.messages == [
        "4 rotations of 25 minutes would end at 13:40, after the lunch ends (13:30)."
    ]
    assert not LunchRotation.objects.exists()


def test_rotations_with_picks_are_not_regenerated(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)

    with pytest.raises(ValidationError) as refused:
        lunch_rotations_generate(session=lunch, count=2, minutes=30)

    assert refused.value.code == "has_seats"
    assert lunch.lunch_rotations.count() == 3


def test_copying_tables_brings_the_hosts_along(make_lunch, lunch):
    mentor = UserFactory()
    TableHost.objects.filter(table__session=lunch, table__number=1).update(user=mentor)
    next_year = make_lunch(tables=0)

    lunch_tables_copy(source=lunch, target=next_year)

    copied = [
        (
            t.number,
            t.career_path.slug,
            t.title,
            t.seats,
            [(h.name, h.user_id) for h in t.hosts.all()],
        )
        for t in next_year.lunch_tables.select_related("career_path").prefetch_related("hosts")
    ]
    assert copied == [
        (1, "clinical-malignant", "Table talk 1", 2, [("Dr. Host 1", mentor.pk)]),
        (2, "clinical-malignant", "Table talk 2", 2, [("Dr. Host 2", None)]),
        (3, "industry", "Table talk 3", 2, [("Dr. Host 3", None)]),
        (4, "government", "Table talk 4", 2, [("Dr. Host 4", None)]),
    ]


def test_copying_into_a_lunch_that_has_tables_is_refused(make_lunch, lunch):
    other = make_lunch(tables=1)

    with pytest.raises(ValidationError) as refused:
        lunch_tables_copy(source=lunch, target=other)

    assert refused.value.code == "has_tables"
    assert other.lunch_tables.count() == 1


def test_the_promotion_email_names_the_table_and_the_rotation(lunch, mailoutbox):
    seated = fill(lunch, table=3, rotation=1, count=2)
    waiting = UserFactory(name="Wai Ting")
    take(lunch, waiting, table=3, rotation=1, join_waitlist=True)
    drop(lunch, seated[0], rotation=1)
    (row,) = Notification.objects.filter(kind="lunch_table_promoted")

    notification_deliver(notification_id=row.pk)

    (message,) = mailoutbox
    assert message.to == [waiting.email]
    assert message.subject == "A seat opened at your lunch table: Table 3 (Industry), rotation 1"
    assert "Dear Wai Ting," in message.body
    assert "Rotation 1, 12:00–12:20" in message.body
