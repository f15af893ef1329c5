"""The cached anonymous agenda is keyed on the filters it applies, never on the raw query
string: junk parameters or values cannot fill the shared cache (Redis) with copies."""

import pytest
import redis
from django.conf import settings

from events.models import Session
from tests.admin_form import page_text
from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_two_sessions(redis_url):
    event_with_two_sessions = EventFactory(slug="winter-2030")
    SessionFactory(
        event=event_with_two_sessions, title="Grant writing", kind=Session.Kind.MICRO_LEARNING
    )
    SessionFactory(event=event_with_two_sessions, title="Giving a talk", kind=Session.Kind.DIDACTIC)
    return event_with_two_sessions


def cached_pages() -> int:
    """Whole agenda pages in the real shared cache (not the sessions or card parts)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]  # this worker's, under pytest-xdist
    return sum(1 for _ in client.scan_iter(match=f"{prefix}:*agenda:*:page:*"))


def titles(response) -> list[str]:
    text = page_text(response)
    return [title for title in ("Grant writing", "Giving a talk") if title in text]


def test_twenty_requests_with_unknown_parameters_store_one_page(client, event_with_two_sessions):
    for n in range(20):
        assert client.get(f"/events/{event_with_two_sessions.slug}/?junk{n}=x").status_code == 200

    assert cached_pages() == 1


def test_twenty_requests_with_invalid_filter_values_store_one_page(client, event_with_two_sessions):
    for n in range(20):
        client.get(f"/events/{event_with_two_sessions.slug}/?kind=junk{n}")
        client.get(f"/events/{event_with_two_sessions.slug}/?day=2031-01-{n + 1:02d}")
        client.get(f"/events/{event_with_two_sessions.slug}/?career_path=astrology-{n}")

    assert cached_pages() == 1


def test_a_request_with_an_invalid_filter_value_gets_the_unfiltered_agenda(
    client, event_with_two_sessions
):
    client.get(f"/events/{event_with_two_sessions.slug}/")

    response = client.get(f"/events/{event_with_two_sessions.slug}/?kind=junk")

    assert titles(response) == ["Grant writing", "Giving a talk"]


def test_a_filtered_agenda_gets_its_own_cached_page(client, event_with_two_sessions):
    unfiltered = client.get(f"/events/{event_with_two_sessions.slug}/")

    filtered = client.get(f"/events/{event_with_two_sessions.slug}/?kind=didactic")

    assert titles(unfiltered) == ["Grant writing", "Giving a talk"]
    assert titles(filtered) == ["Giving a talk"]
    assert cached_pages() == 2


def test_junk_next_to_a_valid_filter_is_served_the_filtered_page_without_a_new_entry(
    client, event_with_two_sessions
):
    client.get(f"/events/{event_with_two_sessions.slug}/?kind=didactic")

    responses = [
        client.get(f"/events/{event_with_two_sessions.slug}/?kind=didactic&utm_source={n}&day=nope")
        for n in range(5)
    ]

    assert [titles(response) for response in responses] == [["Giving a talk"]] * 5
    assert cached_pages() == 1


def test_the_page_of_a_junk_request_does_not_echo_its_parameters(client, event_with_two_sessions):
    client.get(f"/events/{event_with_two_sessions.slug}/?kind=didactic&marker=planted-text")

    response = client.get(f"/events/{event_with_two_sessions.slug}/?kind=didactic")

    assert "planted-text" not in response.content.decode()


def test_searches_are_not_stored_as_pages(client, event_with_two_sessions):
    for n in range(20):
        response = client.get(f"/events/{event_with_two_sessions.slug}/?q=grant+{n}x")
        assert response.status_code == 200

    assert cached_pages() == 0


def test_a_search_is_answered_from_the_cached_sessions(client, event_with_two_sessions):
    client.get(f"/events/{event_with_two_sessions.slug}/")

    response = client.get(f"/events/{event_with_two_sessions.slug}/?q=GRANT")

    assert titles(response) == ["Grant writing"]


def test_the_list_view_spelt_out_is_the_default_page(client, event_with_two_sessions):
    client.get(f"/events/{event_with_two_sessions.slug}/")
    client.get(f"/events/{event_with_two_sessions.slug}/?view=list")
    client.get(f"/events/{event_with_two_sessions.slug}/?view=junk")

    assert cached_pages() == 1


def test_the_grid_view_gets_its_own_cached_page(client, event_with_two_sessions):
    client.get(f"/events/{event_with_two_sessions.slug}/")

    response = client.get(f"/events/{event_with_two_sessions.slug}/?view=grid")

    assert 'class="agenda-grid"' in response.content.decode()
    assert cached_pages() == 2
