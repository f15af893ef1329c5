"""The agenda as people scan it: day tabs, search, the rooms grid, the "now" marker, "For
you" and a session's own calendar file; through the real views and templates."""

import datetime as dt
import re

import pytest
import time_machine
from icalendar import Calendar

from accounts.models import Profile
from accounts.services import profile_update
from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, UserFactory, career_path

pytestmark = pytest.mark.django_db

CARD_TITLE = re.compile(r'<h4 class="session-title"><a href="[^"]+">([^<]+)</a></h4>')


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


@pytest.fixture
def winter_event():
    return EventFactory(
        slug="winter-2030", starts_on=dt.date(2030, 12, 6), ends_on=dt.date(2030, 12, 7)
    )


@pytest.fixture
def two_room_program(winter_event):
    hall, pods = (
        RoomFactory(event=winter_event, name="Hall A"),
        RoomFactory(event=winter_event, name="Pods B"),
    )
    grant = SessionFactory(
        event=winter_event,
        title="Grant writing",
        room=hall,
        starts_at=at(6, 10),
        ends_at=at(6, 11),
        speakers=["Dr. Amara Okafor"],
        description="Drafting a Specific Aims page.",
    )
    grant.career_paths.set([career_path("translational")])
    teaching = SessionFactory(
        event=winter_event,
        title="Teaching on the wards",
        room=pods,
        starts_at=at(6, 10, 30),
        ends_at=at(6, 11),
        audience=["resident"],
    )
    teaching.career_paths.set([career_path("medical-education")])
    SessionFactory(
        event=winter_event, title="Late talk", room=hall, starts_at=at(6, 11), ends_at=at(6, 12)
    )
    SessionFactory(
        event=winter_event, title="Saturday panel", room=hall, starts_at=at(7, 9), ends_at=at(7, 10)
    )
    return winter_event


def day_sections(content: str) -> dict[str, str]:
    """day id -> the section's class attribute."""
    return dict(
        (day, classes)
        for classes, day in re.findall(
            r'<section class="agenda-day([^"]*)" id="day-(\d{8})"', content
        )
    )


def get(client, winter_event, query: str = "") -> str:
    response = client.get(f"/events/{winter_event.slug}/{query}")
    assert response.status_code == 200
    return response.content.decode()


# --- day tabs ---------------------------------------------------------------------------------


def test_before_the_event_the_agenda_opens_on_its_first_day_and_lists_every_session(
    client, two_room_program
):
    with time_machine.travel(at(1, 12), tick=False):
        content = get(client, two_room_program)

    assert day_sections(content) == {"20301206": " is-chosen", "20301207": ""}
    assert CARD_TITLE.findall(content) == [
        "Grant writing",
        "Teaching on the wards",
        "Late talk",
        "Saturday panel",
    ]


def test_during_the_event_the_agenda_opens_on_today_in_the_events_zone(client, two_room_program):
    # 01:30 UTC on the 8th is still the 7th in New York.
    with time_machine.travel(dt.datetime(2030, 12, 8, 1, 30, tzinfo=dt.UTC), tick=False):
        content = get(client, two_room_program)

    assert day_sections(content) == {"20301206": "", "20301207": " is-chosen"}


def test_day_tabs_link_each_day_and_all_days_on_the_same_page(client, two_room_program):
    content = get(client, two_room_program)

    tabs = re.search(r'<ul class="day-tabs".*?</ul>', content, re.DOTALL).group(0)
    assert re.findall(r'href="([^"]+)"', tabs) == ["#day-20301206", "#day-20301207", "#all-days"]
    assert 'id="all-days"' in content


def test_on_a_day_filtered_agenda_the_tabs_are_links_to_the_other_days(client, two_room_program):
    content = get(client, two_room_program, "?day=2030-12-07&kind=micro_learning")

    tabs = re.search(r'<ul class="day-tabs".*?</ul>', content, re.DOTALL).group(0)
    assert re.findall(r'href="([^"]+)"', tabs) == [
        "?day=2030-12-06&amp;kind=micro_learning",
        "?day=2030-12-07&amp;kind=micro_learning",
        "?kind=micro_learning",
    ]
    assert CARD_TITLE.findall(content) == ["Saturday panel"]


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("grant", ["Grant writing"]),
        ("OKAFOR", ["Grant writing"]),  # a speaker
        ("specific aims", ["Grant writing"]),  # the description
        ("medical education", ["Teaching on the wards"]),  # a career path
        ("  Late%09talk ", ["Late talk"]),
        ("grant panel", []),  # every word must match
        ("", ["Grant writing", "Teaching on the wards", "Late talk", "Saturday panel"]),
    ],
)
def test_search_matches_title_speaker_description_and_career_path(
    client, two_room_program, term, expected
):
    content = get(client, two_room_program, f"?q={term}")

    assert CARD_TITLE.findall(content) == expected


def test_search_keeps_other_filters_and_says_what_it_matched(client, two_room_program):
    content = get(client, two_room_program, "?q=talk&day=2030-12-06")

    assert CARD_TITLE.findall(content) == ["Late talk"]
    assert "1 session matches “talk”." in content
    search_form = re.search(
        r'<form method="get" class="agenda-search".*?</form>', content, re.DOTALL
    )
    assert '<input type="hidden" name="day" value="2030-12-06">' in search_form.group(0)


def test_a_huge_or_odd_search_is_cut_down_not_refused(client, two_room_program):
    content = get(client, two_room_program, "?q=" + "grant%01%E2%80%8B " * 200)

    assert CARD_TITLE.findall(content) == ["Grant writing"]


# --- the rooms grid ---------------------------------------------------------------------------


def grid_rows(content: str) -> list[list[str]]:
    """Each grid row of the first day: its time, then per cell the title or "-" (empty)."""
    table = re.search(r'<table class="agenda-grid">.*?</table>', content, re.DOTALL).group(0)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL):
        time = re.search(r"<time [^>]*>([^<]+)</time>", row).group(1)
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, re.DOTALL)
        rows.append(
            [time]
            + [
                (
                    (CARD_TITLE.search(body).group(1) if "session-title" in body else "-")
                    + (
                        f"/{span.group(1)}"
                        if (span := re.search(r'rowspan="(\d+)"', attrs))
                        else ""
                    )
                )
                for attrs, body in cells
            ]
        )
    return rows


def test_grid_puts_parallel_sessions_side_by_side_by_room(client, two_room_program):
    content = get(client, two_room_program, "?view=grid")

    header = re.search(r"<thead>(.*?)</thead>", content, re.DOTALL).group(1)
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', header) == [
        "Time (EST)",
        "Hall A",
        "Pods B",
    ]
    assert grid_rows(content) == [
        ["10:00", "Grant writing/2", "-"],
        ["10:30", "Teaching on the wards"],
        ["11:00", "Late talk", "-"],
    ]


def test_grid_gives_a_room_with_overlapping_sessions_two_lanes(client, winter_event):
    hall = RoomFactory(event=winter_event, name="Hall A")
    SessionFactory(
        event=winter_event, title="Long", room=hall, starts_at=at(6, 10), ends_at=at(6, 12)
    )
    SessionFactory(
        event=winter_event, title="Short", room=hall, starts_at=at(6, 11), ends_at=at(6, 12)
    )

    content = get(client, winter_event, "?view=grid")

    assert '<th scope="col" colspan="2">Hall A</th>' in content
    assert grid_rows(content) == [["10:00", "Long/2", "-"], ["11:00", "Short"]]


def test_an_unknown_view_is_the_list(client, two_room_program):
    content = get(client, two_room_program, "?view=<script>")

    assert "agenda-grid" not in content
    assert "<script>" not in content


# --- now --------------------------------------------------------------------------------------


def test_during_the_event_the_now_line_sits_before_the_next_slot_and_ended_slots_fold(
    client, two_room_program
):
    with time_machine.travel(at(6, 10, 45), tick=False):
        content = get(client, two_room_program)

    today = content.split('id="day-20301206"')[1].split("</section>")[0]
    assert "<summary>Earlier today" not in today  # 10:00 and 10:30 still run until 11:00
    assert today.count('<span class="now-label">Now</span>') == 2
    assert re.search(
        r'<p class="now-line"><span>Now · 10:45 EST</span></p>\s*<div class="slot"', today
    )
    assert today.count('id="now"') == 1
    assert re.search(
        r'<div class="slot is-now" id="now">\s*<h3 class="slot-time"><time [^>]*>10:00<', today
    )
    assert '<a href="#now">Now</a>' in today

    with time_machine.travel(at(6, 11, 15), tick=False):
        content = get(client, two_room_program)

    today = content.split('id="day-20301206"')[1].split("</section>")[0]
    earlier, ahead = today.split("</details>")
    assert "Earlier today: 2 time slots that ended" in earlier
    assert CARD_TITLE.findall(earlier) == ["Grant writing", "Teaching on the wards"]
    assert CARD_TITLE.findall(ahead) == ["Late talk"]


def test_outside_the_event_there_is_no_now_marker(client, two_room_program):
    with time_machine.travel(at(9, 10), tick=False):
        content = get(client, two_room_program)

    assert "now-line" not in content
    assert "now-label" not in content


# --- for you ----------------------------------------------------------------------------------


@pytest.fixture
def resident(two_room_program):
    person = UserFactory(name="Rae Resident")
    profile_update(
        user=person,
        name=person.name,
        data={"career_stage": "resident", "interests": [career_path("medical-education")]},
    )
    return person


def card(content: str, title: str) -> str:
    return re.search(
        rf'<article class="[^"]*" id="session-\d+">(?:(?!</article>).)*{title}.*?</article>',
        content,
        re.DOTALL,
    ).group(0)


def test_for_you_picks_and_marks_sessions_with_the_reason(client, two_room_program, resident):
    with time_machine.travel(at(1, 12), tick=False):
        client.force_login(resident)  # a login made before the jump would have expired
        content = get(client, two_room_program)

    picks = re.search(r'<ol class="picks">(.*?)</ol>', content, re.DOTALL).group(1)
    assert re.findall(r">([^<]+)</a>", picks) == ["Teaching on the wards"]
    assert "Matches your interest in medical education" in picks
    assert "For you: Matches your interest in medical education" in card(
        content, "Teaching on the wards"
    )
    assert "is-for-you" in card(content, "Teaching on the wards")


def test_for_you_filter_shows_only_matching_sessions(client, two_room_program, resident):
    client.force_login(resident)

    content = get(client, two_room_program, "?for_you=on")

    assert CARD_TITLE.findall(content) == ["Teaching on the wards"]
    assert "Show every session" in content


def test_sessions_not_open_to_the_persons_stage_are_dimmed_not_hidden(client, two_room_program):
    fellow = UserFactory()  # a fellow, by the factory
    client.force_login(fellow)

    content = get(client, two_room_program)

    assert "is-dimmed" in card(content, "Teaching on the wards")
    assert "This session is for Resident only." in card(content, "Teaching on the wards")
    assert "is-dimmed" not in card(content, "Grant writing")


def test_a_profile_change_shows_on_the_next_agenda(
    client, two_room_program, resident, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    get(client, two_room_program)

    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            user=resident,
            name=resident.name,
            data={"career_stage": "resident", "interests": [career_path("translational")]},
        )
    content = get(client, two_room_program, "?for_you=on")

    assert CARD_TITLE.findall(content) == ["Grant writing", "Teaching on the wards"]


def test_without_stage_or_interests_the_agenda_asks_for_them(client, two_room_program):
    person = UserFactory()
    Profile.objects.filter(user=person).update(career_stage="")
    client.force_login(person)

    content = get(client, two_room_program, "?for_you=on")

    assert "Tell us your career stage and interests in" in content
    assert len(CARD_TITLE.findall(content)) == 4


def test_anonymous_visitors_get_no_for_you(client, two_room_program):
    content = get(client, two_room_program, "?for_you=on")

    assert "For you" not in content
    assert len(CARD_TITLE.findall(content)) == 4


# --- add to calendar --------------------------------------------------------------------------


def test_session_page_offers_its_own_calendar_file(client, two_room_program):
    session = two_room_program.sessions.get(title="Grant writing")

    page = client.get(session.get_absolute_url()).content.decode()
    response = client.get(f"/events/{two_room_program.slug}/sessions/{session.pk}/calendar.ics")

    assert f'href="/events/{two_room_program.slug}/sessions/{session.pk}/calendar.ics"' in page
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    [item] = calendar.walk("VEVENT")
    assert str(item["summary"]) == "Grant writing"
    assert item["dtstart"].dt == at(6, 10)
    assert item["dtstart"].params["TZID"] == "America/New_York"
    assert str(item["location"]) == "Hall A"
    assert calendar.walk("VTIMEZONE")


def test_a_draft_sessions_calendar_file_is_not_found(client, two_room_program):
    session = two_room_program.sessions.get(title="Grant writing")
    session.is_published = False
    session.save()

    response = client.get(f"/events/{two_room_program.slug}/sessions/{session.pk}/calendar.ics")

    assert response.status_code == 404
