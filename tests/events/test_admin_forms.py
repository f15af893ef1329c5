"""Nothing a program coordinator types in admin is JSON: speakers one per line, audiences
and career paths as checkboxes by their labels, reminders as durations (issue 9, item 3)."""

import re

import pytest
from django.test import Client

from accounts.models import CareerPath
from events.models import Event, Session
from tests.admin_form import form_data, page_text
from tests.factories import EventFactory, SessionFactory, career_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]


def session_page(client: Client, session: Session):
    return client.get(f"/admin/events/session/{session.pk}/change/")


def post_session(client: Client, session: Session, **changes):
    data = form_data(session_page(client, session).content.decode(), "session_form")
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in changes.items()}
    )
    return client.post(f"/admin/events/session/{session.pk}/change/", data)


def event_url(event: Event) -> str:
    return f"/admin/events/event/{event.pk}/change/"


def post_event(client: Client, event: Event, **changes):
    data = form_data(client.get(event_url(event)).content.decode(), "event_form")
    data.update({name: [value] for name, value in changes.items()})
    return client.post(event_url(event), data)


# --- speakers ---------------------------------------------------------------------------------


def test_speakers_typed_one_per_line_are_saved_as_names(staff_client):
    session = SessionFactory()

    response = post_session(
        staff_client, session, speakers="Dr. Amara Okafor\r\n\r\n   Dr. Luis Ferreira  \r\n"
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.speakers == ["Dr. Amara Okafor", "Dr. Luis Ferreira"]


def test_the_change_form_shows_speakers_one_per_line(staff_client):
    session = SessionFactory(speakers=["Dr. Amara Okafor", "Dr. Luis Ferreira"])

    data = form_data(session_page(staff_client, session).content.decode(), "session_form")

    assert data["speakers"] == ["Dr. Amara Okafor\nDr. Luis Ferreira"]


def test_clearing_the_speakers_leaves_none(staff_client):
    session = SessionFactory(speakers=["Dr. Amara Okafor"])

    post_session(staff_client, session, speakers="\r\n")

    session.refresh_from_db()
    assert session.speakers == []


# --- audience and career paths ----------------------------------------------------------------


def test_audience_is_ticked_by_career_stage_labels(staff_client):
    session = SessionFactory()

    page = page_text(session_page(staff_client, session))
    response = post_session(staff_client, session, audience=["fellow", "resident"])

    assert "Medical student Resident Fellow Graduate student / postdoc" in page
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.audience == ["resident", "fellow"]
    assert session.audience_labels == ["Resident", "Fellow"]


def test_the_change_form_ticks_the_saved_audience(staff_client):
    session = SessionFactory(audience=["graduate_postdoc"])

    data = form_data(session_page(staff_client, session).content.decode(), "session_form")

    assert data["audience"] == ["graduate_postdoc"]


def test_no_stage_ticked_opens_the_session_to_everyone(staff_client):
    session = SessionFactory(audience=["fellow"])
    data = form_data(session_page(staff_client, session).content.decode(), "session_form")
    del data["audience"]

    staff_client.post(f"/admin/events/session/{session.pk}/change/", data)

    session.refresh_from_db()
    assert session.audience == []


def test_career_paths_are_checkboxes_labelled_with_their_names(staff_client):
    session = SessionFactory()
    industry, government = career_path("industry"), career_path("government")

    response = session_page(staff_client, session)
    post_session(staff_client, session, career_paths=[str(industry.pk), str(government.pk)])

    html = response.content.decode()
    for path in CareerPath.objects.all():
        assert re.search(
            rf'<label[^>]*><input type="checkbox" name="career_paths" value="{path.pk}"[^>]*>\s*'
            + re.escape(path.name),
            html,
        ), path.name
    assert set(session.career_paths.all()) == {industry, government}


# --- reminder offsets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("24 hours, 1 hour", [1440, 60]),
        ("30 minutes", [30]),
        ("2 days", [2880]),
        ("90 min", [90]),
        ("1h", [60]),
        ("1 hour 30 minutes", [90]),
        ("1 hour; 24 Hours; 1 hour", [1440, 60]),
        ("", []),
    ],
)
def test_reminders_are_typed_as_durations(staff_client, typed, saved):
    event = EventFactory()

    response = post_event(staff_client, event, reminder_offsets=typed)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.reminder_offsets == saved


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("soon", "“soon” is not a duration: type a number and a unit"),
        ("60", "“60” needs a unit: minutes, hours or days"),
        ("0 minutes", "“0 minutes”: a reminder must go at least 1 minute before."),
        ("24 hours and 1 hour", "“24 hours and 1 hour”: separate reminders with commas"),
        ("3 fortnights", "“3 fortnights”: “fortnights” is not a unit"),
        ("90 days", "“90 days”: reminders go at most 60 days before a session."),
        ("[1440, 60]", "“[1440” is not a duration"),
    ],
)
def test_a_reminder_that_is_not_a_duration_is_refused_in_the_page(staff_client, typed, message):
    event = EventFactory(reminder_offsets=[1440, 60])

    response = post_event(staff_client, event, reminder_offsets=typed)

    assert response.status_code == 200
    assert message in page_text(response)
    event.refresh_from_db()
    assert event.reminder_offsets == [1440, 60]


@pytest.mark.parametrize(
    ("saved", "shown"),
    [([1440, 60], "24 hours, 1 hour"), ([2880, 90, 1], "2 days, 1 hour 30 minutes, 1 minute")],
)
def test_the_event_form_shows_reminders_as_durations(staff_client, saved, shown):
    event = EventFactory(reminder_offsets=saved)

    data = form_data(staff_client.get(event_url(event)).content.decode(), "event_form")

    assert data["reminder_offsets"] == [shown]
