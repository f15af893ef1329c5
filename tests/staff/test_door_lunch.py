"""The career lunch at the door: seats by rotation and table, one tap in and one to undo,
walk-ins to a table with free seats, who may use it, and two staff at once."""

import datetime as dt
import re
from collections import Counter

import pytest
import time_machine
from django.urls import reverse

from events.lunch.services import table_seat_take, table_seat_walk_in
from events.models import Registration, TableHost, TableSeat
from notifications.models import Notification
from staff.services_door import lunch_seat_checkin_mark
from tests.concurrency import run_at_once
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import NY, SessionFactory, UserFactory, staff_with

DOOR = "events.change_registration"


@pytest.fixture
def door(client):
    user = staff_with(DOOR, name="Dora Door")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def lunch():
    return lunch_make(tables=3, rotations=2, seats=2)


def seat(lunch, name, *, table=1, rotation=1, **kwargs):
    user = UserFactory(name=name, **kwargs)
    r, t = cell(lunch, table, rotation)
    return table_seat_take(session=lunch, rotation=r, table=t, user=user)


def page(lunch):
    return reverse("staff:checkin_lunch", kwargs={"session_id": lunch.pk})


def mark_url(lunch, s):
    return reverse("staff:checkin_lunch_seat", kwargs={"session_id": lunch.pk, "seat_id": s.pk})


def walk_in_url(lunch):
    return reverse("staff:checkin_lunch_walk_in", kwargs={"session_id": lunch.pk})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def lunch_registration(lunch, user) -> Registration:
    return Registration.objects.get(session=lunch, user=user, status="confirmed")


@pytest.mark.django_db
def test_the_checkin_address_of_a_lunch_opens_its_door_page(door, lunch):
    response = door.get(reverse("staff:checkin", kwargs={"session_id": lunch.pk}))

    assert response.status_code == 302
    assert response["Location"] == page(lunch)


@pytest.mark.django_db
def test_the_page_groups_seats_by_rotation_then_table_with_path_host_and_counts(door, lunch):
    ada = seat(lunch, "Ada Alvarez", table=1, rotation=1)
    seat(lunch, "Ben Brooks", table=1, rotation=1)
    seat(lunch, "Cy Chen", table=3, rotation=2)
    lunch_seat_checkin_mark(seat=ada, by=door.user)
    TableHost.objects.filter(table__session=lunch, table__number=1).update(name="Dr. Hana Host")

    with time_machine.travel(dt.datetime(2030, 12, 7, 11, 0, tzinfo=NY)):  # before: rotation 1
        first = text(door.get(page(lunch)))
    second = text(door.get(page(lunch), {"rotation": "2"}))

    assert "Rotation 1, 12:00–12:20 (America/New_York): 1 in of 2 expected" in first
    assert "Table 1 · Clinical hematology — malignant" in first
    assert "Host: Dr. Hana Host" in first
    assert "1 in of 2 seated · full (2 seats)" in first
    assert "Ada Alvarez" in first and "Ben Brooks" in first and "Cy Chen" not in first
    assert "In at " in first and "by Dora Door" in first
    assert "Rotation 2, 12:20–12:40 (America/New_York): 0 in of 1 expected" in second
    assert "Cy Chen" in second and "Ada Alvarez" not in second


@pytest.mark.django_db
def test_during_the_lunch_the_running_rotation_opens_first(door, lunch):
    seat(lunch, "Cy Chen", table=2, rotation=2)

    with time_machine.travel(dt.datetime(2030, 12, 7, 12, 25, tzinfo=NY)):
        response = door.get(page(lunch))

    assert response.context["door"].rotation.rotation.number == 2
    assert "Cy Chen" in text(response)


@pytest.mark.django_db
def test_one_tap_checks_a_seat_in_and_another_undoes_it_with_the_lunch_mark_following(door, lunch):
    first = seat(lunch, "Ada Alvarez", table=1, rotation=1)
    r2, t2 = cell(lunch, 2, 2)
    second = table_seat_take(session=lunch, rotation=r2, table=t2, user=first.user)
    registration = lunch_registration(lunch, first.user)

    response = door.post(mark_url(lunch, first), {"attended": "1", "rotation": "1"}, follow=True)
    door.post(mark_url(lunch, second), {"attended": "1"})

    assert messages_of(response) == ["Ada Alvarez is checked in at table 1, rotation 1."]
    assert response.redirect_chain[-1][0] == page(lunch) + "?rotation=1"
    first.refresh_from_db()
    registration.refresh_from_db()
    assert first.checked_in_by == door.user and first.checked_in_at is not None
    assert registration.checked_in_at is not None  # the dashboard counts the lunch as attended

    door.post(mark_url(lunch, first), {"attended": "0"})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None  # still seated in rotation 2

    response = door.post(mark_url(lunch, second), {"attended": "0"}, follow=True)
    assert messages_of(response)[-1] == (
        "Ada Alvarez is no longer checked in at table 2, rotation 2."
    )
    registration.refresh_from_db()
    first.refresh_from_db()
    assert first.checked_in_at is None
    assert registration.checked_in_at is None and registration.checked_in_by is None


@pytest.mark.django_db
def test_a_second_tap_keeps_the_first_mark(door, lunch):
    s = seat(lunch, "Ada Alvarez")
    other = staff_with(DOOR, email="other@example.org")
    lunch_seat_checkin_mark(seat=s, by=other)
    before = TableSeat.objects.get(pk=s.pk).checked_in_at

    response = door.post(mark_url(lunch, s), {"attended": "1"}, follow=True)

    assert messages_of(response) == [
        "Ada Alvarez was already checked in at table 1, rotation 1; nothing changed."
    ]
    s.refresh_from_db()
    assert (s.checked_in_at, s.checked_in_by) == (before, other)


@pytest.mark.django_db
@pytest.mark.parametrize("attended", ["", "2", "yes"])
def test_a_bad_attended_value_says_so_and_changes_nothing(door, lunch, attended):
    s = seat(lunch, "Ada Alvarez")

    response = door.post(mark_url(lunch, s), {"attended": attended}, follow=True)

    assert messages_of(response) == ["Choose check in or undo; nothing changed."]
    s.refresh_from_db()
    assert s.checked_in_at is None


@pytest.mark.django_db
def test_a_seat_of_another_lunch_or_a_waitlist_place_is_a_404(door, lunch):
    other = lunch_make(tables=1, rotations=1, seats=1, title="Another lunch")
    theirs = seat(other, "Ona Other")
    seat(lunch, "Ada Alvarez")
    seat(lunch, "Ben Brooks")
    r, t = cell(lunch, 1, 1)
    waiting = table_seat_take(
        session=lunch, rotation=r, table=t, user=UserFactory(), join_waitlist=True
    )

    assert door.post(mark_url(lunch, theirs), {"attended": "1"}).status_code == 404
    assert door.post(mark_url(lunch, waiting), {"attended": "1"}).status_code == 404
    assert not TableSeat.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_session_that_is_no_lunch_has_no_lunch_door(door):
    talk = SessionFactory()
    assert door.get(page(talk)).status_code == 404


@pytest.mark.django_db
def test_a_walk_in_takes_a_free_seat_checked_in_with_the_lunch_on_their_agenda(door, lunch):
    walker = UserFactory(name="Wes Walker", email="wes@example.org")
    r, t = cell(lunch, 2, 1)

    with time_machine.travel(dt.datetime(2030, 12, 7, 12, 5, tzinfo=NY)):  # the lunch runs
        response = door.post(
            walk_in_url(lunch),
            {"rotation_id": r.pk, "table_id": t.pk, "person": "WES@example.org", "rotation": "1"},
            follow=True,
        )

    assert messages_of(response) == [
        "Wes Walker is seated at table 2 in rotation 1 and checked in."
    ]
    s = TableSeat.objects.get(user=walker)
    assert (s.table, s.rotation, s.status) == (t, r, "confirmed")
    assert s.checked_in_by == door.user
    registration = lunch_registration(lunch, walker)
    assert registration.checked_in_at is not None
    assert Notification.objects.filter(user=walker, kind="lunch_joined").count() == 1


@pytest.mark.django_db
def test_a_walk_in_by_a_unique_name_finds_the_account(door, lunch):
    walker = UserFactory(name="Wes Walker")
    r, t = cell(lunch, 2, 1)

    door.post(walk_in_url(lunch), {"rotation_id": r.pk, "table_id": t.pk, "person": "wes walk"})

    assert TableSeat.objects.filter(user=walker, table=t, rotation=r).exists()


@pytest.mark.django_db
def test_a_walk_in_to_a_full_table_is_refused_clearly_and_changes_nothing(door, lunch):
    seat(lunch, "Ada Alvarez", table=1)
    seat(lunch, "Ben Brooks", table=1)
    walker = UserFactory(name="Wes Walker", email="wes@example.org")
    r, t = cell(lunch, 1, 1)
    seats_before = list(TableSeat.objects.values_list("pk", "status", "checked_in_at"))
    outbox_before = Notification.objects.count()

    response = door.post(
        walk_in_url(lunch),
        {"rotation_id": r.pk, "table_id": t.pk, "person": "wes@example.org"},
        follow=True,
    )

    assert messages_of(response) == [
        "Table 1 (Clinical hematology — malignant) is full in rotation 1 (2 of 2 seats taken); "
        "choose a table with free seats. Nothing changed."
    ]
    assert list(TableSeat.objects.values_list("pk", "status", "checked_in_at")) == seats_before
    assert not Registration.objects.filter(user=walker).exists()
    assert Notification.objects.count() == outbox_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("", "Type the person's email or name."),
        ("nobody@example.org", "No account has the email “nobody@example.org”. Nothing changed."),
        ("Zed Nobody", "No account's name contains “Zed Nobody”. Nothing changed."),
        ("Twin", "More than one account's name contains “Twin”: type the email instead."),
    ],
)
def test_a_walk_in_for_no_or_several_accounts_says_so(door, lunch, person, message):
    UserFactory(name="Twin One")
    UserFactory(name="Twin Two")
    r, t = cell(lunch, 2, 1)

    response = door.post(
        walk_in_url(lunch), {"rotation_id": r.pk, "table_id": t.pk, "person": person}, follow=True
    )

    assert messages_of(response) == [message]
    assert not TableSeat.objects.exists()


@pytest.mark.django_db
def test_a_walk_in_to_a_table_of_another_lunch_changes_nothing(door, lunch):
    other = lunch_make(tables=1, rotations=1, title="Another lunch")
    r, _ = cell(lunch, 1, 1)
    _, their_table = cell(other, 1, 1)
    UserFactory(email="wes@example.org")

    response = door.post(
        walk_in_url(lunch),
        {"rotation_id": r.pk, "table_id": their_table.pk, "person": "wes@example.org"},
        follow=True,
    )

    assert messages_of(response) == ["Choose one of this lunch's tables; nothing changed."]
    assert not TableSeat.objects.exists()


@pytest.mark.django_db
def test_a_walk_in_already_seated_in_that_rotation_is_refused(door, lunch):
    s = seat(lunch, "Ada Alvarez", table=1)
    r, t = cell(lunch, 2, 1)

    response = door.post(
        walk_in_url(lunch),
        {"rotation_id": r.pk, "table_id": t.pk, "person": s.user.email},
        follow=True,
    )

    assert messages_of(response) == [
        "Ada Alvarez already has a seat at Table 1 (Clinical hematology — malignant) in "
        "rotation 1; nothing changed."
    ]
    assert TableSeat.objects.filter(user=s.user).count() == 1


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_staff_without_the_permission_get_403(client, lunch):
    s = seat(lunch, "Ada Alvarez")
    r, t = cell(lunch, 2, 1)
    posts = [
        (mark_url(lunch, s), {"attended": "1"}),
        (walk_in_url(lunch), {"rotation_id": r.pk, "table_id": t.pk, "person": s.user.email}),
    ]

    assert "/accounts/login/" in client.get(page(lunch))["Location"]
    for url, data in posts:
        assert "/accounts/login/" in client.post(url, data)["Location"]
    client.force_login(UserFactory(is_staff=True))
    assert client.get(page(lunch)).status_code == 403
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert list(TableSeat.objects.values_list("checked_in_at", flat=True)) == [None]


@pytest.mark.django_db
@pytest.mark.parametrize("people", [4, 24])
def test_the_page_costs_the_same_queries_for_a_small_or_a_big_lunch(
    door, django_assert_max_num_queries, people
):
    big = lunch_make(tables=12, rotations=3, seats=8)
    for n in range(people):
        seat(big, f"Person {n:02d}", table=n % 12 + 1, rotation=1)

    with django_assert_max_num_queries(9 + login_session_queries()):
        response = door.get(page(big), {"rotation": "1"})

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_staff_marking_the_same_seats_at_once_never_lose_or_overwrite_a_mark(postgres):
    lunch = lunch_make(tables=4, rotations=1, seats=5)
    seats = [seat(lunch, f"Person {n:02d}", table=n % 4 + 1) for n in range(20)]
    one, two = staff_with(DOOR, email="one@example.org"), staff_with(DOOR, email="two@example.org")

    def door_pass(staff, order):
        return [(s.pk, lunch_seat_checkin_mark(seat=s, by=staff)) for s in order]

    results = run_at_once([lambda: door_pass(one, seats), lambda: door_pass(two, seats[::-1])])

    assert not [r for r in results if isinstance(r, Exception)]
    assert Counter(pk for rows in results for pk, won in rows if won) == {s.pk: 1 for s in seats}
    winners = {pk: staff for staff, rows in zip((one, two), results) for pk, won in rows if won}
    for s in TableSeat.objects.filter(rotation__session=lunch):
        assert s.checked_in_by_id == winners[s.pk].pk
    assert Registration.objects.filter(session=lunch, checked_in_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_for_the_last_seat_seat_one_and_refuse_the_other(postgres):
    lunch = lunch_make(tables=1, rotations=1, seats=1)
    r, t = cell(lunch, 1, 1)
    staff = staff_with(DOOR)
    people = [UserFactory(name=f"Walker {n}") for n in range(2)]

    results = run_at_once(
        [
            lambda p=p: table_seat_walk_in(session=lunch, rotation=r, table=t, user=p, by=staff)
            for p in people
        ]
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "is full in rotation 1" in str(refused[0])
    assert TableSeat.objects.confirmed().filter(table=t, rotation=r).count() == 1
