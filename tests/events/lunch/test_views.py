"""The lunch through the browser's eyes: the grid, one CSRF-protected POST per pick, bad input,
who may see which list, staff fill and catering, my agenda and the calendar feed."""

import csv
import datetime as dt
import io
import re

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CareerPath, CareerStage, Profile, User
from events.lunch.services import table_seat_take
from events.models import Registration, Session, TableHost, TableSeat
from events.services import registration_create
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import cell
from tests.factories import (
    SessionFactory,
    TableSeatFactory,
    UserFactory,
    approve_mentor,
    staff_with,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Seat = TableSeat.Status
# Exact, the same for 4 tables and 40: event, the lunch, (login session), user, my
# registration, rotations, tables, hosts, seat counts, my seats, my stage and interests, and
# (for the staff links) the person's own and group permissions.
GRID_QUERIES = 12 + login_session_queries()


def url(name: str, lunch: Session, **kwargs) -> str:
    return reverse(f"events:{name}", kwargs={"slug": lunch.event.slug, "pk": lunch.pk, **kwargs})


def take_url(lunch, table: int, rotation: int) -> str:
    rot, tab = cell(lunch, table, rotation)
    return url("lunch_take", lunch, table_id=tab.pk, rotation_id=rot.pk)


def change_url(lunch, table: int, rotation: int) -> str:
    rot, tab = cell(lunch, table, rotation)
    return url("lunch_change", lunch, table_id=tab.pk, rotation_id=rot.pk)


def drop_url(lunch, rotation: int) -> str:
    return url("lunch_drop", lunch, rotation_id=lunch.lunch_rotations.get(number=rotation).pk)


def take(lunch, user, table: int, rotation: int, **kwargs) -> TableSeat:
    rot, tab = cell(lunch, table, rotation)
    return table_seat_take(session=lunch, rotation=rot, table=tab, user=user, **kwargs)


def picks(lunch, user) -> list[tuple[int, int, str]]:
    return list(
        TableSeat.objects.filter(user=user, rotation__session=lunch)
        .exclude(status=Seat.CANCELLED)
        .order_by("rotation__number")
        .values_list("rotation__number", "table__number", "status")
    )


def csrf_client(user: User, lunch: Session) -> tuple[Client, str]:
    """A logged-in client that enforces CSRF, with the token the grid handed out."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(url("lunch_grid", lunch))
    return client, client.cookies["csrftoken"].value


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


# --- the grid -----------------------------------------------------------------------------------


def test_grid_shows_paths_hosts_and_seats_left_per_cell(client, lunch, trainee):
    take(lunch, UserFactory(), table=3, rotation=2)
    client.force_login(trainee)

    response = client.get(url("lunch_grid", lunch))

    page = text(response)
    assert response.status_code == 200
    assert "Table 3 Industry Table talk 3 Dr. Host 3 , Attending — Bayview University" in page
    assert "Rotation 1 12:00 –12:20 Rotation 2 12:20 –12:40 Rotation 3 12:40 –13:00" in page
    row = re.search(
        r'<tr id="table-\d+">\s*<th scope="row">\s*<span class="table-number">Table 3</span>.*?</tr>',
        response.content.decode(),
        re.S,
    ).group(0)
    assert re.findall(r"(\d of 2 seats left|Full)", row) == [
        "2 of 2 seats left",
        "1 of 2 seats left",
        "2 of 2 seats left",
    ]


def test_grid_marks_the_tables_on_the_persons_interests(client, lunch, trainee):
    trainee.profile.interests.set(CareerPath.objects.filter(slug="industry"))
    client.force_login(trainee)

    response = client.get(url("lunch_grid", lunch))

    marked = re.findall(
        r'<tr id="table-\d+" class="interest">\s*<th scope="row">\s*<span class="table-number">(Table \d+)',
        response.content.decode(),
    )
    assert marked == ["Table 3"]


def test_grid_offers_drop_switch_and_waitlist_where_they_apply(client, lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    for person in UserFactory.create_batch(2):
        take(lunch, person, table=4, rotation=2)
    client.force_login(trainee)

    content = client.get(url("lunch_grid", lunch)).content.decode()

    buttons = re.findall(
        r'<button type="submit"[^>]*>([^<]+)<span class="visually-hidden"> — (Table \d, rotation \d)',
        content,
    )
    assert ("Drop", "Table 3, rotation 1") in buttons
    assert ("Switch here", "Table 4, rotation 1") in buttons
    assert ("Join the waitlist", "Table 4, rotation 2") in buttons
    assert ("Take a seat", "Table 1, rotation 2") in buttons
    assert not [b for b in buttons if b[1] in {"Table 3, rotation 2", "Table 3, rotation 3"}]
    assert content.count("Your pick in rotation 1") == 2


def test_anonymous_visitors_see_the_grid_with_a_login_link_and_no_forms(client, lunch):
    response = client.get(url("lunch_grid", lunch))

    assert response.status_code == 200
    assert "Log in to pick tables" in response.content.decode()
    assert '<form method="post" action="/events/' not in response.content.decode()


@pytest.mark.parametrize("tables", [4, 40])
def test_grid_queries_do_not_grow_with_tables(
    client, make_lunch, trainee, django_assert_num_queries, tables
):
    lunch = make_lunch(tables=tables, seats=3)
    for number in range(1, tables + 1, 3):
        take(lunch, UserFactory(), table=number, rotation=1 + number % 3)
    take(lunch, trainee, table=2, rotation=1)
    trainee.profile.interests.set(CareerPath.objects.all()[:3])
    client.force_login(trainee)

    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(url("lunch_grid", lunch))

    assert response.content.decode().count('<tr id="table-') == tables


def test_session_page_of_the_lunch_links_to_the_grid(client, lunch):
    response = client.get(lunch.get_absolute_url())

    assert f'href="{url("lunch_grid", lunch)}"' in response.content.decode()


def test_grid_of_a_session_that_is_not_a_lunch_is_404(client):
    talk = SessionFactory()

    response = client.get(url("lunch_grid", talk))

    assert response.status_code == 404


# --- picks: one POST each -----------------------------------------------------------------------


def test_take_with_csrf_token_seats_the_person_and_says_so(lunch, trainee):
    client, token = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 3, 2), {"csrfmiddlewaretoken": token}, follow=True)

    assert messages_on(response) == [
        "You have a seat at Table 3 (Industry) in rotation 2 (12:20–12:40 EST)."
    ]
    assert picks(lunch, trainee) == [(2, 3, Seat.CONFIRMED)]


def test_post_without_csrf_token_is_refused_and_changes_nothing(lunch, trainee):
    client, _ = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 3, 2))

    assert response.status_code == 403
    assert picks(lunch, trainee) == []


@pytest.mark.parametrize("name", ["take", "change", "drop", "join"])
def test_get_on_a_post_only_url_is_405(client, lunch, trainee, name):
    client.force_login(trainee)
    target = {
        "take": take_url(lunch, 1, 1),
        "change": change_url(lunch, 1, 1),
        "drop": drop_url(lunch, 1),
        "join": url("lunch_join", lunch),
    }[name]

    assert client.get(target).status_code == 405


def test_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, lunch):
    response = client.post(take_url(lunch, 1, 1))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not TableSeat.objects.exists()


def test_walk_in_post_puts_the_lunch_on_my_agenda(lunch, trainee):
    client, token = csrf_client(trainee, lunch)

    response = client.post(url("lunch_join", lunch), {"csrfmiddlewaretoken": token}, follow=True)

    assert "is on your agenda: walk in" in messages_on(response)[0]
    assert Registration.objects.get(session=lunch, user=trainee).status == "confirmed"


def test_change_post_moves_the_pick_in_one_step(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    client, token = csrf_client(trainee, lunch)

    response = client.post(change_url(lunch, 4, 1), {"csrfmiddlewaretoken": token}, follow=True)

    assert messages_on(response) == [
        "You moved to Table 4 (Government) in rotation 1 (12:00–12:20 EST)."
    ]
    assert picks(lunch, trainee) == [(1, 4, Seat.CONFIRMED)]


def test_drop_post_gives_up_the_pick_and_keeps_the_lunch(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    client, token = csrf_client(trainee, lunch)

    response = client.post(drop_url(lunch, 1), {"csrfmiddlewaretoken": token}, follow=True)

    assert messages_on(response) == [
        "You gave up your seat at Table 3 (Industry) in rotation 1. The lunch stays on your "
        "agenda: you can walk in."
    ]
    assert picks(lunch, trainee) == []
    assert Registration.objects.get(session=lunch, user=trainee).status == "confirmed"


# --- bad input ----------------------------------------------------------------------------------


def test_two_tables_in_one_rotation_by_post_is_refused_with_a_message(lunch, trainee):
    take(lunch, trainee, table=1, rotation=1)
    client, token = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 3, 1), {"csrfmiddlewaretoken": token}, follow=True)

    assert response.status_code == 200
    assert messages_on(response) == [
        "You already have Table 1 (Clinical hematology — malignant) in rotation 1: one table "
        "per rotation. Change or drop that pick instead; nothing changed."
    ]
    assert picks(lunch, trainee) == [(1, 1, Seat.CONFIRMED)]


def test_the_same_table_twice_by_post_is_refused_with_a_message(lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    client, token = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 3, 2), {"csrfmiddlewaretoken": token}, follow=True)

    assert "each table once" in messages_on(response)[0]
    assert picks(lunch, trainee) == [(1, 3, Seat.CONFIRMED)]


def test_full_table_answers_with_the_alternatives_and_the_waitlist_not_an_error(lunch, trainee):
    for person in UserFactory.create_batch(2):
        take(lunch, person, table=1, rotation=2)
    client, token = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 1, 2), {"csrfmiddlewaretoken": token})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Table 1 is full in rotation 2" in content
    assert f'action="{take_url(lunch, 2, 2)}"' in content  # the other clinical-malignant table
    assert f'action="{take_url(lunch, 1, 2)}"' in content
    assert '<input type="hidden" name="waitlist" value="1">' in content
    assert picks(lunch, trainee) == []


def test_waitlist_post_on_a_full_table_gives_the_position(lunch, trainee):
    for person in UserFactory.create_batch(2):
        take(lunch, person, table=1, rotation=2)
    client, token = csrf_client(trainee, lunch)

    response = client.post(
        take_url(lunch, 1, 2), {"csrfmiddlewaretoken": token, "waitlist": "1"}, follow=True
    )

    assert messages_on(response) == [
        "You are number 1 on the waitlist of Table 1 (Clinical hematology — malignant) in "
        "rotation 2 (12:20–12:40 EST). We'll email you if a seat opens."
    ]
    assert picks(lunch, trainee) == [(2, 1, Seat.WAITLISTED)]


def _missing_rotation(lunch, other):
    return url("lunch_take", lunch, table_id=lunch.lunch_tables.first().pk, rotation_id=999999)


def _missing_table(lunch, other):
    return url("lunch_take", lunch, table_id=999999, rotation_id=lunch.lunch_rotations.first().pk)


def _other_lunchs_rotation(lunch, other):
    return url(
        "lunch_take", lunch,
        table_id=lunch.lunch_tables.first().pk, rotation_id=other.lunch_rotations.first().pk,
    )  # fmt: skip


def _other_lunchs_table(lunch, other):
    return url(
        "lunch_take", lunch,
        table_id=other.lunch_tables.first().pk, rotation_id=lunch.lunch_rotations.first().pk,
    )  # fmt: skip


def _other_lunchs_rotation_drop(lunch, other):
    return url("lunch_drop", lunch, rotation_id=other.lunch_rotations.first().pk)


def _change_to_other_lunchs_table(lunch, other):
    return url(
        "lunch_change", lunch,
        table_id=other.lunch_tables.first().pk, rotation_id=lunch.lunch_rotations.first().pk,
    )  # fmt: skip


def _unknown_lunch(lunch, other):
    return reverse(
        "events:lunch_take",
        kwargs={"slug": lunch.event.slug, "pk": 999999, "table_id": 1, "rotation_id": 1},
    )


@pytest.mark.parametrize(
    "target",
    [
        _missing_rotation, _missing_table, _other_lunchs_rotation, _other_lunchs_table,
        _other_lunchs_rotation_drop, _change_to_other_lunchs_table, _unknown_lunch,
    ],
)  # fmt: skip
def test_unknown_or_foreign_rotation_or_table_is_404_and_changes_nothing(
    make_lunch, lunch, trainee, target
):
    other = make_lunch(event=lunch.event, title="Another lunch")
    client, token = csrf_client(trainee, lunch)

    response = client.post(target(lunch, other), {"csrfmiddlewaretoken": token})

    assert response.status_code == 404
    assert not TableSeat.objects.exists()
    assert not Registration.objects.exists()


# --- who sees which list ------------------------------------------------------------------------


@pytest.fixture
def people(lunch):
    """A host of table 1, a host of table 3, a trainee and a staff member."""
    host, other_host = UserFactory(), UserFactory()
    TableHost.objects.filter(table__session=lunch, table__number=1).update(user=host)
    TableHost.objects.filter(table__session=lunch, table__number=3).update(user=other_host)
    approve_mentor(host)
    approve_mentor(other_host)
    staff = staff_with("events.view_tableseat", "events.view_catering_needs")
    return {
        "host": host,
        "other-host": other_host,
        "trainee": UserFactory(),
        "staff": staff,
        "bare-staff": UserFactory(is_staff=True),
    }


def _guests(lunch):
    return url("lunch_table_guests", lunch, table_id=lunch.lunch_tables.get(number=1).pk)


def _roster(lunch):
    return url("lunch_table_roster", lunch, table_id=lunch.lunch_tables.get(number=1).pk)


def _overview(lunch):
    return url("lunch_overview", lunch)


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        (_guests, "anonymous", 302), (_guests, "trainee", 404), (_guests, "host", 200),
        (_guests, "other-host", 404), (_guests, "staff", 200), (_guests, "bare-staff", 404),
        (_roster, "anonymous", 302), (_roster, "trainee", 403), (_roster, "host", 403),
        (_roster, "other-host", 403), (_roster, "staff", 200), (_roster, "bare-staff", 403),
        (_overview, "anonymous", 302), (_overview, "trainee", 403), (_overview, "host", 403),
        (_overview, "staff", 200), (_overview, "bare-staff", 403),
    ],
)  # fmt: skip
def test_who_may_open_the_lists(client, lunch, people, page, who, status):
    if who != "anonymous":
        client.force_login(people[who])

    response = client.get(page(lunch))

    assert response.status_code == status


def test_a_host_sees_name_stage_institution_and_interests_of_their_guests_only(
    client, lunch, people
):
    guest = UserFactory(name="Ada Guest")
    Profile.objects.filter(user=guest).update(
        career_stage=CareerStage.RESIDENT, institution="Harbor College"
    )
    guest.profile.interests.set(CareerPath.objects.filter(slug__in=["industry", "government"]))
    elsewhere = UserFactory(name="Bo Elsewhere")
    take(lunch, guest, table=1, rotation=2)
    take(lunch, elsewhere, table=3, rotation=2)
    client.force_login(people["host"])

    response = client.get(_guests(lunch))

    page = text(response)
    assert "Ada Guest Resident Harbor College Government, Industry" in page
    assert "Rotation 2 · 12:20–12:40 · 1 of 2 seats" in page
    assert "Bo Elsewhere" not in page


def test_a_host_opening_another_tables_list_gets_404_even_by_guessing_ids(client, lunch, people):
    client.force_login(people["host"])
    other_table = lunch.lunch_tables.get(number=3)

    response = client.get(url("lunch_table_guests", lunch, table_id=other_table.pk))

    assert response.status_code == 404


def test_staff_overview_shows_fill_and_catering_counts_of_everyone_seated(client, lunch, people):
    diets = ["Vegetarian", "vegetarian ", "Halal", ""]
    for number, diet in enumerate(diets, start=1):
        person = UserFactory()
        Profile.objects.filter(user=person).update(
            dietary_needs=diet, accessibility_needs="Wheelchair access" if number == 1 else ""
        )
        take(lunch, person, table=1 + number % 2, rotation=1)
    walk_in = UserFactory()
    Profile.objects.filter(user=walk_in).update(dietary_needs="Vegan")
    take(lunch, walk_in, table=3, rotation=1)
    Registration.objects.filter(user=walk_in).update(status="confirmed")
    TableSeat.objects.filter(user=walk_in).update(status=Seat.CANCELLED)
    client.force_login(people["staff"])

    response = client.get(_overview(lunch))

    page = text(response)
    assert "Dietary needs Vegetarian: 2 Halal: 1" in page
    assert "Accessibility needs Wheelchair access: 1" in page
    seated_needs = page.split("people seated", 1)[1].split("without a table seat", 1)[0]
    assert "Vegan" not in seated_needs
    assert (
        "5 people have the lunch on their agenda; 4 of them hold at least one table seat." in page
    )
    assert "All tables 4 / 8" in page


def test_staff_csv_roster_lists_the_table_per_rotation(client, lunch, people):
    guest = UserFactory(name="Ada Guest", email="ada@example.org")
    Profile.objects.filter(user=guest).update(institution="Harbor College", dietary_needs="Halal")
    take(lunch, guest, table=1, rotation=3)
    for person in UserFactory.create_batch(2):
        take(lunch, person, table=1, rotation=1)
    waiting = UserFactory(email="wait@example.org", name="Wai Ting")
    take(lunch, waiting, table=1, rotation=1, join_waitlist=True)
    client.force_login(people["staff"])

    response = client.get(_roster(lunch))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == [
        "rotation", "starts", "email", "name", "status", "position",
        "career_stage", "institution", "dietary_needs", "accessibility_needs",
    ]  # fmt: skip
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [
        ("1", "confirmed", ""), ("1", "confirmed", ""), ("1", "waitlisted", "1"),
        ("3", "confirmed", ""),
    ]  # fmt: skip
    assert rows[-1] == ["3", "12:40", "ada@example.org", "Ada Guest", "confirmed", "",
                        "Fellow", "Harbor College", "Halal", ""]  # fmt: skip


# --- my agenda and the calendar -----------------------------------------------------------------


def test_my_agenda_lists_my_tables_per_rotation_under_the_lunch(client, lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    for person in UserFactory.create_batch(2):
        take(lunch, person, table=4, rotation=3)
    take(lunch, trainee, table=4, rotation=3, join_waitlist=True)
    client.force_login(trainee)

    response = client.get(reverse("events:my_agenda"))

    page = text(response)
    assert "Rotation 1, 12:00: Table 3 — Industry" in page
    assert "Rotation 3, 12:40: Table 4 — Government (waitlisted #1)" in page
    assert "Change my tables" in page


def test_calendar_feed_describes_my_tables_in_the_lunch_event(client, lunch, trainee):
    take(lunch, trainee, table=3, rotation=1)
    take(lunch, trainee, table=1, rotation=2)
    client.force_login(trainee)

    response = client.get(reverse("events:my_agenda_ics"))

    calendar = icalendar.Calendar.from_ical(response.content)
    (item,) = [c for c in calendar.walk("VEVENT")]
    assert str(item["summary"]) == lunch.title
    assert item.decoded("dtstart") == lunch.starts_at
    assert (
        "Your tables:\n"
        "Rotation 1, 12:00–12:20 EST: Table 3 — Industry (seat confirmed)\n"
        "Rotation 2, 12:20–12:40 EST: Table 1 — Clinical hematology — malignant (seat confirmed)"
    ) in str(item["description"])


def test_the_lunch_and_an_overlapping_session_show_the_clash_on_the_grid(client, lunch, trainee):
    talk = SessionFactory(
        event=lunch.event,
        title="Grant writing",
        starts_at=lunch.starts_at + dt.timedelta(minutes=45),
    )
    registration_create(session=talk, user=trainee)
    client, token = csrf_client(trainee, lunch)

    response = client.post(take_url(lunch, 1, 1), {"csrfmiddlewaretoken": token}, follow=True)

    assert messages_on(response) == [
        "This overlaps “Grant writing”, where you already have a seat. Cancel that one from "
        "your agenda first to join the lunch."
    ]
    assert "Clashes with “" in response.content.decode()
    assert picks(lunch, trainee) == []


# login session (none when cached), user, the user's and their groups' permissions (may they read any table?),
# event, lunch, table, rotations, seats (+profiles), guests' interests
GUEST_LIST_QUERIES = 9 + login_session_queries()


@pytest.mark.parametrize("guests", [2, 12])
def test_host_guest_list_queries_do_not_grow_with_the_guests(
    client, make_lunch, django_assert_num_queries, guests
):
    lunch = make_lunch(tables=2, rotations=3, seats=guests // 2)
    table = lunch.lunch_tables.get(number=1)
    host = UserFactory()
    approve_mentor(host)
    TableHost.objects.filter(table=table).update(user=host)
    paths = list(CareerPath.objects.all()[:3])
    for rotation in lunch.lunch_rotations.all():
        for n in range(guests):
            seat = TableSeatFactory(
                table=table,
                rotation=rotation,
                status=Seat.CONFIRMED if n < guests // 2 else Seat.WAITLISTED,
            )
            seat.user.profile.interests.set(paths)
    client.force_login(host)

    with django_assert_num_queries(GUEST_LIST_QUERIES):
        response = client.get(url("lunch_table_guests", lunch, table_id=table.pk))

    assert response.status_code == 200
