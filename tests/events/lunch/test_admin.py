"""Staff build the lunch in admin: rotations and tables inline on the session, hosts inline on
a table, "copy the tables of another lunch" and "generate rotations" as actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from events.lunch.services import table_seat_take
from events.models import LunchTable, TableHost, TableSeat
from tests.events.lunch.conftest import cell
from tests.factories import SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

CHANGELIST = "/admin/events/session/"


def test_a_lunch_change_page_has_rotation_and_table_inlines(staff_client, lunch):
    response = staff_client.get(f"/admin/events/session/{lunch.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Lunch rotations" in content
    assert "Lunch tables (open a table to edit its hosts)" in content
    assert "Dr. Host 3" in content


def test_other_sessions_have_no_lunch_inlines(staff_client):
    talk = SessionFactory()

    response = staff_client.get(f"/admin/events/session/{talk.pk}/change/")

    assert response.status_code == 200
    assert "Lunch tables (open a table to edit its hosts)" not in response.content.decode()


def test_a_table_change_page_edits_its_hosts(staff_client, lunch):
    table = lunch.lunch_tables.get(number=1)

    response = staff_client.get(f"/admin/events/lunchtable/{table.pk}/change/")

    assert response.status_code == 200
    assert 'value="Dr. Host 1"' in response.content.decode()


def test_copy_action_asks_for_the_source_then_copies_tables_and_hosts(
    staff_client, make_lunch, lunch
):
    next_year = make_lunch(tables=0, title="Lunch 2031")
    chosen = {"action": "lunch_tables_copy_action", ACTION_CHECKBOX_NAME: [next_year.pk]}

    form = staff_client.post(CHANGELIST, chosen)
    response = staff_client.post(
        CHANGELIST, {**chosen, "apply": "1", "source": lunch.pk}, follow=True
    )

    assert "Copy the tables of" in form.content.decode()
    assert f'<option value="{lunch.pk}">' in form.content.decode()
    assert "Copied 4 tables with their hosts into “Lunch 2031”." in response.content.decode()
    assert list(next_year.lunch_tables.values_list("number", "title")) == [
        (1, "Table talk 1"), (2, "Table talk 2"), (3, "Table talk 3"), (4, "Table talk 4"),
    ]  # fmt: skip
    assert TableHost.objects.filter(table__session=next_year).count() == 4


def test_generate_rotations_action_creates_them_from_the_lunch_start(staff_client, make_lunch):
    lunch = make_lunch(rotations=0)
    chosen = {"action": "lunch_rotations_generate_action", ACTION_CHECKBOX_NAME: [lunch.pk]}

    response = staff_client.post(
        CHANGELIST, {**chosen, "apply": "1", "count": "3", "minutes": "20"}, follow=True
    )

    assert "has 3 rotations." in response.content.decode()
    assert list(lunch.lunch_rotations.values_list("number", flat=True)) == [1, 2, 3]


def test_more_seats_saved_in_admin_promote_the_tables_waitlist(staff_client, lunch):
    rotation, table = cell(lunch, 3, 1)
    people = UserFactory.create_batch(3)
    for person in people:
        table_seat_take(
            session=lunch, rotation=rotation, table=table, user=person, join_waitlist=True
        )
    host = table.hosts.get()
    data = {
        "session": lunch.pk, "number": 3, "career_path": table.career_path_id,
        "title": table.title, "seats": 3,
        "hosts-TOTAL_FORMS": 1, "hosts-INITIAL_FORMS": 1, "hosts-MIN_NUM_FORMS": 0,
        "hosts-MAX_NUM_FORMS": 1000, "hosts-0-id": host.pk, "hosts-0-table": table.pk,
        "hosts-0-name": host.name, "hosts-0-role": host.role,
        "hosts-0-organisation": host.organisation, "hosts-0-bio": host.bio, "hosts-0-user": "",
    }  # fmt: skip

    response = staff_client.post(f"/admin/events/lunchtable/{table.pk}/change/", data)

    assert response.status_code == 302
    assert LunchTable.objects.get(pk=table.pk).seats == 3
    assert TableSeat.objects.get(user=people[2]).status == TableSeat.Status.CONFIRMED
