"""The demo lunch: rotations, one table per career path of the lunch, hosts, the demo mentor
hosting a table; `load_demo` run again creates nothing new."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from events.models import LunchRotation, LunchTable, Session, TableHost

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def lunch_counts() -> tuple[int, int, int]:
    return LunchRotation.objects.count(), LunchTable.objects.count(), TableHost.objects.count()


def test_demo_lunch_has_three_rotations_of_25_minutes():
    load_demo()

    lunch = Session.objects.get(event__slug="ash-2019", key="trainee-lunch-2019")
    rotations = list(lunch.lunch_rotations.all())
    assert [r.number for r in rotations] == [1, 2, 3]
    assert {r.ends_at - r.starts_at for r in rotations} == {dt.timedelta(minutes=25)}
    assert rotations[0].starts_at == lunch.starts_at


def test_demo_lunch_has_a_table_for_each_career_path_of_the_lunch_with_8_seats_and_hosts():
    load_demo()

    lunch = Session.objects.get(event__slug="ash-2019", key="trainee-lunch-2019")
    tables = list(lunch.lunch_tables.select_related("career_path").prefetch_related("hosts"))
    assert {t.career_path_id for t in tables} == set(
        lunch.career_paths.values_list("id", flat=True)
    )
    assert {t.seats for t in tables} == {8}
    assert all(t.hosts.all() for t in tables)


def test_demo_mentor_hosts_a_table():
    load_demo()

    hosted = TableHost.objects.filter(user__email="mentor@example.org")
    assert hosted.count() == 1


def test_load_demo_again_creates_no_lunch_rows():
    load_demo()
    first = lunch_counts()

    output = load_demo()

    assert lunch_counts() == first
    assert "Career lunch: 3 rotations, 10 tables (0 created)" in output
