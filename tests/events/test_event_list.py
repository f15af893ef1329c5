"""`/events/`: every published event, running and upcoming ones first (soonest first), then
past ones (most recent first); one date for a one-day event, a range otherwise."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2030, 6, 15, 12, 0, tzinfo=dt.UTC)


def day(month: int, number: int, year: int = 2030) -> dt.date:
    return dt.date(year, month, number)


def listed(content: str, heading: str) -> list[str]:
    """Event names under a section heading of the events page, in page order."""
    match = re.search(rf">{heading}</h2>(.*?)</section>", content, flags=re.DOTALL)
    assert match, f"no section {heading!r}"
    return re.findall(r'<h3><a href="/events/[^/]+/">([^<]+)</a>', match.group(1))


@pytest.fixture
def events():
    return {
        "spring": EventFactory(name="Spring 2030", starts_on=day(4, 1), ends_on=day(4, 2)),
        "old": EventFactory(
            name="Winter 2028", starts_on=day(12, 8, 2028), ends_on=day(12, 11, 2028)
        ),
        "summer": EventFactory(name="Summer 2030", starts_on=day(6, 14), ends_on=day(6, 16)),
        "winter": EventFactory(name="Winter 2030", starts_on=day(12, 6), ends_on=day(12, 6)),
        "autumn": EventFactory(name="Autumn 2030", starts_on=day(10, 1), ends_on=day(10, 3)),
        "draft": EventFactory(
            name="Draft 2031",
            starts_on=day(1, 5, 2031),
            ends_on=day(1, 6, 2031),
            is_published=False,
        ),
    }


def test_events_page_lists_running_and_upcoming_soonest_first_then_past_most_recent_first(
    client, events
):
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/events/")

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("events:event_list") == "/events/"
    assert listed(content, "Coming up") == ["Summer 2030", "Autumn 2030", "Winter 2030"]
    assert listed(content, "Past events") == ["Spring 2030", "Winter 2028"]
    assert "Draft 2031" not in content


def test_events_page_shows_each_events_dates_city_and_a_running_one_as_happening_now(
    client, events
):
    with time_machine.travel(TODAY, tick=False):
        content = client.get("/events/").content.decode()

    assert (
        '<h3><a href="/events/{}/">Summer 2030</a> <span class="badge">Happening now</span></h3>'.format(
            events["summer"].slug
        )
        in content
    )
    assert '<p class="meta">June 14–16, 2030 · Orlando</p>' in content
    assert '<p class="meta">Friday, December 6, 2030 · Orlando</p>' in content
    assert '<p class="meta">December 8–11, 2028 · Orlando</p>' in content


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "shown"),
    [
        (day(12, 6, 2019), day(12, 6, 2019), "Friday, December 6, 2019"),
        (day(12, 6, 2019), day(12, 9, 2019), "December 6–9, 2019"),
        (day(11, 30, 2030), day(12, 2, 2030), "November 30 – December 2, 2030"),
        (day(12, 30, 2030), day(1, 2, 2031), "December 30, 2030 – January 2, 2031"),
    ],
    ids=["one-day", "same-month", "two-months", "two-years"],
)
def test_agenda_heading_shows_one_date_for_a_one_day_event_and_a_range_otherwise(
    client, starts_on, ends_on, shown
):
    event = EventFactory(starts_on=starts_on, ends_on=ends_on, city="Orlando")

    content = client.get(event.get_absolute_url()).content.decode()

    assert f'<p class="lede">Orlando · {shown} · times in America/New_York</p>' in content


def test_agenda_links_the_list_of_events_once_there_is_more_than_one(client, events):
    content = client.get(events["winter"].get_absolute_url()).content.decode()

    assert '<a href="/events/">All events</a>' in content


def test_agenda_of_the_only_published_event_does_not_link_the_list(client):
    EventFactory(is_published=False)
    only = EventFactory()

    content = client.get(only.get_absolute_url()).content.decode()

    assert '<a href="/events/">' not in content


def test_home_links_the_list_and_keeps_showing_the_current_event(client, events):
    with time_machine.travel(TODAY, tick=False):
        content = client.get("/").content.decode()

    assert "<h1>Summer 2030</h1>" in content
    assert '<a href="/events/">All events</a>' in content


def test_events_page_without_events_says_nothing_is_published(client):
    content = client.get("/events/").content.decode()

    assert "No event is published yet." in content


EVENT_LIST_QUERIES = 1  # the published events


@pytest.mark.parametrize("size", [2, 20])
def test_event_list_queries_do_not_grow_with_the_events(client, django_assert_num_queries, size):
    for n in range(size):
        EventFactory(starts_on=day(1 + n % 12, 1), ends_on=day(1 + n % 12, 3))

    with django_assert_num_queries(EVENT_LIST_QUERIES):
        response = client.get(reverse("events:event_list"))

    assert response.content.decode().count('<h3><a href="/events/') == size
