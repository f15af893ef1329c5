"""Staff see ratings and comments per session and per kind (a permission); speakers and hosts
see their own sessions'; nobody else sees any of it, and listening sessions never appear."""

import datetime as dt
import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Avg, Count
from django.urls import reverse

from feedback.models import SessionFeedback, SpeakerAccount
from tests.admin_form import page_text
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import lunch_make
from tests.factories import (
    NY,
    EventFactory,
    SessionFactory,
    SessionFeedbackFactory,
    SpeakerAccountFactory,
    TableHostFactory,
    UserFactory,
    staff_with,
)

pytestmark = pytest.mark.django_db

REPORT = reverse("feedback:report")
MINE = reverse("feedback:mine")
PERMISSION = "feedback.view_sessionfeedback"


def at(hour: int) -> dt.datetime:
    return dt.datetime(2030, 12, 6, hour, tzinfo=NY)


def rate(session, *ratings: int, comment: str = "") -> None:
    for rating in ratings:
        SessionFeedbackFactory(session=session, rating=rating, comment=comment)


@pytest.fixture
def program(event):
    """Two micro-learning talks and a Blood Drop session with ratings, a listening session
    that somehow holds one, and a talk nobody rated."""
    talk = SessionFactory(event=event, title="Giving a scientific talk", starts_at=at(13))
    grants = SessionFactory(event=event, title="Grant writing", starts_at=at(9))
    drop = SessionFactory(event=event, title="Wellness", kind="blood_drop", starts_at=at(15))
    listening = SessionFactory(event=event, title="Listening: belonging", kind="listening")
    quiet = SessionFactory(event=event, title="Industry careers", starts_at=at(16))
    rate(talk, 5, 4, 4, comment="")
    rate(talk, 2, comment="Slides too small to read.")
    rate(grants, 3, 5)
    rate(drop, 1, 2, 5, comment="Good breathing exercise.")
    rate(listening, 5, comment="Private words.")
    return {"talk": talk, "grants": grants, "drop": drop, "listening": listening, "quiet": quiet}


def rounded(numbers: dict) -> dict:
    return {key: (count, round(average, 9)) for key, (count, average) in numbers.items()}


def holder():
    return staff_with(PERMISSION, email="editor@example.org")


def test_anonymous_goes_to_log_in(client):
    response = client.get(REPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "person",
    [lambda: UserFactory(), lambda: UserFactory(is_staff=True), lambda: staff_with("events.view_registration")],
    ids=["trainee", "staff-without-permission", "dashboard-staff"],
)  # fmt: skip
def test_without_the_permission_the_staff_page_is_a_403(client, program, person):
    client.force_login(person())

    response = client.get(REPORT)

    assert response.status_code == 403
    assert "Slides too small" not in response.content.decode()


def test_the_program_editor_group_may_read_it(client, program):
    """The data migration gave the group the permission (made again here after a
    transactional test on this worker emptied the table)."""
    grant = importlib.import_module("feedback.migrations.0002_program_editor_reads_feedback")
    group, _ = Group.objects.get_or_create(name=grant.GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback", codename__in=grant.PERMISSIONS
        )
    )
    editor = UserFactory(is_staff=True)
    editor.groups.add(group)
    client.force_login(editor)

    assert client.get(REPORT).status_code == 200


def test_the_staff_page_numbers_equal_counts_from_the_database(client, program, event):
    client.force_login(holder())

    report = client.get(REPORT).context["report"]

    expected = {
        row["session"]: (row["n"], row["avg"])
        for row in SessionFeedback.objects.filter(session__event=event)
        .exclude(session__kind="listening")
        .values("session")
        .annotate(n=Count("pk"), avg=Avg("rating"))
    }
    found = {s.session_id: (s.count, s.average) for s in report.sessions if s.count}
    assert rounded(found) == rounded(expected)
    by_kind = {
        row["session__kind"]: (row["n"], row["avg"])
        for row in SessionFeedback.objects.filter(session__event=event)
        .exclude(session__kind="listening")
        .values("session__kind")
        .annotate(n=Count("pk"), avg=Avg("rating"))
    }
    assert rounded({k.kind: (k.count, k.average) for k in report.kinds}) == rounded(by_kind)
    talk = next(s for s in report.sessions if s.session_id == program["talk"].pk)
    assert talk.distribution == (0, 1, 0, 2, 1)
    assert report.count == 9


def test_the_staff_page_shows_sessions_in_time_order_with_comments_and_no_names(client, program):
    client.force_login(holder())

    response = client.get(REPORT)
    text = response.content.decode()

    titles = [s.title for s in response.context["report"].sessions]
    assert titles == ["Grant writing", "Giving a scientific talk", "Wellness", "Industry careers"]
    assert "“Slides too small to read.”" in text
    assert "Fri, Dec 6, 13:00–13:30 (America/New_York)" in page_text(response)
    assert "3.8" in text  # the talk's average, (5 + 4 + 4 + 2) / 4
    for rating in SessionFeedback.objects.select_related("user"):
        assert rating.user.name not in text
        assert rating.user.email not in text
    assert response["Cache-Control"] == "private, no-store"


def test_listening_sessions_never_appear(client, program):
    client.force_login(holder())

    text = client.get(REPORT).content.decode()

    assert "Listening" not in text
    assert "Private words." not in text


def test_another_event_is_chosen_with_event_and_a_draft_one_is_a_404(client, program):
    other = EventFactory(slug="ash-2031", name="ASH 2031")
    rate(SessionFactory(event=other, title="Next year's talk"), 4)
    draft = EventFactory(slug="draft-2032", is_published=False)
    client.force_login(holder())

    other_page = client.get(REPORT, {"event": "ash-2031"})

    assert [s.title for s in other_page.context["report"].sessions] == ["Next year's talk"]
    assert client.get(REPORT, {"event": draft.slug}).status_code == 404
    assert client.get(REPORT, {"event": "no-such-event"}).status_code == 404


@pytest.mark.parametrize("sessions", [3, 30])
def test_the_staff_page_costs_the_same_queries_for_3_or_30_sessions(
    client, event, sessions, django_assert_num_queries
):
    for n in range(sessions):
        rate(SessionFactory(event=event, title=f"Talk {n}"), 4, 5, comment="Fine.")
    client.force_login(holder())

    # user, permissions (user and group), the event, sessions with counts, comments
    with django_assert_num_queries(6 + login_session_queries()):
        assert client.get(REPORT, {"event": event.slug}).status_code == 200


# --- speakers and hosts ---------------------------------------------------------------------


def test_a_speaker_sees_only_the_sessions_linked_to_their_account(client, program):
    speaker = UserFactory(name="Dr. Sam Speaker")
    SpeakerAccountFactory(session=program["talk"], user=speaker)
    client.force_login(speaker)

    response = client.get(MINE)
    text = response.content.decode()

    [only] = response.context["report"].sessions
    assert (only.title, only.count, only.average) == ("Giving a scientific talk", 4, 3.75)
    assert "“Slides too small to read.”" in text
    assert "Good breathing exercise." not in text
    assert "Grant writing" not in text


def test_a_lunch_host_sees_the_lunch_where_they_host_a_table(client, event):
    host = UserFactory(name="Dr. Hal Host")
    lunch = lunch_make(event=event, tables=2, rotations=1)
    table = lunch.lunch_tables.first()
    TableHostFactory(table=table, user=host)
    rate(lunch, 4, 5, comment="Met my future PI.")
    rate(SessionFactory(event=event, title="Someone else's talk"), 1)
    client.force_login(host)

    response = client.get(MINE)

    [only] = response.context["report"].sessions
    assert (only.session_id, only.count, only.average) == (lunch.pk, 2, 4.5)
    assert "Someone else's talk" not in response.content.decode()


def test_a_speakers_listening_session_never_appears(client, program):
    speaker = UserFactory()
    SpeakerAccountFactory(session=program["listening"], user=speaker)
    client.force_login(speaker)

    response = client.get(MINE)

    assert response.context["report"].sessions == []
    assert "Private words." not in response.content.decode()


def test_someone_linked_to_nothing_sees_nothing(client, program):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(MINE)

    assert response.status_code == 200
    assert response.context["report"].sessions == []
    assert "No sessions are linked to your account" in response.content.decode()


def test_my_feedback_page_needs_a_login(client):
    response = client.get(MINE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("user_value", [" ", "\n", "x", "²"])
def test_linking_a_speaker_with_no_account_chosen_says_so_and_links_nobody(
    client, program, user_value
):
    staff = staff_with("feedback.add_speakeraccount", "feedback.view_speakeraccount")
    client.force_login(staff)
    talk = SessionFactory(event=EventFactory())
    response = client.post(
        reverse("admin:feedback_speakeraccount_add"),
        {"session": str(talk.pk), "user": user_value},
    )
    assert response.status_code == 200  # the form again, with its message
    assert "Select a valid choice" in page_text(response)
    assert not SpeakerAccount.objects.filter(session=talk).exists()
