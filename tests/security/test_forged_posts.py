"""Forged posts against every form of the site: huge strings, NUL and control characters,
unicode, wrong types, missing fields, extra fields and other events' ids, drawn by
hypothesis. Whatever arrives:

- the answer is never a server error (5xx);
- a refused post (4xx, a form shown again with errors, or an error message) changes no
  row of any table;
- nothing stored breaks a text rule (length, one line, no control characters).

The targets are every URL pattern of the URLconf outside admin (a meta-test fails when a
pattern has no entry here, so a new form cannot ship uncovered) and the add and change
forms of every model registered in admin (read from the admin site, so a new model admin
is covered by itself).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.forms import BaseForm
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import CareerPath, Profile
from accounts.services import career_paths_ensure
from config.text import MultiLineField, OneLineField
from events.lunch.services import table_seat_take
from events.models import Registration, Session, validate_speakers
from events.services import registration_create
from feedback.tokens import feedback_token
from mentorship.models import DoorStandby, Meeting, MentorOffer, TraineeSignup
from mentorship.services import schedule_draft, schedule_publish
from notifications.services import unsubscribe_token
from tests.admin_form import form_data, page_text
from tests.conftest import cache_clear
from tests.events.lunch.conftest import lunch_make
from tests.factories import NY, PASSWORD, EventFactory, SessionFactory, UserFactory
from tests.listening.conftest import listening_sessions, request_data
from tests.mentorship.conftest import (
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    signup_for,
    speed_session,
)
from tests.security.routes import all_routes

APPS = ["accounts", "events", "feedback", "mentorship", "notifications", "account"]
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, tzinfo=NY)


# --- the world every example starts from ------------------------------------------------------


def _program(event, *, trainee, mentor) -> SimpleNamespace:
    """A talk the trainee holds a seat in, a clashing talk, a lunch with the trainee at a
    table, a Blood Buddies slot open for sign-up and a published one with a conversation."""
    talk = SessionFactory(event=event, title="Grant writing", capacity=5)
    clash = SessionFactory(event=event, title="Giving a talk", capacity=5)
    lunch = lunch_make(event=event, tables=2, rotations=2)
    open_slot = make_slot(
        speed_session(event, title="BB open", starts_at=at(6, 14), ends_at=at(6, 15))
    )
    done_slot = make_slot(
        speed_session(event, title="BB done", starts_at=at(6, 16), ends_at=at(6, 17))
    )
    seat = registration_create(session=talk, user=trainee)
    rotation, table = lunch.lunch_rotations.first(), lunch.lunch_tables.first()
    lunch_seat = table_seat_take(session=lunch, rotation=rotation, table=table, user=trainee)
    offer = offer_for(open_slot, mentor)
    signup_for(open_slot, trainee)
    offer_for(done_slot, mentor)
    signup_for(done_slot, trainee)
    schedule_draft(slot=done_slot)
    schedule_publish(slot=done_slot)
    standby = DoorStandby.objects.create(
        slot=done_slot, trainee=UserFactory(), arrived_at=timezone.now()
    )
    return SimpleNamespace(
        slug=event.slug,
        talk=talk.pk,
        seat=seat.pk,
        clash=clash.pk,
        lunch=lunch.pk,
        table=table.pk,
        rotation=rotation.pk,
        open_slot=open_slot.session_id,
        done_slot=done_slot.session_id,
        offer=offer.pk,
        meeting=Meeting.objects.get(slot=done_slot).pk,
        lunch_seat=lunch_seat.pk,
        done_offer=MentorOffer.objects.get(slot=done_slot).pk,
        done_signup=TraineeSignup.objects.get(slot=done_slot).pk,
        standby=standby.pk,
    )


def build_world() -> SimpleNamespace:
    career_paths_ensure()
    trainee = make_trainee("Tara Trainee", email="trainee@forge.example", institution="Bayview")
    mentor = make_mentor("Dr. Mo Mentor", email="mentor@forge.example", expertise=["industry"])
    staff = UserFactory(email="staff@forge.example", is_staff=True, is_superuser=True)
    ours_event = EventFactory(slug="forge-a")
    listening_sessions(ours_event)  # the listening request form asks about their days
    ours = _program(ours_event, trainee=trainee, mentor=mentor)
    # The trainee came to the talk: their feedback link opens the form.
    Registration.objects.filter(pk=ours.seat).update(checked_in_at=timezone.now())
    theirs = _program(
        EventFactory(slug="forge-b"),
        trainee=make_trainee("Other Trainee", email="other@forge.example"),
        mentor=make_mentor("Dr. Other Mentor", email="other-mentor@forge.example"),
    )
    ids = {str(pk) for side in (ours, theirs) for pk in vars(side).values() if isinstance(pk, int)}
    ids |= {str(pk) for pk in CareerPath.objects.values_list("pk", flat=True)[:3]}
    ids |= {str(trainee.pk), str(mentor.pk), str(staff.pk)}
    return SimpleNamespace(
        a=ours,
        b=theirs,
        users={"trainee": trainee.pk, "mentor": mentor.pk, "staff": staff.pk},
        token=unsubscribe_token(user=trainee),
        feedback_token=feedback_token(session_id=ours.talk, user_id=trainee.pk),
        calendar_token=Profile.objects.get(user=trainee).calendar_token,
        path_id=str(CareerPath.objects.get(slug="industry").pk),
        ids=sorted(ids, key=int),
    )


# --- what a forged post may carry ---------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
NASTY = st.sampled_from(
    [
        "", " ", "\n", "\r\n", "\t", "\x00", "nul\x00inside", "\x07", "\x1b[31m", "\u2028",
        "\ufeff", "\u202e", "Ada\nBcc: everyone@example.org", "=HYPERLINK(\"http://evil.example/\")",
        "<script>alert(1)</script>", "' OR 1=1 --", "-1", "0", "1", "2147483648",
        "9223372036854775808", "99999999999999999999999", "1.5", "1e3", "NaN", "true", "on",
        "[]", "{}", "null", "../../etc/passwd", "%00", "%(x)s", "{0}", "😀" * 20,
        "2019-02-30", "24:61", "ａｄｍｉｎ", "x@", "@example.org",
    ]
)  # fmt: skip
HUGE = st.sampled_from([41, 81, 151, 201, 501, 1001, 1501, 2001, 5001, 10_001, 100_001]).map(
    lambda n: "x" * n
)
JUNK_NAMES = st.sampled_from(["extra", "id", "pk", "user", "is_staff", "is_superuser", "status"])
BAD_PATH_IDS = st.sampled_from(["0", "2147483648", "9223372036854775808", "99999999999999999999"])


def values(ids: list[str]) -> st.SearchStrategy[list[str]]:
    one = st.one_of(NASTY, HUGE, TEXT, st.sampled_from(ids), st.integers().map(str))
    return st.one_of(one.map(lambda v: [v]), st.lists(one, min_size=0, max_size=3))


@st.composite
def forged_data(draw, baseline: dict[str, list[str]], ids: list[str]) -> dict[str, list[str]]:
    """Each field kept, forged or left out; sometimes a field the form does not have."""
    data: dict[str, list[str]] = {}
    for name, kept in baseline.items():
        choice = draw(st.sampled_from(["keep", "forge", "forge", "drop"]))
        if choice == "keep":
            data[name] = kept
        elif choice == "forge":
            data[name] = draw(values(ids))
    data.update(draw(st.dictionaries(JUNK_NAMES, values(ids), max_size=2)))
    return data


# --- the targets --------------------------------------------------------------------------------

Kwargs = Callable[[SimpleNamespace], dict]


@dataclass
class Target:
    role: str  # anonymous, trainee, mentor, staff
    kwargs: Kwargs = lambda side: {}  # path values from one side (ours or theirs) of the world
    fields: Callable[[SimpleNamespace], dict] = lambda w: {}
    read_only: bool = False  # a page, not a form: a post changes nothing whatever it carries
    examples: int = 5


def _session(side):
    return {"slug": side.slug, "pk": side.talk}


def _lunch(side):
    return {"slug": side.slug, "pk": side.lunch}


def _cell(side):
    return {**_lunch(side), "table_id": side.table, "rotation_id": side.rotation}


def _profile(w):
    return {
        "name": ["Tara Trainee"],
        "career_stage": ["fellow"],
        "institution": ["Bayview"],
        "pronouns": ["she/her"],
        "interests": [w.path_id],
        "accessibility_needs": ["Step-free access"],
        "dietary_needs": ["Vegetarian"],
        "is_mentor": ["on"],
        "mentor_bio": ["Hematologist."],
        "expertise": [w.path_id],
    }


def _ranks(w):
    return {
        "interests": [w.path_id],
        **{f"rank_{n}": [""] for n in range(1, 6)},
        "rank_1": [str(w.a.offer)],
    }


TARGETS: dict[str, Target] = {
    # events
    "home": Target("anonymous", read_only=True, examples=2),
    "events:agenda": Target("anonymous", lambda s: {"slug": s.slug}, read_only=True, examples=2),
    "events:now": Target("anonymous", lambda s: {"slug": s.slug}, read_only=True, examples=2),
    "events:session_detail": Target("trainee", _session, read_only=True, examples=2),
    "events:session_ics": Target("anonymous", _session, read_only=True, examples=2),
    "events:session_register": Target(
        "trainee",
        lambda s: {"slug": s.slug, "pk": s.clash},
        lambda w: {"replace": [str(w.a.talk)], "next": ["/me/agenda/"]},
    ),
    "events:session_cancel": Target("trainee", _session, lambda w: {"next": ["/"]}),
    "events:session_cancel_confirm": Target("trainee", _session, read_only=True, examples=2),
    "events:session_switch_confirm": Target(
        "trainee", lambda s: {"slug": s.slug, "pk": s.clash}, read_only=True, examples=2
    ),
    "events:event_list": Target("anonymous", read_only=True, examples=2),
    "events:lunch_grid": Target("trainee", _lunch, read_only=True, examples=2),
    "events:lunch_join": Target("trainee", _lunch),
    "events:lunch_take": Target("trainee", _cell, lambda w: {"waitlist": ["on"]}),
    "events:lunch_change": Target("trainee", _cell, lambda w: {"waitlist": ["on"]}),
    "events:lunch_drop": Target("trainee", lambda s: {**_lunch(s), "rotation_id": s.rotation}),
    "events:lunch_table_guests": Target(
        "mentor", lambda s: {**_lunch(s), "table_id": s.table}, read_only=True, examples=2
    ),
    "events:lunch_table_roster": Target(
        "staff", lambda s: {**_lunch(s), "table_id": s.table}, read_only=True, examples=2
    ),
    "events:lunch_overview": Target("staff", _lunch, read_only=True, examples=2),
    "events:my_agenda": Target("trainee", read_only=True, examples=2),
    "events:my_agenda_ics": Target("trainee", read_only=True, examples=2),
    "events:calendar_feed": Target(
        "anonymous", lambda s: {"token": "x"}, read_only=True, examples=2
    ),
    "events:calendar_revoke": Target("trainee"),
    # accounts
    "accounts:profile": Target("trainee", fields=_profile, examples=15),
    "accounts:welcome": Target(
        "trainee",
        fields=lambda w: (
            {
                key: value
                for key, value in _profile(w).items()
                if key
                in {
                    "career_stage",
                    "institution",
                    "interests",
                    "accessibility_needs",
                    "dietary_needs",
                }
            }
            | {"next": ["/"]}
        ),
    ),
    "accounts:delete": Target(
        "trainee", fields=lambda w: {"password": [PASSWORD], "confirm": ["on"]}
    ),
    "account_signup": Target(
        "anonymous",
        fields=lambda w: {
            "name": ["Nia Newcomer"],
            "email": ["nia@forge.example"],
            "password1": ["plasma-cell-lantern-42"],
            "password2": ["plasma-cell-lantern-42"],
        },
        examples=15,
    ),
    "account_login": Target(
        "anonymous",
        fields=lambda w: {"login": ["trainee@forge.example"], "password": [PASSWORD]},
    ),
    "account_logout": Target("trainee"),
    "account_inactive": Target("anonymous", read_only=True, examples=2),
    "account_reauthenticate": Target("trainee", fields=lambda w: {"password": [PASSWORD]}),
    "account_email": Target(
        "trainee",
        fields=lambda w: {"email": ["second@forge.example"], "action_add": [""]},
    ),
    "account_email_verification_sent": Target("anonymous", read_only=True, examples=2),
    "account_change_password": Target(
        "trainee",
        fields=lambda w: {
            "oldpassword": [PASSWORD],
            "password1": ["plasma-cell-lantern-43"],
            "password2": ["plasma-cell-lantern-43"],
        },
    ),
    "account_set_password": Target(
        "trainee",
        fields=lambda w: {
            "password1": ["plasma-cell-lantern-44"],
            "password2": ["plasma-cell-lantern-44"],
        },
    ),
    "account_reset_password": Target(
        "anonymous", fields=lambda w: {"email": ["trainee@forge.example"]}
    ),
    "account_confirm_login_code": Target("anonymous", fields=lambda w: {"code": ["ABC123"]}),
    "account_confirm_email": Target("anonymous", lambda s: {"key": "x1-abc"}),
    "accounts:confirm_email": Target("anonymous", lambda s: {"key": "x1-abc"}),
    "admin_login": Target("anonymous", read_only=True, examples=2),
    "admin_logout": Target("staff"),
    "admin_password_change": Target("staff", read_only=True, examples=2),
    "account_reset_password_from_key_done": Target("anonymous", read_only=True, examples=2),
    "account_reset_password_from_key": Target(
        "anonymous",
        lambda s: {"uidb36": "1", "key": "x1-abc"},
        lambda w: {
            "password1": ["plasma-cell-lantern-45"],
            "password2": ["plasma-cell-lantern-45"],
        },
    ),
    "account_reset_password_done": Target("anonymous", read_only=True, examples=2),
    # notifications
    "notifications:settings": Target("trainee", fields=lambda w: {"reminders_enabled": ["on"]}),
    "notifications:unsubscribe": Target("anonymous", lambda s: {"token": "placeholder"}),
    # Blood Buddies
    "mentorship:index": Target("trainee", read_only=True, examples=2),
    "mentorship:slot_detail": Target(
        "trainee", lambda s: {"session_id": s.open_slot}, read_only=True, examples=2
    ),
    "mentorship:mentor_signup": Target(
        "mentor",
        lambda s: {"session_id": s.open_slot},
        lambda w: {"capacity": ["2"], "excluded_institutions": ["Bayview\nLakeside"]},
        examples=12,
    ),
    "mentorship:mentor_withdraw": Target("mentor", lambda s: {"session_id": s.open_slot}),
    "mentorship:trainee_signup": Target(
        "trainee", lambda s: {"session_id": s.open_slot}, _ranks, examples=12
    ),
    "mentorship:trainee_withdraw": Target("trainee", lambda s: {"session_id": s.open_slot}),
    "mentorship:my_schedule": Target(
        "trainee", lambda s: {"session_id": s.done_slot}, read_only=True, examples=2
    ),
    "mentorship:review": Target(
        "staff", lambda s: {"session_id": s.open_slot}, read_only=True, examples=2
    ),
    "mentorship:review_match": Target("staff", lambda s: {"session_id": s.open_slot}),
    "mentorship:review_discard": Target("staff", lambda s: {"session_id": s.open_slot}),
    "mentorship:review_publish": Target("staff", lambda s: {"session_id": s.done_slot}),
    "mentorship:review_absent": Target(
        "staff",
        lambda s: {"session_id": s.done_slot},
        lambda w: {"user": [str(w.users["trainee"])]},
    ),
    "mentorship:review_absent_undo": Target(
        "staff",
        lambda s: {"session_id": s.done_slot},
        lambda w: {"user": [str(w.users["trainee"])]},
    ),
    "mentorship:review_repair": Target("staff", lambda s: {"session_id": s.done_slot}),
    "mentorship:conversation_detail": Target(
        "trainee", lambda s: {"pk": s.meeting}, read_only=True, examples=2
    ),
    "mentorship:conversation_stay": Target(
        "trainee", lambda s: {"pk": s.meeting}, lambda w: {"stay": ["yes"]}
    ),
    "mentorship:conversation_feedback": Target(
        "trainee",
        lambda s: {"pk": s.meeting},
        lambda w: {"rating": ["4"], "comment": ["Helpful."]},
        examples=12,
    ),
    "mentorship:connections": Target("trainee", read_only=True, examples=2),
    "mentorship:feedback_summary": Target("staff", read_only=True, examples=2),
    # staff pages: the dashboard
    "staff:dashboard": Target("staff", read_only=True, examples=2),
    "staff:dashboard_csv": Target("staff", read_only=True, examples=2),
    # listening sessions
    "listening:index": Target(
        "trainee",
        fields=lambda w: {k: v if isinstance(v, list) else [v] for k, v in request_data().items()},
        examples=15,
    ),
    "listening:withdraw": Target("trainee"),
    "listening:report": Target("trainee", read_only=True, examples=2),
    "listening:report_csv": Target("trainee", read_only=True, examples=2),
    # listening sessions (booking): nobody in this world holds a request, so every post is
    # refused, and ids are nobody's (a 404)
    "listening:interviews": Target("trainee", read_only=True, examples=2),
    "listening:interview_book": Target(
        "trainee", lambda s: {"slot_id": s.talk}, lambda w: {"move": ["1"]}
    ),
    "listening:interview_cancel": Target("trainee"),
    "listening:groups": Target("trainee", read_only=True, examples=2),
    "listening:group_join": Target("trainee", lambda s: {"group_id": s.talk}),
    "listening:group_leave": Target("trainee"),
    "listening:facilitator": Target("mentor", read_only=True, examples=2),
    "listening:facilitator_held": Target("mentor", lambda s: {"booking_id": s.talk}),
    "listening:facilitator_missed": Target("mentor", lambda s: {"booking_id": s.talk}),
    # staff pages
    "staff:checkin": Target("staff", lambda s: {"session_id": s.talk}, read_only=True, examples=2),
    "staff:checkin_mark": Target(
        "staff",
        lambda s: {"session_id": s.talk, "registration_id": s.seat},
        lambda w: {"attended": ["1"]},
    ),
    "staff:checkin_lunch": Target(
        "staff", lambda s: {"session_id": s.lunch}, read_only=True, examples=2
    ),
    "staff:checkin_lunch_seat": Target(
        "staff",
        lambda s: {"session_id": s.lunch, "seat_id": s.lunch_seat},
        lambda w: {"attended": ["1"], "rotation": ["1"]},
    ),
    "staff:checkin_lunch_walk_in": Target(
        "staff",
        lambda s: {"session_id": s.lunch},
        lambda w: {
            "rotation_id": [str(w.a.rotation)],
            "table_id": [str(w.a.table)],
            "person": ["other@forge.example"],
        },
    ),
    "staff:checkin_rounds": Target(
        "staff", lambda s: {"session_id": s.done_slot}, read_only=True, examples=2
    ),
    "staff:checkin_rounds_mentor": Target(
        "staff",
        lambda s: {"session_id": s.done_slot, "offer_id": s.done_offer},
        lambda w: {"attended": ["1"], "round": ["1"]},
    ),
    "staff:checkin_rounds_trainee": Target(
        "staff",
        lambda s: {"session_id": s.done_slot, "signup_id": s.done_signup},
        lambda w: {"attended": ["1"], "round": ["1"]},
    ),
    "staff:checkin_rounds_absent": Target(
        "staff", lambda s: {"session_id": s.done_slot, "signup_id": s.done_signup}
    ),
    "staff:checkin_rounds_standby": Target(
        "staff", lambda s: {"session_id": s.done_slot}, lambda w: {"person": ["Other Trainee"]}
    ),
    "staff:checkin_rounds_standby_remove": Target(
        "staff", lambda s: {"session_id": s.done_slot, "standby_id": s.standby}
    ),
    # feedback from those who came: the link's page (the trainee was checked in at the talk),
    # the staff report and a speaker's own page
    "feedback:respond": Target(
        "anonymous",
        lambda s: {"token": "placeholder"},
        lambda w: {"rating": ["4"], "comment": ["Helpful."]},
        examples=12,
    ),
    "feedback:report": Target("staff", read_only=True, examples=2),
    "feedback:mine": Target("mentor", read_only=True, examples=2),
    "staff:checkin_walk_in": Target(
        "staff",
        lambda s: {"session_id": s.talk},
        lambda w: {"user": [str(w.users["mentor"])], "walkin": ["Mo"]},
    ),
    # nobody waits at the door in this world: every id is a 404 or a message
    "staff:checkin_standby_left": Target(
        "staff", lambda s: {"session_id": s.talk}, lambda w: {"standby": ["1"]}
    ),
    # the talk starts in 2030: every release is refused ("from … minutes after the start")
    "staff:checkin_release": Target(
        "staff",
        lambda s: {"session_id": s.talk},
        lambda w: {"confirm": ["1"], "registration": [str(w.a.seat)]},
    ),
    # the rest
    "healthz": Target("anonymous", read_only=True, examples=2),
}


def _site_routes() -> dict[str, object]:
    return {route.name: route for route in all_routes() if not route.name.startswith("admin:")}


def test_every_url_pattern_outside_admin_has_a_forged_post_target():
    assert set(_site_routes()) == set(TARGETS)


def _admin_models() -> list[tuple[type, django_admin.ModelAdmin]]:
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in django_admin.site._registry.items()
            if model._meta.app_label in APPS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


# --- what the forged posts found ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["register", "cancel"])
@pytest.mark.parametrize("target", ["agenda", "my-agenda.html", "x" * 41])
def test_a_next_address_that_is_not_a_path_goes_back_to_the_session(
    client, scheduled_deliveries, action, target
):
    """`next` is a path on this site; anything else (which Django's redirect() would try to
    read as a URL pattern name, and fail) sends the person back to the session page."""
    session = SessionFactory(capacity=5)
    person = UserFactory()
    if action == "cancel":
        registration_create(session=session, user=person)
    client.force_login(person)

    response = client.post(f"{session.get_absolute_url()}{action}/", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("America", "“America” is not a known time zone"),
        ("Etc", "“Etc” is not a known time zone"),
        ("x" * 300, "Keep this to 64 characters or fewer (you typed 300)."),
    ],
    ids=["folder", "another-folder", "too-long"],
)
def test_admin_event_with_a_time_zone_that_is_a_folder_or_too_long_says_so(client, typed, message):
    """ZoneInfo answers such names with an OSError, not "not found"."""
    event = EventFactory(timezone="America/New_York")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(client.get(url).content.decode(), "event_form")
    data["timezone"] = [typed]

    response = client.post(url, data)

    assert response.status_code == 200
    assert message in page_text(response)
    event.refresh_from_db()
    assert event.timezone == "America/New_York"


# --- the checks ---------------------------------------------------------------------------------


def _models() -> list[type]:
    return [
        model
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy
    ]


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query (this runs twice per example)."""
    models = _models()
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip([m._meta.label for m in models], cursor.fetchone(), strict=True))


def stored_text_problems() -> list[str]:
    """Every stored value of a text field still meets its field's rules."""
    problems = []
    for model in _models():
        checks = {
            f.name: f.run_validators
            for f in model._meta.fields
            if isinstance(f, OneLineField | MultiLineField)
        }
        if model is Session:
            checks["speakers"] = validate_speakers
        if not checks:
            continue
        for row in model._default_manager.values("pk", *checks):
            for name, check in checks.items():
                if row[name] in ("", None, []):
                    continue
                try:
                    check(row[name])
                except Exception as exc:
                    problems.append(f"{model._meta.label} {row['pk']} {name}: {exc}")
    return problems


def refused(response) -> bool:
    """A 4xx, a form shown again with errors, or an error or warning message."""
    if response.status_code >= 400:
        return True
    contexts = response.context or []
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for value in context.flatten().values():
            form = getattr(value, "form", value)  # admin wraps its form in an AdminForm
            if isinstance(form, BaseForm) and form.is_bound and form.errors:
                return True
            if getattr(value, "total_error_count", lambda: 0)():  # an inline formset's errors
                return True
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    return any(message.level >= message_levels.WARNING for message in queued)


class ForgedPosts(TestCase):
    """Each example starts from the same world (hypothesis's Django TestCase rolls back)."""

    @classmethod
    def setUpTestData(cls):
        # Runs before the suite's fast-password fixture applies: hashing is not under test.
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            cls.world = build_world()

    def setup_example(self):
        super().setup_example()
        cache_clear()  # rate limits must not turn every later example into a 429

    def _log_in(self, role: str) -> None:
        if role != "anonymous":
            user = apps.get_model("accounts", "User").objects.get(pk=self.world.users[role])
            self.client.force_login(user)

    def _post(self, path: str, data: dict, *, read_only: bool) -> None:
        before = row_counts()
        response = self.client.post(path, data)
        assert response.status_code < 500, (path, response.status_code)
        if read_only or refused(response):
            assert row_counts() == before, (path, response.status_code)
        else:  # accepted: whatever it wrote meets the text rules
            assert stored_text_problems() == []

    def check_route(self, name: str, data) -> None:
        target = TARGETS[name]
        route = _site_routes()[name]
        w = self.world
        side = data.draw(st.sampled_from(["ours", "theirs", "mixed", "bad"]), label="path ids")
        values = target.kwargs(w.b if side == "theirs" else w.a)
        if side == "mixed":  # our event's slug, their object ids
            values = {**target.kwargs(w.b), **{k: v for k, v in values.items() if k == "slug"}}
        if side == "bad":
            values = {
                k: data.draw(BAD_PATH_IDS) if isinstance(v, int) else v for k, v in values.items()
            }
        if name == "notifications:unsubscribe":
            values = {"token": data.draw(st.sampled_from([w.token, w.token[:-1] + "x", "x"]))}
        if name == "feedback:respond":
            values = {
                "token": data.draw(
                    st.sampled_from([w.feedback_token, w.feedback_token[:-1] + "x", "x"])
                )
            }
        if name == "events:calendar_feed":
            values = {"token": data.draw(st.sampled_from([w.calendar_token, "x" * 32]))}
        self._log_in(target.role)
        body = data.draw(forged_data(target.fields(w), w.ids), label="post")
        self._post(route.path(values), body, read_only=target.read_only)

    def check_admin(self, model, adding: bool, data) -> None:
        self._log_in("staff")
        info = (model._meta.app_label, model._meta.model_name)
        if adding:
            url = reverse("admin:{}_{}_add".format(*info))
        else:
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                return  # nothing of this model in the world to change
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        page = self.client.get(url)
        if page.status_code != 200:
            return  # no add or change page for this model (read-only in admin)
        baseline = form_data(page.content.decode(), f"{model._meta.model_name}_form")
        body = data.draw(forged_data(baseline, self.world.ids), label="post")
        self._post(url, body, read_only=False)


def _route_test(name: str):
    @settings(
        max_examples=TARGETS[name].examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test(self, data):
        self.check_route(name, data)

    return test


def _admin_test(model, adding: bool):
    @settings(
        max_examples=3,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test(self, data):
        self.check_admin(model, adding, data)

    return test


def _method_name(text: str) -> str:
    return "test_" + re.sub(r"\W+", "_", text).strip("_")


for _name in TARGETS:
    setattr(ForgedPosts, _method_name(f"forged_post_to_{_name}"), _route_test(_name))


def _admin_pages() -> list[tuple[type, bool]]:
    """(model, adding) for every add and change form the admin offers a superuser."""
    request = RequestFactory().get("/admin/")
    request.user = apps.get_model("accounts", "User")(
        is_active=True, is_staff=True, is_superuser=True
    )
    return [
        (model, adding)
        for model, model_admin in _admin_models()
        for adding, allowed in (
            (True, model_admin.has_add_permission(request)),
            (False, model_admin.has_change_permission(request)),
        )
        if allowed
    ]


for _model, _adding in _admin_pages():
    action = "add" if _adding else "change"
    setattr(
        ForgedPosts,
        _method_name(f"forged_admin_{action}_{_model._meta.label_lower}"),
        _admin_test(_model, _adding),
    )
