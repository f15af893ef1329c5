"""Walk-ins at the door: a free seat or a drop-in gives a seat checked in now, a full session
puts the person on the standby line in arrival order, a seat holder is simply checked in;
duplicates and bad input are refused clearly and change nothing."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from events.models import Registration, Session, Standby
from events.services.door import WalkInOutcome, walk_in_admit
from tests.concurrency import run_at_once
from tests.conftest import login_session_queries
from tests.factories import (
    NY,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StandbyFactory,
    UserFactory,
    staff_with,
)

DOOR = "events.change_registration"
Status = Registration.Status
START = dt.datetime(2030, 12, 6, 9, tzinfo=NY)

pytestmark = pytest.mark.usefixtures("scheduled_deliveries")
# The person and their permissions, the session, the roster, the counts, the standby line,
# the walk-in search (accounts, their registrations, their standby places).
CHECKIN_PAGE_QUERIES = 10 + login_session_queries()


@pytest.fixture
def talk():
    event = EventFactory(timezone="America/New_York")
    return SessionFactory(
        event=event,
        title="Grant writing",
        capacity=2,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=1),
    )


@pytest.fixture
def door(client):
    user = staff_with(DOOR, name="Dora Door")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def at_the_door():
    """Five minutes before the start: the doors are open."""
    with time_machine.travel(START - dt.timedelta(minutes=5), tick=False):
        yield


def _page(session):
    return reverse("staff:checkin", kwargs={"session_id": session.pk})


def _walk_in(session):
    return reverse("staff:checkin_walk_in", kwargs={"session_id": session.pk})


def _left(session):
    return reverse("staff:checkin_standby_left", kwargs={"session_id": session.pk})


def _fill(session, n):
    return [RegistrationFactory(session=session, status=Status.CONFIRMED) for _ in range(n)]


def _snapshot():
    return (
        sorted(Registration.objects.values_list("pk", "status", "checked_in_at")),
        sorted(Standby.objects.values_list("pk", "outcome")),
    )


@pytest.mark.django_db
def test_a_walk_in_gets_a_free_seat_checked_in_now(door, talk):
    _fill(talk, 1)
    walker = UserFactory(name="Wes Walker")

    response = door.post(_walk_in(talk), {"user": walker.pk}, follow=True)

    reg = Registration.objects.get(session=talk, user=walker)
    assert (reg.status, reg.checked_in_by) == (Status.CONFIRMED, door.user)
    assert reg.checked_in_at == START - dt.timedelta(minutes=5)
    assert "Wes Walker has a seat and is checked in." in response.content.decode()
    assert Registration.objects.confirmed().filter(session=talk).count() == talk.capacity


@pytest.mark.django_db
def test_a_drop_in_takes_every_walk_in_with_a_place(door, talk):
    Session.objects.filter(pk=talk.pk).update(registration_mode=Session.Mode.DROP_IN, capacity=None)
    _fill(talk, 5)
    walker = UserFactory(name="Wes Walker")

    door.post(_walk_in(talk), {"user": walker.pk})

    reg = Registration.objects.get(session=talk, user=walker)
    assert reg.status == Status.CONFIRMED and reg.checked_in_at is not None
    assert not Standby.objects.exists()


@pytest.mark.django_db
def test_a_full_session_puts_walk_ins_on_the_standby_line_in_arrival_order(door, talk):
    _fill(talk, 2)
    first, second = UserFactory(name="Fay First"), UserFactory(name="Sid Second")

    one = door.post(_walk_in(talk), {"user": first.pk}, follow=True).content.decode()
    two = door.post(_walk_in(talk), {"user": second.pk}, follow=True).content.decode()

    assert "The session is full: Fay First is number 1 on the standby line." in one
    assert "The session is full: Sid Second is number 2 on the standby line." in two
    line = list(Standby.objects.filter(session=talk).order_by("arrived_at", "id"))
    assert [(e.user, e.outcome, e.added_by) for e in line] == [
        (first, Standby.Outcome.WAITING, door.user),
        (second, Standby.Outcome.WAITING, door.user),
    ]
    # No seat for either: the seats stay exact.
    assert not Registration.objects.filter(user__in=[first, second]).exists()
    assert Registration.objects.confirmed().filter(session=talk).count() == 2
    page = door.get(_page(talk)).content.decode()
    assert page.index("1. Fay First") < page.index("2. Sid Second")
    assert "Arrived at" in page and "08:55" in page and "(America/New_York)" in page
    assert "<strong>2</strong> on standby" in page


@pytest.mark.django_db
def test_a_person_with_a_seat_is_simply_checked_in_and_a_second_time_is_refused(door, talk):
    reg = RegistrationFactory(session=talk, user=UserFactory(name="Ada Alvarez"))

    first = door.post(_walk_in(talk), {"user": reg.user_id}, follow=True).content.decode()
    reg.refresh_from_db()
    marked = (reg.checked_in_at, reg.checked_in_by)
    again = door.post(_walk_in(talk), {"user": reg.user_id}, follow=True).content.decode()

    assert "Ada Alvarez already had a seat and is now checked in." in first
    assert "Ada Alvarez is already checked in." in again
    reg.refresh_from_db()
    assert (
        (reg.checked_in_at, reg.checked_in_by)
        == marked
        == (START - dt.timedelta(minutes=5), door.user)
    )
    assert Registration.objects.filter(session=talk, user=reg.user).count() == 1


@pytest.mark.django_db
def test_a_second_standby_place_is_refused_clearly(door, talk):
    _fill(talk, 2)
    walker = UserFactory(name="Wes Walker")
    door.post(_walk_in(talk), {"user": walker.pk})
    before = _snapshot()

    response = door.post(_walk_in(talk), {"user": walker.pk}, follow=True)

    assert "Wes Walker is already on the standby line (number 1)." in response.content.decode()
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_person_on_the_online_waitlist_takes_the_free_seat_with_their_own_registration(
    door, talk
):
    _fill(talk, 1)
    waiting = RegistrationFactory(session=talk, status=Status.WAITLISTED)

    door.post(_walk_in(talk), {"user": waiting.user_id})

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED and waiting.checked_in_at is not None
    assert Registration.objects.filter(session=talk, user=waiting.user_id).count() == 1


@pytest.mark.django_db
def test_a_walk_in_holding_a_clashing_seat_is_refused_and_nothing_changes(door, talk):
    other = SessionFactory(
        event=talk.event,
        title="Giving a talk",
        starts_at=START,
        ends_at=START + dt.timedelta(minutes=30),
    )
    walker = UserFactory(name="Wes Walker")
    RegistrationFactory(session=other, user=walker)
    before = _snapshot()

    response = door.post(_walk_in(talk), {"user": walker.pk}, follow=True)

    assert (
        "Wes Walker holds a seat in “Giving a talk” at the same time. Nothing changed."
        in response.content.decode()
    )
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "999999999", "9223372036854775808", None])
def test_an_unknown_person_is_refused_with_a_message_and_nothing_changes(door, talk, value):
    inactive = UserFactory(is_active=False)
    before = _snapshot()
    data = {} if value is None else {"user": value}

    for body in (data, {"user": inactive.pk}):
        response = door.post(_walk_in(talk), body, follow=True)
        assert response.status_code == 200
        assert "walk-ins need an account. Nothing changed." in response.content.decode()
    assert _snapshot() == before


@pytest.mark.django_db
def test_the_search_finds_accounts_by_name_or_email_and_says_what_they_hold(door, talk):
    seated = RegistrationFactory(
        session=talk, user=UserFactory(name="Ada Alvarez", email="ada@example.org")
    )
    UserFactory(name="Adam Another", email="adam@example.org")
    UserFactory(name="Zed Zulu")

    page = door.get(_page(talk), {"walkin": "ada"}).content.decode()
    by_email = door.get(_page(talk), {"walkin": "ADA@example.org"}).content.decode()

    assert "Adam Another" in page and "Zed Zulu" not in page
    assert "Has a seat" in page
    assert f'name="user" value="{seated.user_id}"' in page
    assert "Ada Alvarez" in by_email and "Adam Another" not in by_email


@pytest.mark.django_db
def test_an_unknown_email_says_walk_ins_need_an_account(door, talk):
    page = door.get(_page(talk), {"walkin": "nobody@example.org"}).content.decode()

    assert "No account matches “nobody@example.org”. Walk-ins need an account" in page
    assert reverse("account_signup") in page


@pytest.mark.django_db
def test_the_page_says_whether_a_walk_in_gets_a_seat_or_joins_the_line(door, talk):
    _fill(talk, 1)
    assert "1 seat free: a walk-in gets a seat" in door.get(_page(talk)).content.decode()
    _fill(talk, 1)
    assert (
        "The session is full: a walk-in joins the standby line."
        in door.get(_page(talk)).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cancelled_at": START - dt.timedelta(days=1)}, "This session has been cancelled."),
        (
            {"registration_mode": Session.Mode.REQUEST},
            "Walk-ins are added here only for open and drop-in sessions.",
        ),
        (
            {"starts_at": START - dt.timedelta(hours=2), "ends_at": START - dt.timedelta(hours=1)},
            "This session has ended",
        ),
    ],
    ids=["cancelled", "request-mode", "ended"],
)
def test_a_session_that_takes_no_walk_ins_says_why(door, talk, change, message):
    Session.objects.filter(pk=talk.pk).update(**change)
    walker = UserFactory()
    before = _snapshot()

    response = door.post(_walk_in(talk), {"user": walker.pk}, follow=True)

    assert message in response.content.decode()
    assert _snapshot() == before


@pytest.mark.django_db
def test_left_takes_a_person_off_the_standby_line_and_keeps_the_record(door, talk):
    entry = StandbyFactory(session=talk, user=UserFactory(name="Lee Leaving"))

    response = door.post(_left(talk), {"standby": entry.pk}, follow=True)

    entry.refresh_from_db()
    assert entry.outcome == Standby.Outcome.LEFT and entry.outcome_at is not None
    assert "Lee Leaving has left the standby line." in response.content.decode()
    assert "Lee Leaving" not in door.get(_page(talk)).content.decode()
    # Gone already: the row is no longer on the line, so the same post is a 404.
    assert door.post(_left(talk), {"standby": entry.pk}).status_code == 404


@pytest.mark.django_db
def test_a_standby_place_of_another_session_is_a_404_and_stays(door, talk):
    other = SessionFactory(event=talk.event)
    theirs = StandbyFactory(session=other)

    assert door.post(_left(talk), {"standby": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome == Standby.Outcome.WAITING


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "x", "0", "99999999999999999999", None])
def test_a_bad_standby_id_says_so(door, talk, value):
    StandbyFactory(session=talk)
    before = _snapshot()
    data = {} if value is None else {"standby": value}

    response = door.post(_left(talk), data, follow=True)

    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "Choose a person on the standby line. Nothing changed." in response.content.decode()
    assert _snapshot() == before


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_staff_without_the_permission_get_403(client, talk):
    walker = UserFactory()
    entry = StandbyFactory(session=talk)
    posts = [(_walk_in(talk), {"user": walker.pk}), (_left(talk), {"standby": entry.pk})]
    before = _snapshot()

    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory(is_staff=True))
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert _snapshot() == before


@pytest.mark.django_db
def test_walk_ins_need_csrf(talk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_with(DOOR))

    assert client.post(_walk_in(talk), {"user": UserFactory().pk}).status_code == 403
    assert not Registration.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_doors_adding_walk_ins_for_the_last_seat_seat_one_and_line_up_the_other(postgres):
    session = SessionFactory(capacity=3, starts_at=START, ends_at=START + dt.timedelta(hours=1))
    _fill(session, 2)
    one, two = staff_with(DOOR, email="one@example.org"), staff_with(DOOR, email="two@example.org")
    walkers = [UserFactory(), UserFactory()]

    results = run_at_once(
        [
            lambda: walk_in_admit(session=session, user=walkers[0], by=one).outcome,
            lambda: walk_in_admit(session=session, user=walkers[1], by=two).outcome,
        ]
    )

    assert sorted(results) == sorted([WalkInOutcome.SEATED, WalkInOutcome.STANDBY])
    assert Registration.objects.confirmed().filter(session=session).count() == 3
    assert Standby.objects.filter(session=session, outcome=Standby.Outcome.WAITING).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_the_page_with_a_standby_line_and_a_walk_in_search_costs_the_same_at_any_size(
    client, talk, django_assert_max_num_queries, size
):
    staff = staff_with(DOOR)
    Session.objects.filter(pk=talk.pk).update(capacity=size)
    _fill(talk, size)
    for n in range(size):
        StandbyFactory(session=talk, user=UserFactory(name=f"Wait {n:02d}"), added_by=staff)
        UserFactory(name=f"Walker {n:02d}")
    # Logged in right before the measured request (in a full parallel run the budget failed
    # once with the login made before this setup, and never since; cause not pinned down).
    client.force_login(staff)

    with django_assert_max_num_queries(CHECKIN_PAGE_QUERIES):
        page = client.get(_page(talk), {"walkin": "walker"}).content.decode()

    assert f"<strong>{size}</strong> on standby" in page and "Walker 00" in page
