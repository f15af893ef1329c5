"""My agenda as a day: free time between items on a line of its own, clashes on their line."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from events.services import registration_create
from events.timeline import Gap, day_timeline
from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, UserFactory


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, 6, hour, minute, tzinfo=NY)


def entries(*spans):
    """day_timeline over (start, end) pairs; items as their spans, gaps as Gap."""
    return [
        entry.gap or entry.item
        for entry in day_timeline(spans, start=lambda s: s[0], end=lambda s: s[1])
    ]


def test_free_time_between_two_items_is_a_gap():
    assert entries((at(9), at(10)), (at(10, 45), at(11))) == [
        (at(9), at(10)),
        Gap(starts_at=at(10), ends_at=at(10, 45)),
        (at(10, 45), at(11)),
    ]


def test_back_to_back_items_have_no_gap():
    assert entries((at(9), at(10)), (at(10), at(11))) == [(at(9), at(10)), (at(10), at(11))]


def test_a_long_item_covers_the_short_ones_inside_it():
    # 9–12 covers 10–10:30, so the only free time is 12:00–13:00, not 10:30–13:00.
    assert entries((at(10), at(10, 30)), (at(9), at(12)), (at(13), at(14))) == [
        (at(9), at(12)),
        (at(10), at(10, 30)),
        Gap(starts_at=at(12), ends_at=at(13)),
        (at(13), at(14)),
    ]


def test_overlapping_items_have_no_gap_between_them():
    assert entries((at(9), at(10, 30)), (at(10), at(11))) == [
        (at(9), at(10, 30)),
        (at(10), at(11)),
    ]


@pytest.mark.parametrize(
    ("end", "label"),
    [(at(9, 45), "45 min free"), (at(11), "2 h free"), (at(10, 15), "1 h 15 min free")],
)
def test_gap_says_how_long_it_is(end, label):
    assert Gap(starts_at=at(9), ends_at=end).label == label


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled_deliveries")
def test_my_agenda_shows_the_gap_and_marks_the_clash_on_its_line(client):
    event = EventFactory(city="Orlando")
    person = UserFactory()
    hall = RoomFactory(event=event, name="Hall A")
    first = SessionFactory(
        event=event, title="Grant basics", room=hall, starts_at=at(9), ends_at=at(10)
    )
    later = SessionFactory(
        event=event, title="K awards", room=hall, starts_at=at(11), ends_at=at(12)
    )
    overlap = SessionFactory(
        event=event,
        title="Wellness",
        room=hall,
        starts_at=at(11, 30),
        ends_at=at(12, 30),
        capacity=1,
    )
    registration_create(session=overlap, user=UserFactory())  # full: person is waitlisted
    for session in (first, later, overlap):
        registration_create(session=session, user=person)
    client.force_login(person)

    content = client.get(reverse("events:my_agenda")).content.decode()

    rows = re.findall(r'<tr (?:id="registration-\d+" )?class="([^"]+)">(.*?)</tr>', content, re.S)
    shown = [
        (cls.split()[0], re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
        for cls, body in rows
    ]
    assert shown == [
        (
            "timeline-item",
            "09:00 –10:00 Grant basics Hall A Confirmed Cancel my seat — Grant basics",
        ),
        ("timeline-gap", "1 h free 10:00–11:00"),
        ("timeline-item", "11:00 –12:00 K awards Hall A Confirmed Cancel my seat — K awards"),
        (
            "timeline-item",
            "11:30 –12:30 Wellness Hall A Waitlisted #1 A seat would clash with “K awards”, so "
            "you are skipped until that changes Leave the waitlist — Wellness",
        ),
    ]
    assert "has-clash" in rows[3][0]
    assert "Times in Orlando time (America/New_York)" in content
