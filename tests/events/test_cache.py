"""The cached anonymous agenda: shared by everyone, never stale after a committed change."""

import gzip

import pytest
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import reverse

from events.admin import RoomAdmin
from events.models import Room, Session
from tests.events.test_roster import admin_form_data
from tests.factories import RoomFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_seat_session():
    return SessionFactory(title="Grant writing", capacity=5)


def agenda(client, five_seat_session, **headers):
    return client.get(f"/events/{five_seat_session.event.slug}/", **headers)


def test_anonymous_agenda_is_served_gzipped_to_clients_that_accept_it(client, five_seat_session):
    plain = agenda(client, five_seat_session).content

    response = agenda(client, five_seat_session, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain


def test_unpublishing_an_event_in_admin_makes_its_cached_agenda_a_404(
    client, five_seat_session, django_capture_on_commit_callbacks
):
    assert agenda(client, five_seat_session).status_code == 200
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_event_change", args=[five_seat_session.event.pk])
    data = admin_form_data(staff.get(url), "event_form")
    data.pop("is_published")

    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url, data).status_code == 302

    assert agenda(client, five_seat_session).status_code == 404


def test_renaming_a_room_in_admin_shows_on_the_cached_agenda(
    client, five_seat_session, django_capture_on_commit_callbacks
):
    room = RoomFactory(event=five_seat_session.event, name="W201")
    Session.objects.filter(pk=five_seat_session.pk).update(room=room)
    assert "W201" in agenda(client, five_seat_session).content.decode()

    room.name = "Valencia Ballroom"
    with django_capture_on_commit_callbacks(execute=True):
        RoomAdmin(Room, django_admin.site).save_model(None, room, None, True)

    assert "Valencia Ballroom" in agenda(client, five_seat_session).content.decode()
