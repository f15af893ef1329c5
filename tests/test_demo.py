"""`manage.py load_demo`: the demo meeting and demo accounts, safe to run again."""

import datetime as dt
import os
import re
import subprocess
import sys
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from events.models import Event, Room, Session
from listening.models import BelongingGroup, InterviewSlot
from tests.conftest import dotenv_names

ROOT = Path(__file__).resolve().parents[1]

ROLES = ["trainee", "mentor", "staff", "reviewer", "facilitator"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def counts() -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "sessions": Session.objects.count(),
        "rooms": Room.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "interview slots": InterviewSlot.objects.count(),
        "groups": BelongingGroup.objects.count(),
    }


def database_url() -> str:
    """pytest-django's test database, for a subprocess."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


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
    # the demo logins, then the invented listening facilitator and two volunteer leaders
    assert first["users"] == len(ROLES) + 3
    assert first["email addresses"] == len(ROLES)


@pytest.mark.django_db
def test_demo_has_three_days_of_interview_slots_with_two_facilitators_and_two_groups():
    load_demo()

    slots = InterviewSlot.objects.filter(event__slug="ash-2019")
    days = {s.starts_at.astimezone(NEW_YORK).date() for s in slots}
    assert sorted(days) == [dt.date(2019, 12, d) for d in (7, 8, 9)]
    assert slots.values("facilitator").distinct().count() == 2
    assert {s.minutes for s in slots} == {20}
    groups = BelongingGroup.objects.filter(event__slug="ash-2019")
    assert groups.count() == 2
    assert all(g.facilitators.count() == 2 for g in groups)


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
@pytest.mark.parametrize(
    ("role", "status"), [("reviewer", 200), ("staff", 403), ("facilitator", 403)]
)
def test_only_the_demo_reviewer_opens_the_listening_report(client, role, status):
    email, password = credentials(load_demo())[role]
    client.post("/accounts/login/", {"login": email, "password": password})

    response = client.get("/listening/report/?event=ash-2019")

    assert response.status_code == status


@pytest.mark.django_db
def test_demo_agenda_links_its_listening_items_to_the_request_page(client):
    load_demo()

    content = client.get("/listening/?event=ash-2019").content.decode()

    assert "Conversations on Belonging." in content


@pytest.mark.django_db
def test_demo_mentor_profile_is_a_mentor_with_expertise():
    email, _ = credentials(load_demo())["mentor"]

    profile = User.objects.get(email=email).profile
    assert profile.is_mentor
    assert profile.mentor_bio
    assert profile.expertise.exists()


@pytest.mark.django_db
def test_demo_mentor_is_approved_and_demo_staff_may_approve_mentors():
    accounts = credentials(load_demo())

    mentor = User.objects.get(email=accounts["mentor"][0])
    staff = User.objects.get(email=accounts["staff"][0])
    assert mentor.mentor_approval.status == "approved"
    assert staff.has_perm("accounts.approve_mentor")


# --- demo accounts never raise anyone's rights (issue 10, item 10) ----------------------------


@pytest.mark.django_db
def test_demo_staff_account_is_staff_but_not_a_superuser():
    email, _ = credentials(load_demo())["staff"]

    staff = User.objects.get(email=email)
    assert (staff.is_staff, staff.is_superuser) == (True, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "permission",
    [
        "events.change_session",
        "events.add_lunchtable",
        "mentorship.change_speedmentoringslot",
        "notifications.view_notification",
        "accounts.view_user",
    ],
)
def test_demo_staff_account_holds_the_programs_permissions(permission):
    email, _ = credentials(load_demo())["staff"]

    assert User.objects.get(email=email).has_perm(permission)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "permission", ["accounts.change_user", "accounts.delete_user", "auth.change_group"]
)
def test_demo_staff_account_cannot_manage_accounts_or_permissions(permission):
    email, _ = credentials(load_demo())["staff"]

    assert not User.objects.get(email=email).has_perm(permission)


@pytest.mark.django_db
def test_load_demo_does_not_give_rights_back_to_the_demo_staff_account():
    load_demo()
    User.objects.filter(email="staff@example.org").update(is_staff=False)

    load_demo()

    staff = User.objects.get(email="staff@example.org")
    assert (staff.is_staff, staff.is_superuser) == (False, False)


@pytest.mark.django_db
def test_load_demo_leaves_an_existing_account_with_a_demo_address_as_it_is():
    own = User.objects.create_user(
        email="staff@example.org", password="own-secret-2030", name="Kim"
    )

    output = load_demo()

    own.refresh_from_db()
    assert (own.is_staff, own.is_superuser, own.name) == (False, False, "Kim")
    assert own.check_password("own-secret-2030")
    assert not own.groups.exists()
    assert not EmailAddress.objects.filter(user=own).exists()
    assert "staff: staff@example.org is an existing account" in output
    assert "staff-demo-2019" not in output
    assert "staff" not in credentials(output)


@pytest.mark.django_db
def test_load_demo_does_not_reset_a_changed_demo_password():
    load_demo()
    staff = User.objects.get(email="staff@example.org")
    staff.set_password("changed-after-the-demo-1")
    staff.save()

    load_demo()

    staff.refresh_from_db()
    assert staff.check_password("changed-after-the-demo-1")


@pytest.mark.django_db
def test_load_demo_again_still_prints_the_logins_that_work():
    load_demo()

    output = load_demo()

    assert set(credentials(output)) == set(ROLES)
    assert "trainee: trainee@example.org / password trainee-demo-2019 (already there" in output


@pytest.mark.django_db
def test_load_demo_keeps_the_rights_of_a_demo_staff_group_made_by_someone_else():
    Group.objects.create(name="Demo staff")

    load_demo()

    assert not Group.objects.get(name="Demo staff").permissions.exists()


# --- the demo comes only with the demo: `make run` asks with --if-enabled -------------------


@pytest.mark.django_db
def test_load_demo_if_enabled_with_demo_off_loads_nothing_and_says_how(settings):
    settings.DEMO = False
    out = StringIO()

    call_command("load_demo", if_enabled=True, stdout=out)

    assert counts() == {k: 0 for k in counts()}
    assert "Demo: not loaded" in out.getvalue()
    assert "DEMO=1" in out.getvalue()


@pytest.mark.django_db
def test_load_demo_if_enabled_with_demo_on_loads_the_demo(settings):
    settings.DEMO = True
    out = StringIO()

    call_command("load_demo", if_enabled=True, stdout=out)

    assert Event.objects.filter(slug="ash-2019").exists()
    assert set(credentials(out.getvalue())) == set(ROLES)


def demo_setting(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEMO"}}
    env.update(DEBUG="1", **environment)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from django.conf import settings; print(settings.DEMO)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environment", "demo"),
    [
        ({}, "True"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/events"}, "False"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/events", "DEMO": "1"}, "True"),
        ({"DEMO": "0"}, "False"),
        ({"DEMO": ""}, "True"),
    ],
)
def test_demo_is_on_for_the_embedded_database_and_off_for_a_real_one(environment, demo):
    if {"DATABASE_URL", "DEMO"} & dotenv_names():
        pytest.skip(
            "a developer's .env sets DATABASE_URL or DEMO (a clean clone, as CI runs, has none)"
        )

    assert demo_setting(**environment) == demo


@pytest.mark.django_db(transaction=True)
def test_make_runs_load_step_on_a_real_database_creates_no_demo_account(postgres):
    """What scripts/run.sh runs, as its own process against a PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k != "DEMO"}
    env.update(DEBUG="1", DATABASE_URL=database_url())

    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--if-enabled"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "Demo: not loaded" in result.stdout
    assert not User.objects.exists()
    assert not Event.objects.exists()


def test_run_script_loads_the_demo_only_if_enabled():
    script = (ROOT / "scripts" / "run.sh").read_text()

    assert "manage.py load_demo --if-enabled" in script
    assert "manage.py load_demo\n" not in script
