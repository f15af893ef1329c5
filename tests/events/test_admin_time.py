"""Staff read and type every date and time in admin in the event's own time zone, to the
minute, and the page names the zone (issue 9, item 1)."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.test import Client

from events.models import Event, LunchRotation, Session
from events.services import registration_create
from tests.admin_form import form_data, page_text
from tests.events.lunch.conftest import lunch_make
from tests.factories import NY, EventFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SESSIONS = "/admin/events/session/"


@pytest.fixture
def orlando() -> Event:
    return EventFactory(slug="orlando-2030", name="Orlando 2030", city="Orlando")


def add_form_data(client: Client, **values) -> dict:
    data = form_data(client.get(f"{SESSIONS}add/").content.decode(), "session_form")
    data.update({name: [value] for name, value in values.items()})
    return data


def test_a_session_added_at_13_00_in_orlando_starts_at_13_00_orlando_time(staff_client, orlando):
    data = add_form_data(
        staff_client,
        event=str(orlando.pk),
        title="Grant writing clinic",
        kind="didactic",
        starts_at_0="2030-12-06",
        starts_at_1="13:00",
        ends_at_0="2030-12-06",
        ends_at_1="14:00",
        registration_mode="open",
        capacity="30",
    )

    response = staff_client.post(f"{SESSIONS}add/", data)

    assert response.status_code == 302
    session = Session.objects.get(title="Grant writing clinic")
    assert session.starts_at == dt.datetime(2030, 12, 6, 18, 0, tzinfo=UTC)
    assert session.ends_at == dt.datetime(2030, 12, 6, 19, 0, tzinfo=UTC)
    agenda = page_text(staff_client.get(f"/events/{orlando.slug}/"))
    assert "13:00–14:00" in agenda


def test_the_add_form_reads_times_in_the_zone_of_the_event_chosen_in_it(staff_client, orlando):
    paris = EventFactory(slug="paris-2031", name="Paris 2031", timezone="Europe/Paris")
    data = add_form_data(
        staff_client,
        event=str(paris.pk),
        title="Atelier",
        kind="didactic",
        starts_at_0="2030-12-06",
        starts_at_1="13:00",
        ends_at_0="2030-12-06",
        ends_at_1="14:00",
        registration_mode="open",
    )

    staff_client.post(f"{SESSIONS}add/", data)

    assert Session.objects.get(title="Atelier").starts_at == dt.datetime(
        2030, 12, 6, 13, 0, tzinfo=PARIS
    )


def test_the_add_form_names_the_zone_times_are_typed_in(staff_client, orlando):
    page = page_text(staff_client.get(f"{SESSIONS}add/"))

    assert "Orlando time (America/New_York)" in page


def test_the_change_form_shows_the_session_at_its_orlando_time_without_seconds(
    staff_client, orlando
):
    session = SessionFactory(
        event=orlando,
        starts_at=dt.datetime(2030, 12, 6, 13, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 14, 30, tzinfo=NY),
    )

    response = staff_client.get(f"{SESSIONS}{session.pk}/change/")

    data = form_data(response.content.decode(), "session_form")
    assert (data["starts_at_0"], data["starts_at_1"]) == (["2030-12-06"], ["13:00"])
    assert (data["ends_at_0"], data["ends_at_1"]) == (["2030-12-06"], ["14:30"])
    assert "Orlando time (America/New_York)" in page_text(response)


def post_unchanged(client: Client, session: Session):
    page = client.get(f"{SESSIONS}{session.pk}/change/").content.decode()
    return client.post(f"{SESSIONS}{session.pk}/change/", form_data(page, "session_form"))


def test_saving_the_change_form_unchanged_keeps_the_session_where_it_was(staff_client, orlando):
    """A stored time with seconds shows as HH:MM; saving the page must not move it (a move
    emails everyone registered)."""
    starts_at = dt.datetime(2030, 12, 6, 13, 0, 30, tzinfo=NY)
    session = SessionFactory(event=orlando, starts_at=starts_at)

    response = post_unchanged(staff_client, session)

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (starts_at, 0)


def test_moving_a_session_in_its_change_form_takes_the_new_orlando_time(staff_client, orlando):
    session = SessionFactory(event=orlando, starts_at=dt.datetime(2030, 12, 6, 10, tzinfo=NY))
    data = form_data(
        staff_client.get(f"{SESSIONS}{session.pk}/change/").content.decode(), "session_form"
    )
    data.update(starts_at_1=["11:15"], ends_at_1=["11:45"])

    staff_client.post(f"{SESSIONS}{session.pk}/change/", data)

    session.refresh_from_db()
    assert session.starts_at == dt.datetime(2030, 12, 6, 16, 15, tzinfo=UTC)
    assert session.sequence == 1


def test_a_time_that_does_not_exist_in_the_event_zone_is_refused_in_the_page(staff_client, orlando):
    """02:30 on the night clocks go forward never happens in New York."""
    data = add_form_data(
        staff_client,
        event=str(orlando.pk),
        title="Night owl",
        kind="didactic",
        starts_at_0="2031-03-09",
        starts_at_1="02:30",
        ends_at_0="2031-03-09",
        ends_at_1="04:00",
        registration_mode="open",
    )

    response = staff_client.post(f"{SESSIONS}add/", data)

    assert response.status_code == 200
    assert "couldn’t be interpreted in time zone America/New_York" in page_text(response)
    assert not Session.objects.filter(title="Night owl").exists()


def test_the_sessions_list_shows_day_and_time_in_the_event_zone(staff_client, orlando):
    SessionFactory(
        event=orlando,
        title="Evening mixer",
        starts_at=dt.datetime(2030, 12, 6, 19, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 21, 0, tzinfo=NY),
    )

    page = page_text(staff_client.get(SESSIONS))

    assert "Fri, Dec 6, 2030, 19:00–21:00 EST" in page


def test_the_sessions_list_day_links_count_the_event_days(staff_client, orlando):
    """22:00 on Friday in Orlando is Saturday in UTC: the session is listed under Friday."""
    SessionFactory(
        event=orlando,
        title="Late session",
        starts_at=dt.datetime(2030, 12, 6, 22, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 6, 23, 0, tzinfo=NY),
    )
    months = page_text(staff_client.get(SESSIONS, {"starts_at__year": "2030"}))
    days = page_text(
        staff_client.get(SESSIONS, {"starts_at__year": "2030", "starts_at__month": "12"})
    )

    friday = staff_client.get(
        SESSIONS, {"starts_at__year": "2030", "starts_at__month": "12", "starts_at__day": "6"}
    )

    assert "December" in months
    assert "December 6" in days
    assert "December 7" not in days
    assert "Late session" in page_text(friday)


def test_the_roster_inline_shows_arrival_times_in_the_event_zone(staff_client, orlando):
    session = SessionFactory(event=orlando)
    registration = registration_create(session=session, user=UserFactory(name="Ana Lima"))
    arrived = dt.datetime(2030, 11, 2, 14, 5, 59, tzinfo=UTC)
    type(registration).objects.filter(pk=registration.pk).update(
        created_at=arrived, confirmed_at=arrived
    )

    page = page_text(staff_client.get(f"{SESSIONS}{session.pk}/change/"))

    assert "Sat, Nov 2, 2030, 10:05 EDT" in page


def test_the_event_registration_window_is_typed_in_the_event_zone(staff_client, orlando):
    url = f"/admin/events/event/{orlando.pk}/change/"
    data = form_data(staff_client.get(url).content.decode(), "event_form")
    data.update(
        registration_opens_at_0=["2030-11-01"],
        registration_opens_at_1=["09:00"],
        registration_closes_at_0=["2030-12-05"],
        registration_closes_at_1=["17:00"],
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    orlando.refresh_from_db()
    assert orlando.registration_opens_at == dt.datetime(2030, 11, 1, 13, 0, tzinfo=UTC)  # EDT
    assert orlando.registration_closes_at == dt.datetime(2030, 12, 5, 22, 0, tzinfo=UTC)  # EST
    page = page_text(staff_client.get(url))
    assert "Orlando time (America/New_York)" in page
    shown = form_data(staff_client.get(url).content.decode(), "event_form")
    assert shown["registration_opens_at_1"] == ["09:00"]


def test_a_new_event_window_is_typed_in_the_zone_chosen_in_its_form(staff_client):
    data = form_data(staff_client.get("/admin/events/event/add/").content.decode(), "event_form")
    data.update(
        slug=["paris-2031"],
        name=["Paris 2031"],
        timezone=["Europe/Paris"],
        city=["Paris"],
        starts_on=["2031-06-10"],
        ends_on=["2031-06-12"],
        registration_opens_at_0=["2031-05-01"],
        registration_opens_at_1=["09:00"],
    )
    data = {name: values for name, values in data.items() if not name.startswith("rooms-")}
    data.update({"rooms-TOTAL_FORMS": "0", "rooms-INITIAL_FORMS": "0"})

    response = staff_client.post("/admin/events/event/add/", data)

    assert response.status_code == 302
    event = Event.objects.get(slug="paris-2031")
    assert event.registration_opens_at == dt.datetime(2031, 5, 1, 9, 0, tzinfo=PARIS)


def test_lunch_rotations_inline_shows_and_takes_orlando_times(staff_client, orlando):
    lunch = lunch_make(event=orlando)  # 12:00–13:30 Orlando time, rotations of 20 minutes
    url = f"{SESSIONS}{lunch.pk}/change/"
    data = form_data(staff_client.get(url).content.decode(), "session_form")
    first = [name for name in data if name.startswith("lunch_rotations-0-")]

    assert data["lunch_rotations-0-starts_at_1"] == ["12:00"], first
    data["lunch_rotations-0-ends_at_1"] = ["12:15"]
    response = staff_client.post(url, data)

    assert response.status_code == 302
    rotation = LunchRotation.objects.get(session=lunch, number=1)
    assert rotation.ends_at == dt.datetime(2030, 12, 7, 12, 15, tzinfo=NY)


def test_generate_rotations_reports_them_in_orlando_time(staff_client, orlando):
    lunch = lunch_make(event=orlando, rotations=0)
    chosen = {"action": "lunch_rotations_generate_action", ACTION_CHECKBOX_NAME: [lunch.pk]}

    response = staff_client.post(
        SESSIONS, {**chosen, "apply": "1", "count": "3", "minutes": "20"}, follow=True
    )

    assert "Sat, Dec 7, 2030: 12:00–12:20, 12:20–12:40, 12:40–13:00 EST." in page_text(response)


def test_generate_rotations_form_lists_the_lunch_with_its_orlando_time(staff_client, orlando):
    lunch = lunch_make(event=orlando, rotations=0)

    response = staff_client.post(
        SESSIONS, {"action": "lunch_rotations_generate_action", ACTION_CHECKBOX_NAME: [lunch.pk]}
    )

    assert "Sat, Dec 7, 2030, 12:00–13:30 EST" in page_text(response)


def test_a_sessions_history_lists_changes_in_the_event_zone(staff_client, orlando):
    session = SessionFactory(event=orlando)
    post_unchanged(staff_client, session)
    LogEntry.objects.update(action_time=dt.datetime(2030, 11, 20, 14, 5, tzinfo=UTC))

    page = page_text(staff_client.get(f"{SESSIONS}{session.pk}/history/"))

    assert "Wed, Nov 20, 2030, 09:05 EST" in page


def test_history_of_a_thing_of_no_event_says_utc(staff_client):
    person = UserFactory()
    url = f"/admin/accounts/user/{person.pk}/change/"
    staff_client.post(url, form_data(staff_client.get(url).content.decode(), "user_form"))
    LogEntry.objects.update(action_time=dt.datetime(2030, 11, 20, 14, 5, tzinfo=UTC))

    page = page_text(staff_client.get(f"/admin/accounts/user/{person.pk}/history/"))

    assert "Wed, Nov 20, 2030, 14:05 UTC" in page


def test_filtered_by_an_event_the_day_links_count_that_events_days(staff_client, orlando):
    paris = EventFactory(slug="paris-2030", name="Paris 2030", timezone="Europe/Paris")
    SessionFactory(
        event=paris,
        title="Petit déjeuner",
        starts_at=dt.datetime(2030, 12, 7, 0, 30, tzinfo=PARIS),  # Dec 6, 23:30 UTC
        ends_at=dt.datetime(2030, 12, 7, 1, 30, tzinfo=PARIS),
    )
    query = {"event__id__exact": paris.pk, "starts_at__year": "2030", "starts_at__month": "12"}

    mixed = page_text(staff_client.get(SESSIONS))
    days = page_text(staff_client.get(SESSIONS, query))

    assert "The events use several time zones: the day links count UTC days." in mixed
    assert "December 7" in days
    assert "December 6" not in days
    assert "Sat, Dec 7, 2030, 00:30–01:30 CET" in days
