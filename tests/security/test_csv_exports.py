"""Every CSV export neutralises spreadsheet formulas (OWASP: a cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading single quote), through one writer,
and every download with people's data is marked private and never stored by a cache."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Profile
from events.lunch.services import table_seat_take
from events.services import registration_create
from tests.events.lunch.conftest import cell, lunch_make
from tests.factories import SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

ROOT = Path(__file__).resolve().parents[2]

# What people could type as their name, institution or needs to attack whoever opens the file.
EVIL = [
    '=HYPERLINK("http://evil.example/","click")',
    "+1",
    "-2",
    "@x",
    "\tx",
    "\rx",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def evil_people() -> list:
    people = []
    for number, text in enumerate(EVIL):
        user = UserFactory(email=f"person{number}@example.org", name=text)
        Profile.objects.filter(user=user).update(
            institution=text, dietary_needs=text, accessibility_needs=text
        )
        people.append(user)
    return people


def quoted(text: str) -> str:
    """How a dangerous value reads in the file: behind a single quote, and a carriage return
    turned into a line break (inside the quoted cell, so it never splits the row)."""
    return "'" + text.replace("\r", "\n")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    starting = [value for row in rows for value in row if value.startswith(FORMULA_START)]
    assert starting == []


@pytest.fixture
def session_with_evil_names():
    session = SessionFactory(capacity=3)
    for user in evil_people():
        registration_create(session=session, user=user)
    return session


@pytest.fixture
def lunch_with_evil_names():
    lunch = lunch_make(tables=1, rotations=1, seats=10)
    rotation, table = cell(lunch, 1, 1)
    for user in evil_people():
        table_seat_take(session=lunch, rotation=rotation, table=table, user=user)
    return lunch, table


def export_roster(session) -> str:
    out = io.StringIO()
    call_command("export_roster", str(session.pk), stdout=out)
    return out.getvalue()


def admin_roster(client, session):
    return client.get(reverse("admin:events_session_roster", args=[session.pk]))


def lunch_roster(client, lunch, table):
    kwargs = {"slug": lunch.event.slug, "pk": lunch.pk, "table_id": table.pk}
    return client.get(reverse("events:lunch_table_roster", kwargs=kwargs))


# --- formulas ---------------------------------------------------------------------------------


def test_export_roster_writes_no_cell_that_starts_a_formula(session_with_evil_names):
    assert_no_formula(cells(export_roster(session_with_evil_names)))


def test_export_roster_keeps_each_name_readable_behind_a_single_quote(session_with_evil_names):
    rows = cells(export_roster(session_with_evil_names))

    assert sorted(row[1] for row in rows[1:]) == sorted(quoted(text) for text in EVIL)


def test_export_roster_keeps_waitlist_positions_as_plain_numbers(session_with_evil_names):
    rows = cells(export_roster(session_with_evil_names))

    assert [row[3] for row in rows[1:]] == ["", "", "", "1", "2", "3"]


def test_admin_roster_csv_writes_no_cell_that_starts_a_formula(
    superuser_client, session_with_evil_names
):
    response = admin_roster(superuser_client, session_with_evil_names)

    assert response.status_code == 200
    assert_no_formula(cells(response.content.decode()))


def test_lunch_table_roster_csv_writes_no_cell_that_starts_a_formula(
    superuser_client, lunch_with_evil_names
):
    response = lunch_roster(superuser_client, *lunch_with_evil_names)

    assert response.status_code == 200
    rows = cells(response.content.decode())
    assert len(rows) == 1 + len(EVIL)
    assert_no_formula(rows)


def test_lunch_table_roster_csv_quotes_names_institutions_and_needs(
    superuser_client, lunch_with_evil_names
):
    response = lunch_roster(superuser_client, *lunch_with_evil_names)

    rows = list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))
    columns = ["name", "institution", "dietary_needs", "accessibility_needs"]
    assert sorted(tuple(row[c] for c in columns) for row in rows) == sorted(
        (quoted(text),) * 4 for text in EVIL
    )


def test_every_csv_in_the_code_is_written_by_the_one_safe_writer():
    """A new export cannot bypass the neutralisation: only config/csv_safe.py makes writers."""
    writers = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("accounts", "config", "events", "mentorship", "notifications")
        for path in (ROOT / folder).rglob("*.py")
        if writers.search(path.read_text()) and path != ROOT / "config" / "csv_safe.py"
    ]
    assert offenders == []


# --- caching of personal downloads ------------------------------------------------------------


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_admin_roster_csv_is_private_and_not_stored(superuser_client, session_with_evil_names):
    response = admin_roster(superuser_client, session_with_evil_names)

    assert {"private", "no-store"} <= cache_directives(response)


def test_lunch_table_roster_csv_is_private_and_not_stored(superuser_client, lunch_with_evil_names):
    response = lunch_roster(superuser_client, *lunch_with_evil_names)

    assert {"private", "no-store"} <= cache_directives(response)


def test_my_agenda_download_is_private_and_not_stored(client):
    client.force_login(UserFactory())

    response = client.get(reverse("events:my_agenda_ics"))

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_calendar_feed_is_private_and_not_stored(client):
    person = UserFactory()
    token = Profile.objects.get(user=person).calendar_token

    response = client.get(reverse("events:calendar_feed", kwargs={"token": token}))

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)
