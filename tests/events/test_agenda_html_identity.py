"""The logged-in agenda's HTML, byte for byte, as the page rendered it before its shared part
was cached per event version (issue 16): several people on one program, in the list and the
grid, before the event and while it runs. The expected pages are golden files under
`tests/events/golden/`, written by the renderer of the time; only per-request randomness (the
masked CSRF token) is normalised.

Regenerate them only on purpose (a deliberate change to what the page shows):
`UPDATE_GOLDEN=1 pytest tests/events/test_agenda_html_identity.py`, and review the diff.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CareerStage
from events.models import Registration, Session
from events.services import registration_create
from events.services.publishing import session_publish_set
from events.services.registrations import session_update
from tests.events.lunch.conftest import lunch_make
from tests.factories import (
    NY,
    EventFactory,
    MentorOfferFactory,
    ProfileFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SpeedMentoringSlotFactory,
    UserFactory,
    approve_mentor,
    career_path,
)

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
Status = Registration.Status

BEFORE = dt.datetime(2030, 11, 20, 9, 0, tzinfo=NY)  # registration open, nothing started
DURING = dt.datetime(2030, 12, 6, 10, 17, tzinfo=NY)  # the first day, mid-morning

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
MAIN = re.compile(r"<main\b.*</main>", re.S)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def session(pk: int, event, room, title: str, start: dt.datetime, minutes: int = 60, **kw):
    """Fixed ids: the page names sessions by id (anchors, URLs), and golden files must not
    depend on the database's sequences."""
    return SessionFactory(
        id=pk,
        event=event,
        room=room,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        **kw,
    )


def person(pk: int, email: str, name: str, **profile) -> object:
    user = UserFactory(id=pk, email=email, name=name)
    interests = profile.pop("interests", [])
    saved = ProfileFactory(user=user, **profile)
    if interests:
        saved.interests.set([career_path(slug) for slug in interests])
    return user


@pytest.fixture
def world():
    """A program of 24 sessions over three days with every kind of card: full, filling,
    drop-in, for one career stage, registration not yet open, cancelled by staff, a draft, a
    listening session, the lunch and a Blood Buddies slot; and four people."""
    with time_machine.travel(BEFORE, tick=False):
        event = EventFactory(id=7001, slug="ash-2030", name="ASH 2030 Trainee Program")
        rooms = [RoomFactory(id=7101 + n, event=event, name=f"Room W{300 + n}") for n in range(3)]
        hall, w301, w302 = rooms
        sessions = {}
        pk = 7201
        # Day one: five hourly slots, two or three rooms each.
        for slot in range(5):
            for lane in range(3 if slot % 2 == 0 else 2):
                sessions[f"d1-{slot}-{lane}"] = session(
                    pk,
                    event,
                    rooms[lane],
                    f"Day one talk {slot}.{lane}",
                    at(6, 8 + slot),
                    kind=Session.Kind.DIDACTIC if lane else Session.Kind.MICRO_LEARNING,
                    capacity=[20, 5, None][lane],
                    description=f"About hematology topic {slot}.{lane}",
                )
                pk += 1
        full = sessions["d1-1-1"]
        drop_in = session(7301, event, hall, "Walk-in clinic hours", at(7, 9), kind="blood_drop",
                          registration_mode=Session.Mode.DROP_IN, capacity=None)  # fmt: skip
        fellows_only = session(7302, event, w301, "Fellows' grant writing", at(7, 9),
                               audience=[CareerStage.FELLOW], capacity=12)  # fmt: skip
        residents_only = session(7303, event, w302, "Residents' boards review", at(7, 10),
                                 audience=[CareerStage.RESIDENT], capacity=12)  # fmt: skip
        later = session(7304, event, hall, "Not open yet", at(8, 9), capacity=30,
                        registration_opens_at=at(1, 9))  # fmt: skip
        cancelled = session(7305, event, w301, "Called off", at(8, 10), capacity=30)
        session(7306, event, w302, "A draft nobody may see", at(8, 11), is_published=False)
        listening = session(7307, event, hall, "Listening session", at(8, 14),
                            kind=Session.Kind.LISTENING, registration_mode=Session.Mode.REQUEST,
                            capacity=None)  # fmt: skip
        evening = session(7308, event, hall, "Welcome reception", at(6, 18), minutes=120,
                          kind=Session.Kind.RECEPTION, capacity=200)  # fmt: skip
        for s, slugs in [
            (sessions["d1-0-0"], ["clinical-malignant"]),
            (sessions["d1-2-1"], ["industry", "government"]),
            (fellows_only, ["clinical-malignant"]),
            (later, ["industry"]),
        ]:
            s.career_paths.set([career_path(slug) for slug in slugs])
        lunch = lunch_make(event=event, tables=3, rotations=2)
        # In a room of this program (the helper's own room is named from a factory sequence).
        Session.objects.filter(pk=lunch.pk).update(room=hall)
        slot = SpeedMentoringSlotFactory(
            session__id=7401, session__event=event, session__room=w302,
            session__title="Blood Buddies speed mentoring",
            session__starts_at=at(7, 14), session__ends_at=at(7, 15),
        )  # fmt: skip

        # Seats taken by others: one session full with a waitlist, one filling.
        others = [UserFactory(id=7501 + n, email=f"other{n}@example.org", name=f"Other {n}")
                  for n in range(8)]  # fmt: skip
        for n, other in enumerate(others[:5]):
            RegistrationFactory(session=full, user=other, status=Status.CONFIRMED)
        RegistrationFactory(session=full, user=others[5], status=Status.WAITLISTED)
        for other in others[:4]:
            RegistrationFactory(session=sessions["d1-0-1"], user=other)
        RegistrationFactory(session=cancelled, user=others[6])

        newcomer = person(7601, "newcomer@example.org", "Nia Newcomer", career_stage="")
        busy = person(7602, "busy@example.org", "Bea Busy", career_stage=CareerStage.FELLOW,
                      interests=["clinical-malignant", "industry"])  # fmt: skip
        mentor = person(7603, "mentor@example.org", "Dr. Mentor",
                        career_stage=CareerStage.EARLY_CAREER)  # fmt: skip
        quitter = person(7604, "quitter@example.org", "Quinn Quitter",
                         career_stage=CareerStage.RESIDENT)  # fmt: skip

        # Six seats, two waitlist places, one clash (a free session overlapping a seat).
        for key in ["d1-0-0", "d1-2-0", "d1-3-0", "d1-4-1"]:
            RegistrationFactory(session=sessions[key], user=busy)
        RegistrationFactory(session=drop_in, user=busy)
        RegistrationFactory(session=evening, user=busy)
        RegistrationFactory(session=full, user=busy, status=Status.WAITLISTED)
        cancelled_wait = session(7309, event, hall, "Small workshop", at(8, 8), capacity=1)
        RegistrationFactory(session=cancelled_wait, user=others[7])
        RegistrationFactory(session=cancelled_wait, user=busy, status=Status.WAITLISTED)
        RegistrationFactory(session=cancelled, user=busy)

        approve_mentor(mentor)
        MentorOfferFactory(slot=slot, mentor=mentor, capacity=2)
        RegistrationFactory(session=sessions["d1-1-0"], user=mentor)

        RegistrationFactory(
            session=sessions["d1-2-1"], user=quitter, status=Status.CANCELLED,
            confirmed_at=timezone.now(), cancelled_at=timezone.now(),
        )  # fmt: skip

        Session.objects.filter(pk=cancelled.pk).update(
            cancelled_at=timezone.now(), cancel_reason="The speaker cannot travel."
        )
        Registration.objects.filter(session=cancelled).update(
            status=Status.CANCELLED, cancelled_at=timezone.now()
        )
    return {
        "event": event,
        "people": {"newcomer": newcomer, "busy": busy, "mentor": mentor, "quitter": quitter},
        "lunch": lunch,
        "listening": listening,
        "residents_only": residents_only,
    }


def page_of(world, who: str, query: str, when: dt.datetime) -> str:
    client = Client()
    client.force_login(world["people"][who])
    url = reverse("events:agenda", kwargs={"slug": world["event"].slug}) + query
    with time_machine.travel(when, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    main = MAIN.search(html)
    assert main is not None
    text = CSRF.sub(r"\1CSRF\2", main.group())
    # The lunch's id comes from the sequence (its tables are made by a helper): whole
    # numbers only, so that a lunch with id 72 does not touch session 7201.
    lunch = world["lunch"].pk
    text = text.replace(f"/{lunch}/", "/LUNCH/")
    return re.sub(rf"session-{lunch}(?!\d)", "session-LUNCH", text)


CASES = [
    (who, name, query, when)
    for who in ["newcomer", "busy", "mentor", "quitter"]
    for name, query, when in [
        ("list", "", BEFORE),
        ("grid", "?view=grid", BEFORE),
        ("during", "", DURING),
    ]
] + [
    ("busy", "day", "?day=2030-12-07", BEFORE),
    ("busy", "kind", "?kind=didactic", BEFORE),
    ("busy", "foryou", "?for_you=1", BEFORE),
    ("busy", "search", "?q=day+one", BEFORE),
    ("busy", "seats", "?has_seats=1", BEFORE),
    ("busy", "grid-during", "?view=grid", DURING),
]


@pytest.mark.parametrize(("who", "name", "query", "when"), CASES)
def test_logged_in_agenda_html_is_unchanged(world, who, name, query, when):
    html = page_of(world, who, query, when)
    # Twice: the second page is served from whatever the first one cached.
    again = page_of(world, who, query, when)
    golden = GOLDEN / f"agenda_{who}_{name}.html"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html)
    assert html == golden.read_text()
    assert again == html


# --- the shared part follows every change --------------------------------------------------


def card_of(html: str, session_id: int) -> str:
    match = re.search(rf'<article [^>]*id="session-{session_id}">(.*?)</article>', html, re.S)
    assert match is not None, f"no card for session {session_id}"
    return match.group(1)


@pytest.fixture
def newcomer_page(world):
    """The newcomer's agenda before the event, shared part built (and cached) by the call."""
    return lambda: page_of(world, "newcomer", "", BEFORE)


def test_a_registration_by_someone_else_changes_the_seats_on_the_next_page(
    world, newcomer_page, django_capture_on_commit_callbacks
):
    assert "19 seats left" in card_of(newcomer_page(), 7201)  # 20 seats, the busy one's taken

    with (
        time_machine.travel(BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration_create(session=Session.objects.get(pk=7201), user=world["people"]["quitter"])

    card = card_of(newcomer_page(), 7201)
    assert "18 seats left" in card
    assert "Register" in card


def test_publishing_a_draft_session_shows_it_on_the_next_page(
    world, newcomer_page, django_capture_on_commit_callbacks
):
    assert "A draft nobody may see" not in newcomer_page()

    with (
        time_machine.travel(BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session_publish_set(session=Session.objects.get(pk=7306), is_published=True)

    assert "A draft nobody may see" in card_of(newcomer_page(), 7306)


def test_editing_a_session_changes_its_card_on_the_next_page(
    world, newcomer_page, django_capture_on_commit_callbacks
):
    assert "Day one talk 0.0" in card_of(newcomer_page(), 7201)

    with (
        time_machine.travel(BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session_update(session=Session.objects.get(pk=7201), changes={"title": "Renamed talk"})

    html = newcomer_page()
    assert "Renamed talk" in card_of(html, 7201)
    assert "Day one talk 0.0" not in html


def test_a_session_that_starts_loses_its_register_button_without_any_change_saved(world):
    """The clock changes cards with no new version: the shared part is rebuilt at the next
    moment a session starts or ends."""
    just_before = at(6, 9, 59)
    assert "Register" in card_of(page_of(world, "newcomer", "", just_before), 7207)

    card = card_of(page_of(world, "newcomer", "", at(6, 10, 1)), 7207)

    assert "This session has already started." in card
    assert "Register" not in card


def test_the_now_line_tells_the_minute_of_each_request(world):
    first = page_of(world, "busy", "", at(6, 10, 17))
    later = page_of(world, "busy", "", at(6, 10, 23))

    assert "Now · 10:17 EST" in first
    assert "Now · 10:23 EST" in later
    assert later.replace("10:23", "10:17") == first


def test_one_persons_page_shows_nothing_of_anothers(world):
    page_of(world, "busy", "", BEFORE)  # builds the shared part for a busy person first

    html = page_of(world, "newcomer", "", BEFORE)

    assert html == (GOLDEN / "agenda_newcomer_list.html").read_text()
    assert "You have a seat" not in html
    assert "Waitlisted" not in html


def test_the_page_around_the_agenda_is_the_one_rendered_whole(world):
    """Outside <main> (header, menu with the person's name, logout form): the frame kept per
    skeleton gives the same page as rendering it whole, which the page still does when a
    message is to be shown."""
    client = Client()
    client.force_login(world["people"]["busy"])
    url = reverse("events:agenda", kwargs={"slug": world["event"].slug})
    register = reverse("events:session_register", kwargs={"slug": "ash-2030", "pk": 7208})
    with time_machine.travel(BEFORE, tick=False):
        client.get(url)
        framed = client.get(url).content.decode()
        client.post(register, {"next": url})  # leaves a message for the next page
        whole = client.get(url).content.decode()

    assert 'class="messages"' in whole
    assert 'class="messages"' not in framed
    assert "Bea Busy" in framed
    outside = [CSRF.sub(r"\1CSRF\2", MAIN.sub("", html)) for html in (framed, whole)]
    assert outside[0] == outside[1]
