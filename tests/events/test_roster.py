"""Rosters for staff: `manage.py export_roster SESSION_ID`, the same CSV from admin, the
roster inline on the session's admin page, and capacity edits in admin."""

import csv
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from events.models import Registration
from events.services import registration_cancel, registration_create
from notifications.models import Notification
from tests.factories import SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Status = Registration.Status


@pytest.fixture
def session_with_waitlist():
    """Two seats; arrivals: Ada, Ben (seated), Cleo, Dev, Eve (waiting); then Ben and Dev
    change their minds, so Cleo moves up to a seat."""
    session_with_waitlist = SessionFactory(capacity=2)
    people = {
        name: UserFactory(email=f"{name.lower()}@example.org", name=f"{name} Trainee")
        for name in ("Ada", "Ben", "Cleo", "Dev", "Eve")
    }
    for user in people.values():
        registration_create(session=session_with_waitlist, user=user)
    registration_cancel(session=session_with_waitlist, user=people["Ben"])
    registration_cancel(session=session_with_waitlist, user=people["Dev"])
    session_with_waitlist.people = people
    return session_with_waitlist


EXPECTED_CSV = (
    "email,name,status,position\n"
    "ada@example.org,Ada Trainee,confirmed,\n"
    "cleo@example.org,Cleo Trainee,confirmed,\n"
    "eve@example.org,Eve Trainee,waitlisted,1\n"
)


def export(session_id: str) -> str:
    out = StringIO()
    call_command("export_roster", session_id, stdout=out)
    return out.getvalue()


def test_export_roster_prints_confirmed_first_then_waitlist_positions(session_with_waitlist):
    assert export(str(session_with_waitlist.pk)) == EXPECTED_CSV


def test_export_roster_numbers_the_waitlist_from_one_without_gaps():
    session_with_waitlist = SessionFactory(capacity=1)
    for user in UserFactory.create_batch(5):
        registration_create(session=session_with_waitlist, user=user)
    second = Registration.objects.filter(session=session_with_waitlist, status=Status.WAITLISTED)[1]
    registration_cancel(session=session_with_waitlist, user=second.user)

    rows = list(csv.DictReader(StringIO(export(str(session_with_waitlist.pk)))))

    assert [(r["status"], r["position"]) for r in rows] == [
        ("confirmed", ""),
        ("waitlisted", "1"),
        ("waitlisted", "2"),
        ("waitlisted", "3"),
    ]


@pytest.mark.parametrize("session_id", ["999999", "not-a-number"])
def test_export_roster_of_an_unknown_session_fails_with_returncode_2(session_id):
    with pytest.raises(CommandError) as caught:
        export(session_id)

    assert caught.value.returncode == 2
    assert session_id in str(caught.value)


def roster_url(session_with_waitlist) -> str:
    return reverse("admin:events_session_roster", args=[session_with_waitlist.pk])


def test_admin_roster_csv_is_the_same_csv_for_staff(client, session_with_waitlist):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(roster_url(session_with_waitlist))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == EXPECTED_CSV


@pytest.mark.parametrize("who", ["anonymous", "trainee"])
def test_admin_roster_csv_sends_non_staff_to_the_admin_login(client, session_with_waitlist, who):
    if who == "trainee":
        client.force_login(session_with_waitlist.people["Ada"])

    response = client.get(roster_url(session_with_waitlist))

    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('admin:login')}?next={roster_url(session_with_waitlist)}"
    )


def test_admin_session_page_shows_the_roster_and_waitlist_inline(client, session_with_waitlist):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:events_session_change", args=[session_with_waitlist.pk]))

    content = response.content.decode()
    assert "Roster and waitlist (arrival order)" in content
    inline = response.context["inline_admin_formsets"][0]
    assert [(form.original.user.email, form.original.status) for form in inline] == [
        ("ada@example.org", Status.CONFIRMED),
        ("cleo@example.org", Status.CONFIRMED),
        ("eve@example.org", Status.WAITLISTED),
    ]


class FormFields(HTMLParser):
    """What a browser would submit for the form with the given id: inputs, selects, textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (attrs.get("name") is None and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = attrs["name"], []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def admin_form_data(response, form_id: str) -> dict:
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    data: dict = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def test_raising_capacity_in_the_admin_form_promotes_from_the_waitlist(
    client, session_with_waitlist
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_session_change", args=[session_with_waitlist.pk])
    data = admin_form_data(client.get(url), "session_form")
    assert data["capacity"] == ["2"]
    data["capacity"] = ["3"]

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    eve = session_with_waitlist.people["Eve"]
    assert (
        Registration.objects.get(session=session_with_waitlist, user=eve).status == Status.CONFIRMED
    )
    assert Notification.objects.filter(user=eve, kind="waitlist_promoted").exists()
    session_with_waitlist.refresh_from_db()
    assert (session_with_waitlist.capacity, session_with_waitlist.sequence) == (3, 0)
