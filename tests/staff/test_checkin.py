"""The door's check-in page: mark, undo, search, who may use it, and two staff at once."""

import datetime as dt
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Registration
from staff.services import checkin_mark
from tests.concurrency import run_at_once
from tests.factories import (
    NY,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    staff_with,
)

DOOR = "events.change_registration"
Status = Registration.Status


@pytest.fixture
def talk():
    event = EventFactory(timezone="America/New_York")
    return SessionFactory(
        event=event,
        title="Grant writing",
        capacity=10,
        starts_at=dt.datetime(2030, 12, 6, 9, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 10, tzinfo=NY),
    )


def _seat(session, name, email=None, status=Status.CONFIRMED):
    user = UserFactory(name=name, **({"email": email} if email else {}))
    return RegistrationFactory(session=session, user=user, status=status)


def _page(session):
    return reverse("staff:checkin", kwargs={"session_id": session.pk})


def _mark(session, reg):
    return reverse(
        "staff:checkin_mark", kwargs={"session_id": session.pk, "registration_id": reg.pk}
    )


@pytest.fixture
def door(client):
    user = staff_with(DOOR, name="Dora Door")
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
def test_the_page_lists_confirmed_people_with_the_count_in_over_expected(door, talk):
    ada = _seat(talk, "Ada Alvarez", "ada@example.org")
    _seat(talk, "Ben Brooks")
    _seat(talk, "Wanda Waiting", status=Status.WAITLISTED)
    _seat(talk, "Carl Cancelled", status=Status.CANCELLED)
    Registration.objects.filter(pk=ada.pk).update(
        checked_in_at=dt.datetime(2030, 12, 6, 14, 5, tzinfo=dt.UTC)
    )

    page = door.get(_page(talk)).content.decode()

    assert "Ada Alvarez" in page and "ada@example.org" in page and "Ben Brooks" in page
    assert "Wanda Waiting" not in page and "Carl Cancelled" not in page
    assert "<strong>1</strong> in of <strong>2</strong> expected" in page
    # The mark's time in the event's zone (14:05 UTC is 09:05 in New York), saying so.
    assert "In at" in page and "09:05" in page and "America/New_York" in page


@pytest.mark.django_db
def test_search_by_name_narrows_the_list_without_javascript(door, talk):
    _seat(talk, "Ada Alvarez")
    _seat(talk, "Ben Brooks")

    page = door.get(_page(talk), {"q": "alva"}).content.decode()

    assert "Ada Alvarez" in page and "Ben Brooks" not in page
    nothing = door.get(_page(talk), {"q": "zzz"}).content.decode()
    assert "No confirmed person matches" in nothing


@pytest.mark.django_db
def test_one_tap_marks_attended_and_another_undoes_it(door, talk):
    reg = _seat(talk, "Ada Alvarez")

    response = door.post(_mark(talk, reg), {"attended": "1", "q": "ada"})

    assert response.status_code == 302
    assert response["Location"] == _page(talk) + "?q=ada"
    reg.refresh_from_db()
    assert reg.checked_in_at is not None and reg.checked_in_by == door.user
    assert "<strong>1</strong> in of <strong>1</strong>" in door.get(_page(talk)).content.decode()

    door.post(_mark(talk, reg), {"attended": "0"})
    reg.refresh_from_db()
    assert reg.checked_in_at is None and reg.checked_in_by is None


@pytest.mark.django_db
def test_a_second_mark_keeps_the_first_staff_and_time(door, talk):
    reg = _seat(talk, "Ada Alvarez")
    first = staff_with(DOOR, email="first@example.org")
    assert checkin_mark(registration=reg, by=first)
    reg.refresh_from_db()
    when = reg.checked_in_at

    response = door.post(_mark(talk, reg), {"attended": "1"}, follow=True)

    reg.refresh_from_db()
    assert (reg.checked_in_at, reg.checked_in_by) == (when, first)
    assert "already checked in" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("attended", ["", "2", "yes", None])
def test_a_bad_attended_value_says_so_and_changes_nothing(door, talk, attended):
    reg = _seat(talk, "Ada Alvarez")
    data = {} if attended is None else {"attended": attended}

    response = door.post(_mark(talk, reg), data, follow=True)

    assert response.status_code == 200
    assert "Choose check in or undo; nothing changed." in response.content.decode()
    reg.refresh_from_db()
    assert reg.checked_in_at is None


@pytest.mark.django_db
def test_a_registration_of_another_session_is_a_404_and_stays_unmarked(door, talk):
    other = SessionFactory(event=talk.event)
    theirs = _seat(other, "Olga Other")

    assert door.post(_mark(talk, theirs), {"attended": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.checked_in_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.WAITLISTED, Status.CANCELLED])
def test_a_person_without_a_confirmed_seat_is_a_404(door, talk, status):
    reg = _seat(talk, "Wanda Waiting", status=status)

    assert door.post(_mark(talk, reg), {"attended": "1"}).status_code == 404
    reg.refresh_from_db()
    assert reg.checked_in_at is None


@pytest.mark.django_db
def test_an_unknown_session_is_a_404(door):
    assert door.get(reverse("staff:checkin", kwargs={"session_id": 999999})).status_code == 404


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_staff_without_the_permission_get_403(client, talk):
    reg = _seat(talk, "Ada Alvarez")

    for response in (client.get(_page(talk)), client.post(_mark(talk, reg), {"attended": "1"})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    client.force_login(UserFactory(is_staff=True))
    assert client.get(_page(talk)).status_code == 403
    assert client.post(_mark(talk, reg), {"attended": "1"}).status_code == 403
    reg.refresh_from_db()
    assert reg.checked_in_at is None


@pytest.mark.django_db
def test_marking_needs_csrf(talk):
    reg = _seat(talk, "Ada Alvarez")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_with(DOOR))

    assert client.post(_mark(talk, reg), {"attended": "1"}).status_code == 403
    reg.refresh_from_db()
    assert reg.checked_in_at is None


@pytest.mark.django_db(transaction=True)
def test_two_staff_marking_at_once_never_lose_or_overwrite_a_mark(postgres, talk):
    regs = [_seat(talk, f"Person {n:02d}") for n in range(30)]
    one, two = staff_with(DOOR, email="one@example.org"), staff_with(DOOR, email="two@example.org")

    def door_pass(staff, order):
        return [(reg.pk, checkin_mark(registration=reg, by=staff)) for reg in order]

    results = run_at_once([lambda: door_pass(one, regs), lambda: door_pass(two, regs[::-1])])

    assert not [r for r in results if isinstance(r, Exception)]
    winners = {pk: staff for staff, rows in zip((one, two), results) for pk, won in rows if won}
    # Exactly one of the two made each mark, and the row names that one.
    assert Counter(pk for rows in results for pk, won in rows if won) == {r.pk: 1 for r in regs}
    for reg in Registration.objects.filter(session=talk):
        assert reg.checked_in_at is not None
        assert reg.checked_in_by_id == winners[reg.pk].pk
