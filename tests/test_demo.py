"""`manage.py load_demo`: the demo meeting and demo accounts, safe to run again."""

import datetime as dt
import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import User
from events.models import Event, Room, Session

ROLES = ["trainee", "mentor", "staff"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "sessions": Session.objects.count(),
        "rooms": Room.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
    }


def credentials(output: str) -> dict[str, tuple[str, str]]:
    """role -> (email, password) from the printed lines naming each demo account."""
    found = {}
    for line in output.splitlines():
        role = next((r for r in ROLES if re.match(rf"\W*{r}\b", line, re.IGNORECASE)), None)
        email = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", line)
        password = re.search(r"password\W+(\S+)", line, re.IGNORECASE)
        if role and email and password:
            found[role] = (email.group(0), password.group(1))
    return found


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_rows():
    load_demo()
    first = counts()

    load_demo()

    assert counts() == first
    assert first["events"] == 1
    assert first["sessions"] > 20
    assert first["users"] == 3
    assert first["email addresses"] == 3


@pytest.mark.django_db
def test_load_demo_again_reports_nothing_created():
    load_demo()

    output = load_demo()

    assert "ash-2019: 0 created, 0 updated," in output
    assert "created event" not in output


@pytest.mark.django_db
def test_demo_event_is_ash_2019_in_new_york_in_december_2019():
    load_demo()

    event = Event.objects.get(slug="ash-2019")
    assert (event.timezone, event.city) == ("America/New_York", "Orlando")
    assert (event.starts_on.year, event.starts_on.month) == (2019, 12)
    assert (event.ends_on.year, event.ends_on.month) == (2019, 12)
    local_days = {s.local_start().date() for s in event.sessions.all()}
    assert min(local_days) >= event.starts_on
    assert max(local_days) <= event.ends_on


@pytest.mark.django_db
def test_demo_event_has_sessions_of_every_kind():
    load_demo()

    kinds = set(Session.objects.filter(event__slug="ash-2019").values_list("kind", flat=True))
    assert kinds == {
        "micro_learning",
        "blood_drop",
        "speed_mentoring",
        "career_lunch",
        "didactic",
        "reception",
        "listening",
    }


@pytest.mark.django_db
def test_demo_sessions_are_published_at_their_new_york_times():
    load_demo()

    first = Session.objects.get(event__slug="ash-2019", key="palooza-micro-01")
    assert first.starts_at == dt.datetime(2019, 12, 6, 15, 0, tzinfo=dt.UTC)  # 10:00 in Orlando
    assert not Session.objects.filter(event__slug="ash-2019", is_published=False).exists()


@pytest.mark.django_db
def test_load_demo_prints_a_line_per_role_with_email_and_password():
    output = load_demo()

    assert set(credentials(output)) == set(ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_printed_demo_credentials_log_in(client, role):
    email, password = credentials(load_demo())[role]

    response = client.post("/accounts/login/", {"login": email, "password": password})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("trainee", 302), ("mentor", 302), ("staff", 200)])
def test_only_the_demo_staff_account_opens_the_staff_area(client, role, status):
    email, password = credentials(load_demo())[role]
    client.post("/accounts/login/", {"login": email, "password": password})

    response = client.get("/admin/")

    assert response.status_code == status


@pytest.mark.django_db
def test_demo_mentor_profile_is_a_mentor_with_expertise():
    email, _ = credentials(load_demo())["mentor"]

    profile = User.objects.get(email=email).profile
    assert profile.is_mentor
    assert profile.mentor_bio
    assert profile.expertise.exists()
