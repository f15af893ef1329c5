"""The public pages: home, agenda (with filters), session page, 404s and layout basics."""

import datetime as dt
import re

import pytest

from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, career_path

SESSION_LINK = r'<h4 class="session-title"><a href="(/events/{slug}/sessions/(\d+)/)">([^<]+)</a>'


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def listed_titles(response, event) -> list[str]:
    """Titles of the session cards, in page order, each linking to its session page."""
    content = response.content.decode()
    return [title for _, _, title in re.findall(SESSION_LINK.format(slug=event.slug), content)]


def titles_by_day(response) -> dict[str, list[str]]:
    content = response.content.decode()
    sections = re.findall(
        r'<section class="agenda-day[^"]*" id="day-(\d{8})"[^>]*>(.*?)</section>',
        content,
        flags=re.DOTALL,
    )
    return {
        day: re.findall(r'<a href="/events/[^/]+/sessions/\d+/">([^<]+)</a>', body)
        for day, body in sections
    }


def make_session(event, title, *, paths=(), **fields):
    session = SessionFactory(event=event, title=title, **fields)
    session.career_paths.set([career_path(slug) for slug in paths])
    return session


@pytest.fixture
def three_session_program(event):
    """Three sessions over two days with different kinds, paths and audiences."""
    return [
        make_session(
            event,
            "Grant writing",
            kind="micro_learning",
            starts_at=at(6, 10),
            paths=["translational"],
            audience=["fellow"],
        ),
        make_session(
            event,
            "Wellness drop",
            kind="blood_drop",
            starts_at=at(6, 11),
            paths=["medical-education"],
            audience=[],
        ),
        make_session(
            event,
            "Lunch tables",
            kind="career_lunch",
            starts_at=at(7, 12),
            paths=["industry", "translational"],
            audience=["resident"],
        ),
    ]


# --- agenda ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agenda_lists_every_published_session_linking_to_its_page(
    client, event, three_session_program
):
    response = client.get("/events/ash-2030/")

    assert response.status_code == 200
    links = re.findall(SESSION_LINK.format(slug="ash-2030"), response.content.decode())
    assert [(href, title) for href, _, title in links] == [
        (f"/events/ash-2030/sessions/{s.pk}/", s.title) for s in three_session_program
    ]


@pytest.mark.django_db
def test_agenda_shows_all_sessions_on_one_page(client, event):
    room = RoomFactory(event=event)
    for n in range(60):
        SessionFactory(event=event, room=room, title=f"Talk {n:02d}", starts_at=at(6, 8, n % 60))

    response = client.get("/events/ash-2030/")

    assert sorted(listed_titles(response, event)) == [f"Talk {n:02d}" for n in range(60)]
    assert "60 sessions." in response.content.decode()


@pytest.mark.django_db
def test_agenda_leaves_out_unpublished_sessions(client, event, three_session_program):
    make_session(event, "Secret planning meeting", is_published=False, starts_at=at(6, 9))

    response = client.get("/events/ash-2030/")

    assert "Secret planning meeting" not in response.content.decode()
    assert len(listed_titles(response, event)) == 3


@pytest.mark.django_db
def test_agenda_leaves_out_sessions_of_other_events(client, event, three_session_program):
    make_session(EventFactory(slug="other"), "Somebody else's talk", starts_at=at(6, 9))

    response = client.get("/events/ash-2030/")

    assert "Somebody else" not in response.content.decode()


@pytest.mark.django_db
def test_agenda_groups_sessions_by_local_day(client, event):
    make_session(event, "Late reception", kind="reception", starts_at=at(6, 23, 30))
    make_session(event, "Early talk", starts_at=at(7, 8))

    response = client.get("/events/ash-2030/")

    assert titles_by_day(response) == {"20301206": ["Late reception"], "20301207": ["Early talk"]}


@pytest.mark.django_db
def test_agenda_shows_start_and_end_in_the_event_zone(client, event):
    make_session(event, "Late reception", kind="reception", starts_at=at(6, 23, 0))

    response = client.get("/events/ash-2030/")

    times = re.findall(r"<time [^>]*>([^<]+)</time>", response.content.decode())
    assert times == ["23:00", "23:00", "23:30"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Grant writing", "Wellness drop", "Lunch tables"]),
        ("?kind=blood_drop", ["Wellness drop"]),
        ("?career_path=translational", ["Grant writing", "Lunch tables"]),
        ("?audience=resident", ["Wellness drop", "Lunch tables"]),
        ("?day=2030-12-07", ["Lunch tables"]),
        ("?kind=micro_learning&day=2030-12-06", ["Grant writing"]),
        ("?kind=&career_path=&audience=&day=", ["Grant writing", "Wellness drop", "Lunch tables"]),
        ("?kind=reception", []),
    ],
    ids=["none", "kind", "career-path", "audience", "day", "kind-and-day", "blank", "no-match"],
)
def test_agenda_filters_narrow_the_list(client, event, three_session_program, query, expected):
    response = client.get(f"/events/ash-2030/{query}")

    assert response.status_code == 200
    assert listed_titles(response, event) == expected


@pytest.mark.django_db
def test_agenda_with_no_match_says_so(client, event, three_session_program):
    response = client.get("/events/ash-2030/?kind=reception")

    assert "No sessions match these filters." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?kind=workshop",
        "?career_path=astrology",
        "?audience=professor",
        "?day=2031-01-01",
        "?day=not-a-date",
        "?kind=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_agenda_with_forged_filter_value_answers_with_the_unfiltered_list(
    client, event, three_session_program, query
):
    response = client.get(f"/events/ash-2030/{query}")

    assert response.status_code == 200
    assert listed_titles(response, event) == ["Grant writing", "Wellness drop", "Lunch tables"]
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.django_db
def test_agenda_of_unknown_event_is_404(client):
    response = client.get("/events/no-such-event/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_agenda_of_unpublished_event_is_404(client):
    EventFactory(slug="draft", is_published=False)

    response = client.get("/events/draft/")

    assert response.status_code == 404


# --- home ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_the_agenda_of_the_upcoming_event(client, event, three_session_program):
    past = EventFactory(
        slug="ash-2019",
        name="ASH 2019 Trainee Programme",
        starts_on=dt.date(2019, 12, 6),
        ends_on=dt.date(2019, 12, 9),
    )
    make_session(past, "Old talk", starts_at=dt.datetime(2019, 12, 6, 10, tzinfo=NY))

    response = client.get("/")

    assert response.status_code == 200
    assert "ASH 2030 Trainee Programme" in response.content.decode()
    assert listed_titles(response, event) == ["Grant writing", "Wellness drop", "Lunch tables"]
    assert "Old talk" not in response.content.decode()


@pytest.mark.django_db
def test_home_without_events_says_nothing_is_published(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No event is published yet." in response.content.decode()


# --- session page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_page_shows_room_speakers_and_paths(client, event):
    session = make_session(
        event,
        "Negotiating your first job offer",
        starts_at=at(6, 11, 30),
        room=RoomFactory(event=event, name="Learning Pod A"),
        speakers=["Dr. Priya Raghunathan", "Dr. Luis Ferreira"],
        paths=["private-practice"],
    )

    response = client.get(f"/events/ash-2030/sessions/{session.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Negotiating your first job offer</h1>" in content
    assert "Learning Pod A" in content
    assert "Dr. Priya Raghunathan, Dr. Luis Ferreira" in content
    assert "Private practice" in content


@pytest.mark.django_db
def test_session_page_shows_day_and_time_in_the_event_zone(client, event):
    session = make_session(event, "Late reception", kind="reception", starts_at=at(6, 23, 0))

    response = client.get(f"/events/ash-2030/sessions/{session.pk}/")

    content = response.content.decode()
    times = re.findall(r"<time [^>]*>([^<]+)</time>", content)
    assert times == ["Friday, December 6, 23:00", "23:30"]
    assert "(America/New_York)" in content


# --- 404s ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown-slug", "unknown-id", "other-event", "unpublished"])
def test_missing_pages_are_404_in_the_site_layout(client, event, case):
    own = make_session(event, "Own", starts_at=at(6, 10))
    hidden = make_session(event, "Hidden", starts_at=at(6, 11), is_published=False)
    foreign = make_session(EventFactory(slug="other"), "Foreign", starts_at=at(6, 10))
    url = {
        "unknown-slug": f"/events/no-such-event/sessions/{own.pk}/",
        "unknown-id": "/events/ash-2030/sessions/999999/",
        "other-event": f"/events/ash-2030/sessions/{foreign.pk}/",
        "unpublished": f"/events/ash-2030/sessions/{hidden.pk}/",
    }[case]

    response = client.get(url)

    assert response.status_code == 404
    content = response.content.decode()
    assert re.search(r'<a class="brand" href="/">.*?Trainee Career Events.*?</a>', content)
    assert "Page not found" in content
    assert "Foreign" not in content


# --- layout basics ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_layout_has_language_skip_link_main_and_labelled_nav(client, event, three_session_program):
    response = client.get("/events/ash-2030/")

    content = response.content.decode()
    assert '<html lang="en">' in content
    assert re.search(r'<a [^>]*href="#main"[^>]*>Skip to main content</a>', content)
    assert '<main id="main"' in content
    assert re.search(r'<nav [^>]*aria-label="[^"]+"', content)


@pytest.mark.django_db
def test_agenda_filter_controls_each_have_a_label(client, event, three_session_program):
    response = client.get("/events/ash-2030/")

    content = response.content.decode()
    form = re.search(r'<form method="get" class="filters".*?</form>', content, re.DOTALL).group(0)
    control_ids = re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', form)
    assert {"id_kind", "id_career_path", "id_audience", "id_day"} <= set(control_ids)
    for control_id in control_ids:
        assert f'<label for="{control_id}">' in form
