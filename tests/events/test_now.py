"""The "now and next" screen, `/events/<slug>/now/`, at fixed times: what runs
(`starts_at <= now < ends_at`) and what starts within 30 minutes (`now < starts_at <=
now + 30 min`), seats as the database counts them, the lunch's tables with room for
walk-ins, the trainee's own next item first, the messages before, between and after, and
what a page costs in queries. The event is in Chicago; the server runs in UTC."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.lunch.services import table_seat_take
from events.models import Registration, Session
from events.now import now_board, now_mine
from events.services import registration_create
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def chicago():
    return EventFactory(slug="chicago-2030", name="Winter Meeting 2030", timezone="America/Chicago")


@pytest.fixture
def program(chicago):
    """Friday's morning in Chicago, and what must never show: a draft, a cancelled session,
    a listening session and a session of a draft event."""

    def talk(title, start, end, **kwargs):
        return SessionFactory(
            event=chicago,
            title=title,
            starts_at=start,
            ends_at=end,
            room=RoomFactory(event=chicago, name=f"Room of {title}"),
            **kwargs,
        )

    made = {
        "grant": talk("Grant writing", at(6, 10), at(6, 10, 30), capacity=5),
        "talk": talk("Giving a talk", at(6, 10, 30), at(6, 11), capacity=2),
        "late": talk("Late talk", at(6, 11), at(6, 11, 30), capacity=20),
        "reception": talk(
            "Welcome reception",
            at(6, 10, 15),
            at(6, 12),
            kind=Session.Kind.RECEPTION,
            registration_mode=Session.Mode.DROP_IN,
            capacity=None,
        ),
        "saturday": talk("Saturday opener", at(7, 9), at(7, 10)),
    }
    talk("Draft talk", at(6, 10), at(6, 10, 30), is_published=False)
    talk("Cancelled talk", at(6, 10), at(6, 10, 30), cancelled_at=timezone.now())
    talk(
        "Conversations on belonging",
        at(6, 10),
        at(6, 11),
        kind=Session.Kind.LISTENING,
        registration_mode=Session.Mode.REQUEST,
    )
    draft_event = EventFactory(slug="draft-2030", timezone="America/Chicago", is_published=False)
    SessionFactory(event=draft_event, title="Draft event talk", starts_at=at(6, 10))
    return made


def board_titles(event, when) -> tuple[list[str], list[str]]:
    board = now_board(event=event, now=when)
    return (
        [item.session.title for item in board.running],
        [item.session.title for item in board.starting],
    )


def now_page(client, event) -> str:
    response = client.get(reverse("events:now", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """What a person reads: the markup without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


TITLE = re.compile(r'<h3 class="now-title"><a href="[^"]*">([^<]*)</a>')


def section(page: str, heading_id: str) -> list[str]:
    part = page.split(f'id="{heading_id}"')[1].split("</section>")[0]
    return TITLE.findall(part)


# --- what shows when ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "running", "starting"),
    [
        (9, 29, [], []),
        (9, 30, [], ["Grant writing"]),
        (9, 44, [], ["Grant writing"]),
        (9, 45, [], ["Grant writing", "Welcome reception"]),
        (9, 59, [], ["Grant writing", "Welcome reception"]),
        (10, 0, ["Grant writing"], ["Welcome reception", "Giving a talk"]),
        (10, 29, ["Grant writing", "Welcome reception"], ["Giving a talk"]),
        (10, 30, ["Welcome reception", "Giving a talk"], ["Late talk"]),
        (10, 31, ["Welcome reception", "Giving a talk"], ["Late talk"]),
        (11, 0, ["Welcome reception", "Late talk"], []),
        (11, 59, ["Welcome reception"], []),
        (12, 0, [], []),
    ],
)
def test_running_and_starting_within_30_minutes_at_the_boundaries(
    chicago, program, hour, minute, running, starting
):
    assert board_titles(chicago, at(6, hour, minute)) == (running, starting)


@pytest.mark.parametrize(("hour", "minute"), [(10, 0), (10, 29), (10, 31)])
def test_the_page_lists_what_the_board_holds_in_its_two_sections(
    client, chicago, program, hour, minute
):
    with time_machine.travel(at(6, hour, minute), tick=False):
        page = now_page(client, chicago)

    running, starting = board_titles(chicago, at(6, hour, minute))
    assert section(page, "now-running") == running
    assert section(page, "now-starting") == starting


def test_seconds_do_not_matter_the_screen_works_to_the_minute(chicago, program):
    assert board_titles(chicago, at(6, 9, 59) + dt.timedelta(seconds=59)) == board_titles(
        chicago, at(6, 9, 59)
    )


def test_drafts_cancelled_listening_and_draft_events_never_appear(client, chicago, program):
    with time_machine.travel(at(6, 10, 5), tick=False):
        page = now_page(client, chicago)

    assert "Grant writing" in page
    for hidden in (
        "Draft talk",
        "Cancelled talk",
        "Conversations on belonging",
        "Draft event talk",
    ):
        assert hidden not in page


@pytest.mark.parametrize("slug", ["draft-2030", "no-such-event"])
def test_an_unknown_or_draft_event_is_a_404(client, program, slug):
    with time_machine.travel(at(6, 10), tick=False):
        response = client.get(reverse("events:now", kwargs={"slug": slug}))

    assert response.status_code == 404


def test_a_post_is_refused_and_changes_nothing(client, chicago, program):
    response = client.post(reverse("events:now", kwargs={"slug": chicago.slug}))

    assert response.status_code == 405


# --- seats ---------------------------------------------------------------------------------------


def test_seats_left_are_the_database_counts(client, chicago, program):
    grant, talk = program["grant"], program["talk"]
    for _ in range(3):
        registration_create(session=grant, user=UserFactory())
    for _ in range(3):  # two seats, then the waitlist
        registration_create(session=talk, user=UserFactory())

    with time_machine.travel(at(6, 10, 5), tick=False):
        page = now_page(client, chicago)

    left = grant.capacity - Registration.objects.confirmed().filter(session=grant).count()
    assert left == 2
    assert Registration.objects.confirmed().filter(session=talk).count() == talk.capacity
    assert seats_of(page, "Grant writing") == f"{left} seats left"
    assert seats_of(page, "Giving a talk") == "Full — waitlist"
    assert seats_of(page, "Welcome reception") == "No limit"


def seats_of(page: str, title: str) -> str:
    item = page.split(f">{title}</a>")[1].split("</li>")[0]
    found = re.search(r'<span class="now-seats[^"]*">([^<]*)</span>', item)
    return found.group(1) if found else ""


def test_one_seat_left_is_singular(client, chicago, program):
    registration_create(session=program["talk"], user=UserFactory())

    with time_machine.travel(at(6, 10, 5), tick=False):
        page = now_page(client, chicago)

    assert seats_of(page, "Giving a talk") == "1 seat left"


# --- the lunch -----------------------------------------------------------------------------------


@pytest.fixture
def lunch_day():
    """A New York lunch 12:00–13:30 with three rotations of 20 minutes and four tables of two
    seats: in rotation 1 table 1 is full and table 2 has one seat taken."""
    event = EventFactory(slug="ny-2030")
    lunch = lunch_make(event=event, tables=4, rotations=3, seats=2)
    for table_number, people in ((1, 2), (2, 1)):
        rotation, table = cell(lunch, table_number, 1)
        for _ in range(people):
            table_seat_take(session=lunch, rotation=rotation, table=table, user=UserFactory())
    rotation, table = cell(lunch, 3, 2)
    table_seat_take(session=lunch, rotation=rotation, table=table, user=UserFactory())
    return event, lunch


TABLE = re.compile(
    r'<span class="now-table-number">Table (\d+)</span> <span class="now-table-path">([^<]*)</span>'
    r' <span class="now-table-free">(\d+) seats? free</span>'
)


@pytest.mark.parametrize(
    ("hour", "minute", "head", "tables"),
    [
        # Starting within 30 minutes: the first rotation's tables.
        (
            11,
            40,
            "Rotation 1 starts 12:00 PM EST",
            [("2", "1"), ("3", "2"), ("4", "2")],
        ),
        (12, 5, "Rotation 1, until 12:20 PM EST", [("2", "1"), ("3", "2"), ("4", "2")]),
        (
            12,
            20,
            "Rotation 2, until 12:40 PM EST",
            [("1", "2"), ("2", "2"), ("3", "1"), ("4", "2")],
        ),
    ],
)
def test_the_lunch_lists_tables_with_room_for_walk_ins_in_the_current_rotation(
    client, lunch_day, hour, minute, head, tables
):
    event, _ = lunch_day
    with time_machine.travel(dt.datetime(2030, 12, 7, hour, minute, tzinfo=NY), tick=False):
        page = now_page(client, event)

    assert head in text(page)
    found = [(number, free) for number, _path, free in TABLE.findall(page)]
    assert found == tables


def test_the_lunch_tables_say_their_career_path(client, lunch_day):
    event, lunch = lunch_day
    with time_machine.travel(dt.datetime(2030, 12, 7, 12, 5, tzinfo=NY), tick=False):
        page = now_page(client, event)

    paths = {str(t.number): t.career_path.name for t in lunch.lunch_tables.all()}
    assert [(n, path) for n, path, _ in TABLE.findall(page)] == [
        (n, paths[n]) for n in ("2", "3", "4")
    ]


def test_a_rotation_where_every_table_is_full_says_so(client, lunch_day):
    event, lunch = lunch_day
    for number in (2, 3, 4):
        rotation, table = cell(lunch, number, 1)
        while table.table_seats.filter(rotation=rotation, status="confirmed").count() < table.seats:
            table_seat_take(session=lunch, rotation=rotation, table=table, user=UserFactory())

    with time_machine.travel(dt.datetime(2030, 12, 7, 12, 5, tzinfo=NY), tick=False):
        page = now_page(client, event)

    assert "Rotation 1, until 12:20 PM EST: every table is full" in text(page)
    assert TABLE.findall(page) == []


# --- the person's own next item ------------------------------------------------------------------


def test_a_trainee_sees_their_own_next_item_first(client, chicago, program, trainee):
    registration_create(session=program["late"], user=trainee)
    registration_create(session=program["saturday"], user=trainee)
    client.force_login(trainee)

    with time_machine.travel(at(6, 10, 5), tick=False):
        page = now_page(client, chicago)

    mine = page.split('class="now-mine"')[1].split("</section>")[0]
    assert "Your next today" in mine
    assert ">Late talk</a>" in mine
    assert "11:00 AM–11:30 AM CST" in text(mine)
    assert "Room of Late talk" in mine
    assert page.index('class="now-mine"') < page.index('id="now-running"')


def test_a_trainee_in_a_running_session_sees_it_as_now(client, chicago, program, trainee):
    registration_create(session=program["grant"], user=trainee)
    registration_create(session=program["late"], user=trainee)
    client.force_login(trainee)

    with time_machine.travel(at(6, 10, 20), tick=False):
        page = now_page(client, chicago)

    mine = page.split('class="now-mine"')[1].split("</section>")[0]
    assert "You are in now" in mine
    assert ">Grant writing</a>" in mine


@pytest.mark.parametrize(
    "case", ["nothing", "waitlisted", "tomorrow", "ended", "cancelled-by-them", "anonymous"]
)
def test_without_a_confirmed_item_left_today_there_is_nothing_extra(
    client, chicago, program, trainee, case
):
    registration_create(session=program["talk"], user=UserFactory())
    registration_create(session=program["talk"], user=UserFactory())
    if case == "waitlisted":
        registration_create(session=program["talk"], user=trainee)
    if case == "tomorrow":
        registration_create(session=program["saturday"], user=trainee)
    if case == "ended":
        registration_create(session=program["grant"], user=trainee)
    if case == "cancelled-by-them":
        Registration.objects.create(
            session=program["late"], user=trainee, status=Registration.Status.CANCELLED
        )
    if case != "anonymous":
        client.force_login(trainee)

    with time_machine.travel(at(6, 10, 45), tick=False):
        page = now_page(client, chicago)

    assert 'class="now-mine"' not in page


def test_a_trainee_at_the_lunch_sees_their_tables(client, lunch_day, trainee):
    event, lunch = lunch_day
    rotation, table = cell(lunch, 4, 1)
    table_seat_take(session=lunch, rotation=rotation, table=table, user=trainee)
    client.force_login(trainee)

    with time_machine.travel(dt.datetime(2030, 12, 7, 11, 50, tzinfo=NY), tick=False):
        mine = now_mine(user=trainee, event=event)
        page = now_page(client, event)

    assert mine is not None and mine.session == lunch
    assert f"Table 4 — {table.career_path.name}" in page.split('class="now-mine"')[1]


# --- before, between and after -------------------------------------------------------------------


def test_before_the_event_it_says_when_the_program_begins(client, chicago, program):
    with time_machine.travel(at(4, 15), tick=False):
        page = now_page(client, chicago)

    assert "The program begins Friday, December 6 at 10:00 AM CST" in page
    assert "First up:" in page and ">Grant writing</a>" in page


def test_between_sessions_it_gives_the_next_time_and_day(client, chicago, program):
    with time_machine.travel(at(6, 13), tick=False):
        page = now_page(client, chicago)

    assert "Nothing is on right now" in page
    assert ">Saturday opener</a> at" in page
    assert "9:00 AM CST</time> on Saturday, December 7" in page


def test_a_gap_on_the_same_day_gives_the_time_alone(client, chicago, program):
    with time_machine.travel(at(6, 9), tick=False):
        page = now_page(client, chicago)

    assert "Nothing is on right now" in page
    assert re.search(r"Grant writing</a> at <time [^>]*>10:00 AM CST</time> in ", page)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (at(7, 11), "That was the last session"),
        (at(10, 9), "This event has ended"),
    ],
)
def test_after_the_last_session_it_says_so(client, chicago, program, when, message):
    with time_machine.travel(when, tick=False):
        page = now_page(client, chicago)

    assert message in page


# --- time zone, refresh, CSP ---------------------------------------------------------------------


def test_times_are_in_the_events_zone_and_say_so(client, chicago, program):
    with time_machine.travel(at(6, 10, 42), tick=False):
        page = now_page(client, chicago)

    assert "Updated <time" in page
    assert ">10:42 AM CST</time>" in page
    assert "times in America/Chicago" in page
    assert "10:30 AM–11:00 AM CST" in text(page)  # 16:30 UTC on the server


def test_the_page_updates_itself_with_a_file_script_and_reloads_without_javascript(
    client, chicago, program
):
    with time_machine.travel(at(6, 10), tick=False):
        response = client.get(reverse("events:now", kwargs={"slug": chicago.slug}))

    page = response.content.decode()
    head = page.split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in head
    assert 'data-now-refresh="60"' in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/static/js/now.js" defer>']
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_agenda_links_the_screen(client, chicago, program):
    with time_machine.travel(at(6, 10), tick=False):
        page = client.get(chicago.get_absolute_url()).content.decode()

    assert f'href="/events/{chicago.slug}/now/"' in page


# --- the cache -----------------------------------------------------------------------------------


def test_an_anonymous_page_is_served_from_the_cache_within_the_minute(
    client, chicago, program, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(6, 10, 5), tick=False):
        first = now_page(client, chicago)
        with django_assert_num_queries(0):
            again = now_page(client, chicago)
        assert again == first

        with django_capture_on_commit_callbacks(execute=True):
            registration_create(session=program["talk"], user=UserFactory())  # at 10:30
        changed = now_page(client, chicago)

    assert seats_of(first, "Giving a talk") == "2 seats left"
    assert seats_of(changed, "Giving a talk") == "1 seat left"


def test_the_next_minute_is_rendered_afresh(client, chicago, program):
    with time_machine.travel(
        at(
            6,
            10,
            29,
        ),
        tick=False,
    ):
        before = now_page(client, chicago)
    with time_machine.travel(at(6, 10, 30), tick=False):
        after = now_page(client, chicago)

    assert "Grant writing" in section(before, "now-running")
    assert "Grant writing" not in section(after, "now-running")


def test_a_trainees_own_item_is_never_served_to_others_from_the_cache(
    client, chicago, program, trainee
):
    registration_create(session=program["late"], user=trainee)
    client.force_login(trainee)
    with time_machine.travel(at(6, 10, 5), tick=False):
        assert 'class="now-mine"' in now_page(client, chicago)
        client.logout()
        assert 'class="now-mine"' not in now_page(client, chicago)


# --- queries -------------------------------------------------------------------------------------

# event, the sessions on the board; the lunch: its rotations, seats taken, tables
ANONYMOUS_NOW_QUERIES = 2 + 3
# (login session), user, then as anonymous (the board, cached for everyone after this),
# the person's next item and, at the lunch, their tables
TRAINEE_NOW_QUERIES = 1 + ANONYMOUS_NOW_QUERIES + 2 + login_session_queries()


def build_hall(size: int, trainee) -> Session:
    """`size` sessions running in `size` rooms at 12:05 New York time with `size` people on
    each, and a lunch of `size` tables where the trainee holds a seat."""
    event = EventFactory(slug=f"hall-{size}")
    lunch = lunch_make(event=event, tables=size, rotations=3, seats=size)
    rooms = [RoomFactory(event=event) for _ in range(size)]
    sessions = Session.objects.bulk_create(
        Session(
            event=event,
            title=f"Talk {n:03d}",
            kind=Session.Kind.MICRO_LEARNING,
            starts_at=dt.datetime(2030, 12, 7, 12, tzinfo=NY),
            ends_at=dt.datetime(2030, 12, 7, 12, 30, tzinfo=NY),
            room=rooms[n],
            capacity=size * 2,
        )
        for n in range(size)
    )
    people = [UserFactory() for _ in range(size)]
    Registration.objects.bulk_create(
        Registration(session=s, user=p, status=Registration.Status.CONFIRMED)
        for s in sessions
        for p in people
    )
    rotation, table = cell(lunch, 1, 1)
    table_seat_take(session=lunch, rotation=rotation, table=table, user=trainee)
    return event


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("who", ["anonymous", "trainee"])
def test_queries_do_not_grow_with_sessions_people_or_tables(
    client, trainee, django_assert_num_queries, size, who
):
    event = build_hall(size, trainee)
    if who == "trainee":
        client.force_login(trainee)

    queries = TRAINEE_NOW_QUERIES if who == "trainee" else ANONYMOUS_NOW_QUERIES
    with (
        time_machine.travel(dt.datetime(2030, 12, 7, 12, 5, tzinfo=NY), tick=False),
        django_assert_num_queries(queries),
    ):
        page = now_page(client, event)

    assert len(section(page, "now-running")) == size + 1  # the talks and the lunch
    assert page.count(f"{size} seats left") == size
    assert len(TABLE.findall(page)) == size
    assert ('class="now-mine"' in page) == (who == "trainee")
