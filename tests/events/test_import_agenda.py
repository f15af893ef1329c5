"""`manage.py import_agenda SLUG FILE.csv [--create --name --timezone]`: all rows or none."""

import csv
import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from events.models import Event, Room, Session
from tests.factories import EventFactory

UTC = dt.UTC
PROJECT_DIR = Path(__file__).resolve().parents[2]
COLUMNS = [
    "key", "title", "kind", "day", "start", "end", "room", "capacity",
    "registration_mode", "audience", "career_paths", "speakers", "description",
]  # fmt: skip


def row(**overrides) -> dict:
    values = {
        "key": "micro-01",
        "title": "Writing your first grant",
        "kind": "micro_learning",
        "day": "2019-12-06",
        "start": "10:00",
        "end": "10:30",
        "room": "Learning Pod A",
        "capacity": "50",
        "registration_mode": "open",
        "audience": "",
        "career_paths": "",
        "speakers": "",
        "description": "Specific Aims, step by step.",
    }
    values.update(overrides)
    return values


@pytest.fixture
def write_csv(tmp_path):
    def write(
        rows: list[dict], columns: list[str] = COLUMNS, name: str = "agenda.csv", encoding="utf-8"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding=encoding) as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


def run_import(slug: str, path, **options) -> str:
    out = StringIO()
    call_command("import_agenda", slug, str(path), stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Event.objects.count(), Session.objects.count(), Room.objects.count()


# --- creating an event ---------------------------------------------------------------------


@pytest.mark.django_db
def test_import_with_create_makes_event_with_dates_from_the_csv_days(write_csv):
    path = write_csv(
        [
            row(key="a", day="2019-12-07"),
            row(key="b", day="2019-12-06"),
            row(key="c", day="2019-12-09"),
        ]
    )

    output = run_import(
        "ash-2019", path, create=True, name="ASH 2019", timezone="America/Chicago", city="Orlando"
    )

    event = Event.objects.get(slug="ash-2019")
    assert (event.name, event.timezone, event.city, event.starts_on, event.ends_on) == (
        "ASH 2019",
        "America/Chicago",
        "Orlando",
        dt.date(2019, 12, 6),
        dt.date(2019, 12, 9),
    )
    assert "created event ash-2019" in output
    assert "ash-2019: 3 created, 0 updated, 0 unchanged" in output


@pytest.mark.django_db
def test_import_with_create_and_no_name_names_the_event_after_its_slug(write_csv):
    run_import("ash-2019", write_csv([row()]), create=True)

    event = Event.objects.get(slug="ash-2019")
    assert (event.name, event.timezone) == ("ash-2019", "America/New_York")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("timezone", "day", "start", "end", "utc_start", "utc_end"),
    [
        ("America/New_York", "2019-12-06", "10:00", "10:30", (12, 6, 15, 0), (12, 6, 15, 30)),
        ("America/New_York", "2019-12-06", "23:30", "23:59", (12, 7, 4, 30), (12, 7, 4, 59)),
        ("America/New_York", "2019-07-06", "10:00", "11:00", (7, 6, 14, 0), (7, 6, 15, 0)),
        ("Europe/Berlin", "2019-12-06", "10:00", "10:30", (12, 6, 9, 0), (12, 6, 9, 30)),
    ],
    ids=["ny-december", "ny-late-evening", "ny-summer-time", "berlin"],
)
def test_import_stores_local_times_of_the_event_zone(
    write_csv, timezone, day, start, end, utc_start, utc_end
):
    path = write_csv([row(day=day, start=start, end=end)])

    run_import("meeting", path, create=True, timezone=timezone)

    session = Session.objects.get(key="micro-01")
    assert session.starts_at == dt.datetime(2019, *utc_start, tzinfo=UTC)
    assert session.ends_at == dt.datetime(2019, *utc_end, tzinfo=UTC)


@pytest.mark.django_db
def test_import_into_existing_event_uses_the_event_zone_and_needs_no_create(write_csv):
    event = EventFactory(slug="ash-2030", timezone="Asia/Tokyo")
    path = write_csv([row(day="2030-12-06", start="09:00", end="10:00")])

    output = run_import("ash-2030", path)

    session = Session.objects.get(event=event, key="micro-01")
    assert session.starts_at == dt.datetime(2030, 12, 6, 0, 0, tzinfo=UTC)
    assert "created event" not in output


@pytest.mark.django_db
def test_import_extends_existing_event_dates_to_cover_new_days(write_csv):
    event = EventFactory(
        slug="ash-2030", starts_on=dt.date(2030, 12, 6), ends_on=dt.date(2030, 12, 7)
    )
    path = write_csv([row(key="a", day="2030-12-05"), row(key="b", day="2030-12-09")])

    run_import("ash-2030", path)

    event.refresh_from_db()
    assert (event.starts_on, event.ends_on) == (dt.date(2030, 12, 5), dt.date(2030, 12, 9))


# --- the fields of a session ---------------------------------------------------------------


@pytest.mark.django_db
def test_import_splits_list_fields_on_semicolons(write_csv):
    path = write_csv(
        [
            row(
                audience="fellow; Resident ;graduate_postdoc",
                career_paths="translational;Data science and bioinformatics",
                speakers="Dr. Amara Okafor; Dr. Luis Ferreira;",
            )
        ]
    )

    run_import("meeting", path, create=True)

    session = Session.objects.get(key="micro-01")
    assert session.audience == ["fellow", "resident", "graduate_postdoc"]
    assert session.speakers == ["Dr. Amara Okafor", "Dr. Luis Ferreira"]
    assert set(session.career_paths.values_list("slug", flat=True)) == {
        "translational",
        "data-science",
    }


@pytest.mark.django_db
def test_import_stores_the_plain_fields_and_publishes(write_csv):
    path = write_csv([row(title="K awards demystified", kind="blood_drop", capacity="12")])

    run_import("meeting", path, create=True)

    session = Session.objects.get(key="micro-01")
    assert (
        session.title,
        session.kind,
        session.capacity,
        session.registration_mode,
        session.description,
        session.room.name,
        session.is_published,
    ) == (
        "K awards demystified",
        "blood_drop",
        12,
        "open",
        "Specific Aims, step by step.",
        "Learning Pod A",
        True,
    )


@pytest.mark.django_db
def test_import_with_empty_audience_means_everyone(write_csv):
    run_import("meeting", write_csv([row(audience="")]), create=True)

    session = Session.objects.get(key="micro-01")
    assert session.audience == []
    assert session.audience_labels == []


@pytest.mark.django_db
def test_import_without_mode_or_capacity_makes_a_drop_in_without_room(write_csv):
    path = write_csv([row(kind="reception", capacity="", registration_mode="", room="")])

    run_import("meeting", path, create=True)

    session = Session.objects.get(key="micro-01")
    assert (session.registration_mode, session.capacity, session.room) == ("drop_in", None, None)


@pytest.mark.django_db
def test_import_creates_each_room_once(write_csv):
    path = write_csv(
        [
            row(key="a", room="Pod A"),
            row(key="b", room="Pod B", start="11:00", end="11:30"),
            row(key="c", room="Pod A", start="12:00", end="12:30"),
        ]
    )

    run_import("meeting", path, create=True)
    run_import("meeting", path)

    event = Event.objects.get(slug="meeting")
    assert sorted(event.rooms.values_list("name", flat=True)) == ["Pod A", "Pod B"]
    assert event.sessions.filter(room__name="Pod A").count() == 2


# --- importing again -----------------------------------------------------------------------


@pytest.mark.django_db
def test_second_import_updates_by_key_without_duplicates(write_csv):
    run_import("meeting", write_csv([row(key="a"), row(key="b", title="Old title")]), create=True)
    first_pk = Session.objects.get(key="b").pk
    path = write_csv([row(key="a"), row(key="b", title="New title")], name="second.csv")

    output = run_import("meeting", path)

    assert Session.objects.count() == 2
    session = Session.objects.get(key="b")
    assert (session.pk, session.title) == (first_pk, "New title")
    assert "meeting: 0 created, 1 updated, 1 unchanged" in output


@pytest.mark.django_db
def test_second_import_replaces_career_paths(write_csv):
    run_import("meeting", write_csv([row(career_paths="translational;industry")]), create=True)

    run_import("meeting", write_csv([row(career_paths="government")], name="second.csv"))

    session = Session.objects.get(key="micro-01")
    assert list(session.career_paths.values_list("slug", flat=True)) == ["government"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "sequence"),
    [
        ({}, 0),
        ({"title": "A better title"}, 0),
        ({"description": "Now with examples."}, 0),
        ({"capacity": "80"}, 0),
        ({"career_paths": "industry"}, 0),
        ({"start": "09:45"}, 1),
        ({"end": "10:45"}, 1),
        ({"day": "2019-12-07"}, 1),
        ({"room": "Learning Pod B"}, 1),
        ({"room": ""}, 1),
    ],
    ids=[
        "same",
        "title",
        "description",
        "capacity",
        "career-paths",
        "start",
        "end",
        "day",
        "room",
        "no-room",
    ],
)
def test_second_import_bumps_sequence_only_when_time_or_room_changes(write_csv, change, sequence):
    run_import("meeting", write_csv([row()]), create=True)

    run_import("meeting", write_csv([row(**change)], name="second.csv"))

    assert Session.objects.get(key="micro-01").sequence == sequence


@pytest.mark.django_db
def test_unchanged_second_import_reports_unchanged(write_csv):
    path = write_csv([row()])
    run_import("meeting", path, create=True)

    output = run_import("meeting", path)

    assert "meeting: 0 created, 0 updated, 1 unchanged" in output


@pytest.mark.django_db
def test_import_leaves_sessions_missing_from_the_file_alone(write_csv):
    run_import("meeting", write_csv([row(key="a"), row(key="b")]), create=True)

    run_import("meeting", write_csv([row(key="a")], name="second.csv"))

    assert sorted(Session.objects.values_list("key", flat=True)) == ["a", "b"]


# --- bad input: exit status 2 and nothing written ------------------------------------------


BAD_FILES = {
    "missing-column": ([row()], [c for c in COLUMNS if c != "capacity"]),
    "extra-column": ([row()], [*COLUMNS, "notes"]),
    "bad-kind": ([row(), row(key="b", kind="workshop")], COLUMNS),
    "bad-day": ([row(), row(key="b", day="2019-12-32")], COLUMNS),
    "bad-time": ([row(), row(key="b", start="9h30")], COLUMNS),
    "end-before-start": ([row(), row(key="b", start="11:00", end="10:00")], COLUMNS),
    "end-equals-start": ([row(), row(key="b", start="11:00", end="11:00")], COLUMNS),
    "unknown-career-path": ([row(), row(key="b", career_paths="astrology")], COLUMNS),
    "unknown-audience": ([row(), row(key="b", audience="professor")], COLUMNS),
    "duplicate-key": ([row(), row(key="micro-01", title="Again")], COLUMNS),
    "empty-key": ([row(), row(key="")], COLUMNS),
    "empty-title": ([row(), row(key="b", title="")], COLUMNS),
    "negative-capacity": ([row(), row(key="b", capacity="-5")], COLUMNS),
    "open-without-capacity": (
        [row(), row(key="b", capacity="", registration_mode="open")],
        COLUMNS,
    ),
    "bad-mode": ([row(), row(key="b", registration_mode="lottery")], COLUMNS),
    "title-too-long": ([row(), row(key="b", title="T" * 201)], COLUMNS),
    "no-rows": ([], COLUMNS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES)
def test_import_of_bad_file_into_new_event_exits_2_and_creates_nothing(write_csv, case):
    rows, columns = BAD_FILES[case]
    path = write_csv(rows, columns)

    with pytest.raises(CommandError) as excinfo:
        run_import("meeting", path, create=True)

    assert excinfo.value.returncode == 2
    assert "nothing imported" in str(excinfo.value)
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case", ["bad-kind", "end-before-start", "duplicate-key", "title-too-long"]
)
def test_import_of_bad_file_into_existing_event_changes_nothing(write_csv, case):
    run_import("meeting", write_csv([row(title="Original")], name="first.csv"), create=True)
    rows, columns = BAD_FILES[case]
    rows = [{**rows[0], "title": "Changed", "room": "Elsewhere"}, *rows[1:]]
    before = counts()

    with pytest.raises(CommandError) as excinfo:
        run_import("meeting", write_csv(rows, columns))

    assert excinfo.value.returncode == 2
    assert counts() == before
    session = Session.objects.get(key="micro-01")
    assert (session.title, session.room.name, session.sequence) == ("Original", "Learning Pod A", 0)


@pytest.mark.django_db
def test_import_lists_every_problem_with_its_line_number(write_csv):
    path = write_csv([row(), row(key="b", kind="workshop"), row(key="c", day="tomorrow")])
    err = StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\)"):
        call_command("import_agenda", "meeting", str(path), create=True, stderr=err)

    problems = err.getvalue().splitlines()
    assert len(problems) == 2
    assert "line 3: kind “workshop” is not one of" in problems[0]
    assert "line 4: day “tomorrow” is not a date" in problems[1]


@pytest.mark.django_db
def test_import_of_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError, match="cannot read") as excinfo:
        run_import("meeting", tmp_path / "nope.csv", create=True)

    assert excinfo.value.returncode == 2
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_into_unknown_event_without_create_exits_2_and_creates_nothing(write_csv):
    with pytest.raises(CommandError, match="use --create") as excinfo:
        run_import("no-such-event", write_csv([row()]))

    assert excinfo.value.returncode == 2
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_with_create_and_unknown_timezone_exits_2_and_creates_nothing(write_csv):
    with pytest.raises(CommandError, match="Mars/Olympus_Mons") as excinfo:
        run_import("meeting", write_csv([row()]), create=True, timezone="Mars/Olympus_Mons")

    assert excinfo.value.returncode == 2
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_accepts_a_byte_order_mark(write_csv):
    path = write_csv([row()], encoding="utf-8-sig")

    run_import("meeting", path, create=True)

    assert Session.objects.filter(key="micro-01").exists()


def test_import_agenda_process_exits_2_with_one_line_and_no_traceback(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "CACHE_DIR": str(tmp_path / "cache"),
        "CELERY_DATA_DIR": str(tmp_path / "celery"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "import_agenda", "meeting", str(tmp_path / "nope.csv")],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "nope.csv" in lines[0]
    assert "Traceback" not in result.stderr
