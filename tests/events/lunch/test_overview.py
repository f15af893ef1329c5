"""The staff overview counts people, not distinct profile values: everyone seated counts once
however many seats they hold, two people with the same dietary need count two, and the page,
the per-table CSV rosters and the seated totals tell the same story."""

import csv
import io
import re
from collections import Counter

import pytest
from django.urls import reverse

from accounts.models import Profile
from events.lunch.services import lunch_join, table_seat_take
from events.models import Registration, Session, TableSeat
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import cell
from tests.factories import UserFactory, staff_with

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Seat = TableSeat.Status

# Nine people seated (name, dietary needs, accessibility needs, [(table, rotation), ...]):
# identical needs on several people, and some people at a table in every rotation.
SEATED = [
    ("Ana", "Vegan", "", [(1, 1), (2, 2), (3, 3)]),
    ("Ben", "Vegan", "", [(1, 1)]),
    ("Cleo", "Vegetarian", "", [(2, 1), (1, 2)]),
    ("Dev", "Vegetarian", "", [(2, 1)]),
    ("Eli", "Vegetarian", "", [(3, 2)]),
    ("Fay", "Halal", "Wheelchair access", [(3, 1), (4, 2), (1, 3)]),
    ("Gus", "", "Wheelchair access", [(4, 3)]),
    ("Hal", "", "", [(4, 3)]),
    ("Ida", "", "", [(4, 3)]),
]


def url(name: str, lunch_three_seats: Session, **kwargs) -> str:
    return reverse(
        f"events:{name}",
        kwargs={"slug": lunch_three_seats.event.slug, "pk": lunch_three_seats.pk, **kwargs},
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def guest(name: str, dietary: str = "", accessibility: str = ""):
    user = UserFactory(name=name, email=f"{name.lower()}@example.org")
    Profile.objects.filter(user=user).update(
        dietary_needs=dietary, accessibility_needs=accessibility
    )
    return user


def take(lunch_three_seats, user, table: int, rotation: int, **kwargs) -> TableSeat:
    rot, tab = cell(lunch_three_seats, table, rotation)
    return table_seat_take(session=lunch_three_seats, rotation=rot, table=tab, user=user, **kwargs)


@pytest.fixture
def lunch_three_seats(make_lunch):
    return make_lunch(tables=4, rotations=3, seats=3)


@pytest.fixture
def crowd(lunch_three_seats):
    """Nine people seated, one vegan only on a full table's waitlist, one vegan walking in."""
    for name, dietary, accessibility, seats in SEATED:
        user = guest(name, dietary, accessibility)
        for table, rotation in seats:
            take(lunch_three_seats, user, table, rotation)
    take(lunch_three_seats, guest("Wai", "Vegan"), 4, 3, join_waitlist=True)
    lunch_join(session=lunch_three_seats, user=guest("Walker", "Vegan"))


@pytest.fixture
def staff_member_client(client):
    client.force_login(staff_with("events.view_catering_needs", "events.view_tableseat"))
    return client


def seated_profiles(lunch_three_seats) -> list[Profile]:
    """Everyone holding at least one confirmed seat, each once, straight from the database."""
    seated = TableSeat.objects.filter(rotation__session=lunch_three_seats, status=Seat.CONFIRMED)
    return list(Profile.objects.filter(user__in=seated.values("user")))


def roster_rows(client, lunch_three_seats) -> list[dict]:
    rows = []
    for table in lunch_three_seats.lunch_tables.order_by("number"):
        response = client.get(url("lunch_table_roster", lunch_three_seats, table_id=table.pk))
        rows += list(csv.DictReader(io.StringIO(response.content.decode())))
    return rows


def test_overview_counts_each_seated_person_once_however_many_seats_they_hold(
    staff_member_client, lunch_three_seats, crowd
):
    registered = Registration.objects.filter(
        session=lunch_three_seats, status=Registration.Status.CONFIRMED
    ).count()
    seated = len(seated_profiles(lunch_three_seats))

    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    assert (registered, seated) == (11, 9)
    assert (
        f"{registered} people have the lunch on their agenda; "
        f"{seated} of them hold at least one table seat."
    ) in page
    assert f"Catering: needs of the {seated} people seated" in page


def test_overview_counts_two_people_with_the_same_dietary_need_as_two(
    staff_member_client, lunch_three_seats, crowd
):
    dietary = Counter(
        p.dietary_needs for p in seated_profiles(lunch_three_seats) if p.dietary_needs
    )
    accessibility = Counter(
        p.accessibility_needs for p in seated_profiles(lunch_three_seats) if p.accessibility_needs
    )

    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    assert dietary == {"Vegetarian": 3, "Vegan": 2, "Halal": 1}
    assert "Dietary needs Vegetarian: 3 Vegan: 2 Halal: 1" in page
    assert accessibility == {"Wheelchair access": 2}
    assert "Accessibility needs Wheelchair access: 2" in page


def test_overview_catering_counts_equal_the_people_in_the_table_rosters(
    staff_member_client, lunch_three_seats, crowd
):
    rows = [
        row
        for row in roster_rows(staff_member_client, lunch_three_seats)
        if row["status"] == "confirmed"
    ]
    needs_by_person = {row["email"]: row["dietary_needs"] for row in rows}
    from_rosters = Counter(need for need in needs_by_person.values() if need)

    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    assert len(needs_by_person) == 9
    assert f"{len(needs_by_person)} of them hold at least one table seat." in page
    listed = " ".join(f"{need}: {n}" for need, n in from_rosters.most_common())
    assert f"Dietary needs {listed}" in page


def test_overview_seated_totals_per_rotation_equal_the_confirmed_rows_of_the_rosters(
    staff_member_client, lunch_three_seats, crowd
):
    rows = roster_rows(staff_member_client, lunch_three_seats)
    per_rotation = Counter(row["rotation"] for row in rows if row["status"] == "confirmed")

    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    totals = " ".join(f"{per_rotation[str(n)]} / 12" for n in (1, 2, 3))
    assert per_rotation == {"1": 5, "2": 4, "3": 5}
    assert f"All tables {totals}" in page


def test_overview_leaves_people_without_a_table_seat_out_of_the_seated_needs(
    staff_member_client, lunch_three_seats, crowd
):
    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    seated_part = page.split("people seated", 1)[1].split("without a table seat", 1)[0]
    assert "Vegan: 2" in seated_part
    assert "Vegan: 3" not in seated_part


def test_overview_lists_the_needs_of_people_on_the_agenda_without_a_table_seat(
    staff_member_client, lunch_three_seats, crowd
):
    page = text(staff_member_client.get(url("lunch_overview", lunch_three_seats)))

    assert (
        "Catering: needs of the 2 people without a table seat They have the lunch on their "
        "agenda and walk in, or are only on a table's waitlist: plan food for them too. "
        "Dietary needs Vegan: 2 Accessibility needs None stated"
    ) in page


# Exact, the same for 4 tables and 40, 10 people and 100: (login session), user, the staff
# member's own and group permissions, event, the lunch, rotations, tables, hosts, seats with
# their people, seat totals.
OVERVIEW_QUERIES = 10 + login_session_queries()


@pytest.mark.parametrize(("tables", "people"), [(4, 10), (40, 100)])
def test_overview_queries_do_not_grow_with_tables_or_people(
    staff_member_client, make_lunch, django_assert_num_queries, tables, people
):
    lunch_three_seats = make_lunch(tables=tables, rotations=3, seats=3)
    for number in range(people):
        table, rotation = 1 + number % tables, 1 + number // tables % 3
        take(
            lunch_three_seats,
            guest(f"Guest{number}", "Vegan" if number % 2 else ""),
            table,
            rotation,
        )

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = staff_member_client.get(url("lunch_overview", lunch_three_seats))

    assert text(response).count("People at Table") == tables
