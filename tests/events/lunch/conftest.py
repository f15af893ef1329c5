"""Fixtures for the career-lunch tests: a lunch with rotations, tables and hosts."""

import datetime as dt
from collections.abc import Callable

import pytest

from accounts.models import CareerPath
from accounts.services import career_paths_ensure
from events.lunch.services import lunch_rotations_generate
from events.models import LunchTable, Session, TableHost
from tests.factories import NY, EventFactory, SessionFactory

# Career paths of the tables, in order; two tables share the first path (alternatives).
PATHS = ["clinical-malignant", "clinical-malignant", "industry", "government"]


def lunch_make(
    *,
    event=None,
    tables: int = 4,
    rotations: int = 3,
    seats: int = 2,
    paths: list[str] | None = None,
    title: str = "Career development lunch",
) -> Session:
    """A `tables` session 12:00–13:30 with `rotations` rounds of 20 minutes and `tables`
    tables (career paths cycling through `paths`), each with one host."""
    lunch = SessionFactory(
        event=event or EventFactory(),
        title=title,
        kind=Session.Kind.CAREER_LUNCH,
        registration_mode=Session.Mode.TABLES,
        starts_at=dt.datetime(2030, 12, 7, 12, 0, tzinfo=NY),
        ends_at=dt.datetime(2030, 12, 7, 13, 30, tzinfo=NY),
        capacity=None,
    )
    if rotations:
        lunch_rotations_generate(session=lunch, count=rotations, minutes=20)
    paths = paths or PATHS
    career_paths_ensure()  # a transactional test's flush wipes the seeded taxonomy
    by_slug = {p.slug: p for p in CareerPath.objects.all()}
    made = LunchTable.objects.bulk_create(
        LunchTable(
            session=lunch,
            number=number,
            career_path=by_slug[paths[(number - 1) % len(paths)]],
            title=f"Table talk {number}",
            seats=seats,
        )
        for number in range(1, tables + 1)
    )
    TableHost.objects.bulk_create(
        TableHost(table=table, name=f"Dr. Host {table.number}", role="Attending",
                  organisation="Bayview University", bio="Likes questions.")
        for table in made
    )  # fmt: skip
    return lunch


@pytest.fixture
def make_lunch() -> Callable[..., Session]:
    return lunch_make


@pytest.fixture
def lunch() -> Session:
    return lunch_make()


def cell(lunch: Session, table: int, rotation: int):
    """(rotation, table) of a lunch by their numbers."""
    return (
        lunch.lunch_rotations.get(number=rotation),
        lunch.lunch_tables.select_related("career_path").get(number=table),
    )
