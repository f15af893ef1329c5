"""Reflection and Action: counts for the committee, never a person; small counts hidden."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import (
    BelongingGroupFactory,
    GroupPlaceFactory,
    InterviewBookingFactory,
    InterviewSlotFactory,
    ListeningRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("listening:report")
REPORT_CSV = reverse("listening:report_csv")
SECRET_NOTE = "My program director said something I will never forget"


@pytest.fixture
def filled(listening_event):
    """Six interview requests about gender, two group requests, one held interview and a
    group of two that is full; every person has a name and an email the report must not show."""
    people = [
        UserFactory(name=f"Person Number{n}", email=f"person{n}@private.example") for n in range(8)
    ]
    for person in people[:6]:
        ListeningRequestFactory(
            event=listening_event,
            user=person,
            formats=["interview"],
            topics=["gender"],
            availability=["2030-12-06:morning"],
            note=SECRET_NOTE,
            topic_other="",
        )
    for person in people[6:]:
        ListeningRequestFactory(
            event=listening_event,
            user=person,
            formats=["group"],
            topics=["other"],
            topic_other="A very rare identity",
            status="accepted",
        )
    slot = InterviewSlotFactory(
        event=listening_event, facilitator=UserFactory(name="Fran Facilitator")
    )
    InterviewBookingFactory(slot=slot, user=people[0], status="held")
    group = BelongingGroupFactory(event=listening_event, capacity=2)
    for person in people[6:]:
        GroupPlaceFactory(group=group, user=person)
    return people


def test_report_counts_by_format_topic_day_and_status(client, reviewer, filled):
    client.force_login(reviewer)

    rows = list(csv.reader(io.StringIO(client.get(REPORT_CSV).content.decode())))

    assert rows[0] == ["measure", "value", "count"]
    found = {(measure, value): count for measure, value, count in rows[1:]}
    assert found[("requests", "all")] == "8"
    assert found[("status", "Submitted")] == "6"
    assert found[("status", "Accepted")] == "fewer than 5"
    assert found[("format", "One-on-one interview")] == "6"
    assert found[("format", "Conversation on Belonging (group)")] == "fewer than 5"
    assert found[("topic", "Gender")] == "6"
    assert found[("topic", "Other")] == "fewer than 5"
    assert found[("available", "Friday, December 6, morning")] == "6"
    assert found[("interviews", "held")] == "fewer than 5"
    assert found[("groups", "filled")] == "fewer than 5"


def test_report_page_and_csv_hold_no_name_email_note_or_free_text(client, reviewer, filled):
    client.force_login(reviewer)

    for url in (REPORT, REPORT_CSV):
        body = client.get(url).content
        assert body.count(b"fewer than 5") >= 5
        for person in filled:
            assert person.get_full_name().encode() not in body
            assert person.email.encode() not in body
        assert b"Number" not in body
        assert b"private.example" not in body
        assert SECRET_NOTE.encode() not in body
        assert b"A very rare identity" not in body
        assert b"Fran Facilitator" not in body


def test_report_page_shows_small_counts_as_fewer_than_five(client, reviewer, filled):
    client.force_login(reviewer)

    content = client.get(REPORT).content.decode()

    assert "<tr><td>Gender</td><td>6</td></tr>" in content
    assert "<tr><td>Ability</td><td>fewer than 5</td></tr>" in content


@pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
def test_report_is_refused_to_staff_and_superusers_without_the_permission(
    client, listening_event, superuser, url
):
    for person in (superuser, UserFactory(is_staff=True), UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_report_csv_is_never_kept_by_a_shared_cache(client, reviewer, listening_event):
    client.force_login(reviewer)

    response = client.get(REPORT_CSV)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("size", [2, 20])
def test_report_costs_the_same_queries_for_few_or_many_requests(
    client, reviewer, listening_event, django_assert_max_num_queries, size
):
    for _ in range(size):
        request = ListeningRequestFactory(event=listening_event)
        InterviewBookingFactory(slot=InterviewSlotFactory(event=listening_event), user=request.user)
        GroupPlaceFactory(group=BelongingGroupFactory(event=listening_event), user=request.user)
    client.force_login(reviewer)

    with django_assert_max_num_queries(12):
        assert client.get(REPORT).status_code == 200
