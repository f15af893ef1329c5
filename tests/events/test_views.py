"""Registration through the browser's eyes: one CSRF-protected POST per action, messages,
who may do what, the agenda's seat and status labels, its cache and its query counts."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import CareerPath, CareerStage, Profile, User
from events.models import Registration, Session, TableHost
from events.services import registration_create
from notifications.models import Notification
from tests.conftest import login_session_queries
from tests.events.lunch.conftest import lunch_make
from tests.factories import (
    NY,
    RoomFactory,
    SessionFactory,
    UserFactory,
    approve_mentor,
    career_path,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Status = Registration.Status
SESSION_LINK = re.compile(r'<h4 class="session-title"><a href="[^"]+">([^<]+)</a></h4>')
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def register_url(two_seat_session: Session) -> str:
    return reverse(
        "events:session_register",
        kwargs={"slug": two_seat_session.event.slug, "pk": two_seat_session.pk},
    )


def cancel_url(two_seat_session: Session) -> str:
    return reverse(
        "events:session_cancel",
        kwargs={"slug": two_seat_session.event.slug, "pk": two_seat_session.pk},
    )


def active(two_seat_session: Session) -> dict[int, str]:
    """Who holds what on the session: user id → status, cancelled rows left out."""
    return dict(
        Registration.objects.filter(session=two_seat_session)
        .exclude(status=Status.CANCELLED)
        .values_list("user_id", "status")
    )


def csrf_client(user: User, two_seat_session: Session) -> tuple[Client, str]:
    """A logged-in client that enforces CSRF, with the token a page it loaded handed out."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(two_seat_session.get_absolute_url())
    return client, client.cookies["csrftoken"].value


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def two_seat_session(event):
    return SessionFactory(event=event, title="Writing your first grant", capacity=2)


# --- one POST per action, CSRF-protected ---------------------------------------------------


@pytest.mark.parametrize("url", [register_url, cancel_url], ids=["register", "cancel"])
def test_post_without_csrf_token_is_refused_and_changes_nothing(two_seat_session, trainee, url):
    registration_create(session=two_seat_session, user=trainee)
    before = active(two_seat_session)
    client, _ = csrf_client(trainee, two_seat_session)

    response = client.post(url(two_seat_session))

    assert response.status_code == 403
    assert active(two_seat_session) == before


def test_register_with_csrf_token_gives_a_seat_and_says_so(two_seat_session, trainee):
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert response.redirect_chain == [(two_seat_session.get_absolute_url(), 302)]
    assert messages_on(response) == ["You have a seat in “Writing your first grant”."]
    assert active(two_seat_session) == {trainee.pk: Status.CONFIRMED}


def test_second_register_post_says_already_registered_and_keeps_one_registration(
    two_seat_session, trainee
):
    client, token = csrf_client(trainee, two_seat_session)
    client.post(register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True)

    response = client.post(
        register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert messages_on(response) == ["You are already registered for this session."]
    assert "already registered" in response.content.decode()
    assert Registration.objects.filter(session=two_seat_session, user=trainee).count() == 1


def test_register_on_a_full_session_waitlists_and_shows_the_position(two_seat_session, trainee):
    for user in UserFactory.create_batch(3):  # two seats taken, one person already waiting
        registration_create(session=two_seat_session, user=user)
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert response.status_code == 200
    assert "number 2 on the waitlist" in response.content.decode()
    assert active(two_seat_session)[trainee.pk] == Status.WAITLISTED


def test_cancel_with_csrf_token_frees_the_seat_and_promotes_the_waitlist(two_seat_session, trainee):
    seated, waiting = UserFactory(), UserFactory()
    for user in (trainee, seated, waiting):
        registration_create(session=two_seat_session, user=user)
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        cancel_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert messages_on(response) == ["Your seat in “Writing your first grant” is cancelled."]
    assert active(two_seat_session) == {seated.pk: Status.CONFIRMED, waiting.pk: Status.CONFIRMED}


def test_register_with_replace_switches_seats_in_one_post(event, two_seat_session, trainee):
    other = SessionFactory(event=event, title="Negotiating offers", starts_at=at(6, 10, 15))
    registration_create(session=other, user=trainee)
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        register_url(two_seat_session),
        {"csrfmiddlewaretoken": token, "replace": other.pk},
        follow=True,
    )

    assert messages_on(response) == [
        "Switched: you gave up “Negotiating offers” and have a seat in “Writing your first grant”."
    ]
    assert active(other) == {}
    assert active(two_seat_session) == {trainee.pk: Status.CONFIRMED}


def test_register_for_a_clashing_session_names_it_and_offers_the_switch(
    event, two_seat_session, trainee
):
    other = SessionFactory(event=event, title="Negotiating offers", starts_at=at(6, 10, 15))
    registration_create(session=other, user=trainee)
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    content = response.content.decode()
    switch = reverse(
        "events:session_switch_confirm", kwargs={"slug": event.slug, "pk": two_seat_session.pk}
    )
    assert "This overlaps “Negotiating offers”, where you already have a seat." in content
    assert re.search(rf'<a class="button" href="{switch}\?replace={other.pk}&amp;next=', content)
    assert active(two_seat_session) == {}


def _unverified(two_seat_session: Session) -> User:
    return UserFactory(verified=False)


def _resident(two_seat_session: Session) -> User:
    user = UserFactory()
    Profile.objects.filter(user=user).update(career_stage=CareerStage.RESIDENT)
    return user


def _after_closing(two_seat_session: Session) -> User:
    two_seat_session.registration_closes_at = dt.datetime(2020, 1, 2, 17, 0, tzinfo=dt.UTC)
    two_seat_session.save()
    return UserFactory()


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (_unverified, "Please verify your email address before registering."),
        (_resident, "This session is for Fellow only."),
        (_after_closing, "Registration closed on January 2, 2020 at 12:00 (America/New_York)."),
    ],
    ids=["unverified", "wrong-audience", "window-closed"],
)
def test_refused_registration_says_why_and_writes_nothing(event, arrange, message):
    two_seat_session = SessionFactory(event=event, audience=[CareerStage.FELLOW])
    user = arrange(two_seat_session)
    client, token = csrf_client(user, two_seat_session)

    response = client.post(
        register_url(two_seat_session), {"csrfmiddlewaretoken": token}, follow=True
    )

    assert messages_on(response) == [message]
    assert not Registration.objects.exists()
    assert not Notification.objects.exists()


def test_register_ignores_a_next_address_on_another_site(two_seat_session, trainee):
    client, token = csrf_client(trainee, two_seat_session)

    response = client.post(
        register_url(two_seat_session),
        {"csrfmiddlewaretoken": token, "next": "https://evil.example/phish"},
    )

    assert response["Location"] == two_seat_session.get_absolute_url()


@pytest.mark.parametrize("url", [register_url, cancel_url], ids=["register", "cancel"])
def test_get_on_a_post_only_url_is_405(client, two_seat_session, trainee, url):
    client.force_login(trainee)

    response = client.get(url(two_seat_session))

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["events:session_register", "events:session_cancel"])
def test_post_for_an_unknown_session_is_404(client, event, trainee, name):
    client.force_login(trainee)

    response = client.post(reverse(name, kwargs={"slug": event.slug, "pk": 999_999}))

    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_lock_timeout_answers_busy_try_again_not_a_server_error(client, two_seat_session, trainee):
    client.force_login(trainee)
    client.raise_request_exception = False

    with mock.patch(
        "events.views.registration_create", side_effect=OperationalError("lock timeout")
    ):
        response = client.post(register_url(two_seat_session))

    content = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in content
    assert "Traceback" not in content
    assert "lock timeout" not in content


# --- who may do what -----------------------------------------------------------------------

LOGIN = "login"
SESSION_PAGE = "session"
MY_AGENDA = "my_agenda"
ACTIONS = {
    # name: (method, url builder)
    "register": ("post", register_url),
    "cancel": ("post", cancel_url),
    "my_agenda": ("get", lambda s: reverse("events:my_agenda")),
    "my_agenda_ics": ("get", lambda s: reverse("events:my_agenda_ics")),
    "calendar_revoke": ("post", lambda s: reverse("events:calendar_revoke")),
}
# (action, role) → (status, where it redirects, what changes, whether the owner's session shows)
MATRIX = {
    ("register", "anonymous"): (302, LOGIN, "nothing", None),
    ("register", "owner"): (302, SESSION_PAGE, "nothing", None),
    ("register", "other"): (302, SESSION_PAGE, "actor registered", None),
    ("register", "staff"): (302, SESSION_PAGE, "actor registered", None),
    ("cancel", "anonymous"): (302, LOGIN, "nothing", None),
    ("cancel", "owner"): (302, SESSION_PAGE, "owner cancelled", None),
    ("cancel", "other"): (404, None, "nothing", None),
    ("cancel", "staff"): (404, None, "nothing", None),
    ("my_agenda", "anonymous"): (302, LOGIN, "nothing", None),
    ("my_agenda", "owner"): (200, None, "nothing", True),
    ("my_agenda", "other"): (200, None, "nothing", False),
    ("my_agenda", "staff"): (200, None, "nothing", False),
    ("my_agenda_ics", "anonymous"): (302, LOGIN, "nothing", None),
    ("my_agenda_ics", "owner"): (200, None, "nothing", True),
    ("my_agenda_ics", "other"): (200, None, "nothing", False),
    ("my_agenda_ics", "staff"): (200, None, "nothing", False),
    ("calendar_revoke", "anonymous"): (302, LOGIN, "nothing", None),
    ("calendar_revoke", "owner"): (302, MY_AGENDA, "actor token replaced", None),
    ("calendar_revoke", "other"): (302, MY_AGENDA, "actor token replaced", None),
    ("calendar_revoke", "staff"): (302, MY_AGENDA, "actor token replaced", None),
}


def world(two_seat_session: Session) -> dict:
    return {
        "registrations": active(two_seat_session),
        "tokens": dict(Profile.objects.values_list("user_id", "calendar_token")),
    }


@pytest.mark.parametrize(("action", "role"), list(MATRIX), ids=[f"{a}-{r}" for a, r in MATRIX])
def test_permissions_of_every_registration_url(client, two_seat_session, action, role):
    owner = UserFactory()
    actors = {
        "anonymous": None,
        "owner": owner,
        "other": UserFactory(),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    registration_create(session=two_seat_session, user=owner)
    actor = actors[role]
    if actor is not None:
        client.force_login(actor)
    before = world(two_seat_session)
    status, redirect, change, shows_owner_session = MATRIX[(action, role)]
    method, url = ACTIONS[action]

    response = getattr(client, method)(url(two_seat_session))

    assert response.status_code == status
    if redirect == LOGIN:
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    elif redirect == SESSION_PAGE:
        assert response["Location"] == two_seat_session.get_absolute_url()
    elif redirect == MY_AGENDA:
        assert response["Location"] == reverse("events:my_agenda")
    expected = {"registrations": dict(before["registrations"]), "tokens": dict(before["tokens"])}
    if change == "actor registered":
        expected["registrations"][actor.pk] = Status.CONFIRMED
    elif change == "owner cancelled":
        del expected["registrations"][owner.pk]
    after = world(two_seat_session)
    if change == "actor token replaced":
        assert after["tokens"][actor.pk] != before["tokens"][actor.pk]
        expected["tokens"][actor.pk] = after["tokens"][actor.pk]
    assert after == expected
    if shows_owner_session is not None:
        assert (two_seat_session.title in response.content.decode()) is shows_owner_session


# --- what the agenda shows -----------------------------------------------------------------


def agenda(client, event, query: str = ""):
    return client.get(event.get_absolute_url() + query)


def card(response, two_seat_session: Session) -> str:
    """The HTML of one session card on the agenda."""
    content = response.content.decode()
    match = re.search(
        rf'<article class="session-card[^"]*" id="session-{two_seat_session.pk}">(.*?)</article>',
        content,
        flags=re.DOTALL,
    )
    assert match, f"no card for {two_seat_session.title}"
    return match.group(1)


@pytest.mark.parametrize(
    ("capacity", "taken", "label", "button"),
    [
        (20, 3, '<p class="seats">17 seats left</p>', "Register"),
        (20, 17, '<p class="seats">Filling — 3 seats left</p>', "Register"),
        (5, 4, '<p class="seats">Filling — 1 seat left</p>', "Register"),
        (2, 2, '<p class="seats full">Full — join the waitlist</p>', "Join the waitlist"),
    ],
)
def test_agenda_shows_seats_left_and_full_sessions_offer_the_waitlist(
    client, event, capacity, taken, label, button
):
    two_seat_session = SessionFactory(event=event, capacity=capacity)
    for user in UserFactory.create_batch(taken):
        registration_create(session=two_seat_session, user=user)
    client.force_login(UserFactory())

    shown = card(agenda(client, event), two_seat_session)

    assert label in shown
    assert f'<button type="submit">{button}<span class="visually-hidden">' in shown


def test_agenda_shows_the_persons_own_status_on_each_session(client, event, trainee):
    seated = SessionFactory(event=event, title="Seated", starts_at=at(6, 9))
    waiting = SessionFactory(event=event, title="Waiting", starts_at=at(6, 11), capacity=1)
    clashing = SessionFactory(event=event, title="Clashing", starts_at=at(6, 9, 15))
    free = SessionFactory(event=event, title="Free", starts_at=at(6, 14))
    for user in UserFactory.create_batch(2):
        registration_create(session=waiting, user=user)
    registration_create(session=seated, user=trainee)
    registration_create(session=waiting, user=trainee)
    client.force_login(trainee)

    response = agenda(client, event)

    assert "✓ You have a seat" in card(response, seated)
    assert "Waitlisted — you are #2" in card(response, waiting)
    assert f'Clashes with “<a href="{seated.get_absolute_url()}">Seated</a>”' in card(
        response, clashing
    )
    assert FORM_ACTION.findall(card(response, free)) == [register_url(free)]
    assert register_url(free).endswith("/register/")


def test_agenda_says_when_registration_opens(client, event, trainee):
    two_seat_session = SessionFactory(
        event=event, registration_opens_at=dt.datetime(2030, 11, 1, 13, 0, tzinfo=dt.UTC)
    )
    client.force_login(trainee)

    response = agenda(client, event)

    assert "Registration opens on November 1, 2030 at 09:00 (America/New_York)." in card(
        response, two_seat_session
    )
    assert FORM_ACTION.findall(card(response, two_seat_session)) == []


def test_my_agenda_shows_waitlist_position_and_why_a_promotion_is_skipped(client, event, trainee):
    seated = SessionFactory(event=event, title="Seated")
    full = SessionFactory(event=event, title="Full one", starts_at=at(6, 10, 15), capacity=1)
    registration_create(session=full, user=UserFactory())
    registration_create(session=seated, user=trainee)
    registration_create(session=full, user=trainee)
    client.force_login(trainee)

    response = client.get(reverse("events:my_agenda"))

    content = response.content.decode()
    assert "Waitlisted #1" in content
    assert "A seat would clash with “Seated”, so you are skipped until that changes" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Fellows grant clinic", "Resident wellness", "Open didactic"}),
        ("?day=2030-12-07", {"Resident wellness"}),
        ("?kind=blood_drop", {"Resident wellness"}),
        ("?career_path=clinical-malignant", {"Fellows grant clinic"}),
        ("?audience=fellow", {"Fellows grant clinic", "Open didactic"}),
        ("?has_seats=on", {"Resident wellness", "Open didactic"}),
        ("?day=2030-12-06&has_seats=on", {"Open didactic"}),
    ],
)
def test_agenda_filters(client, event, query, expected):
    clinic = SessionFactory(
        event=event,
        title="Fellows grant clinic",
        kind=Session.Kind.MICRO_LEARNING,
        starts_at=at(6, 10),
        audience=["fellow"],
        capacity=1,
    )
    clinic.career_paths.set([career_path("clinical-malignant")])
    registration_create(session=clinic, user=UserFactory())
    wellness = SessionFactory(
        event=event,
        title="Resident wellness",
        kind=Session.Kind.BLOOD_DROP,
        starts_at=at(7, 10),
        audience=["resident"],
    )
    wellness.career_paths.set([career_path("medical-education")])
    SessionFactory(
        event=event, title="Open didactic", kind=Session.Kind.DIDACTIC, starts_at=at(6, 14)
    )

    response = agenda(client, event, query)

    assert set(SESSION_LINK.findall(response.content.decode())) == expected


def test_anonymous_agenda_is_cached_until_a_registration_commits(
    client, settings, event, django_capture_on_commit_callbacks
):
    # A private cache, so that another run clearing the shared one cannot disturb this test.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-registration-views",
        }
    }
    two_seat_session = SessionFactory(event=event, capacity=20)
    assert "20 seats left" in card(agenda(client, event), two_seat_session)
    # Written behind the services' back: no cache bump, so the cached page stays.
    Registration.objects.create(
        session=two_seat_session, user=UserFactory(), status=Status.CONFIRMED
    )
    assert "20 seats left" in card(agenda(client, event), two_seat_session)

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=two_seat_session, user=UserFactory())

    assert "18 seats left" in card(agenda(client, event), two_seat_session)


def test_anonymous_agenda_shows_the_new_seat_count_right_after_a_registration_commits(
    client, event, django_capture_on_commit_callbacks
):
    two_seat_session = SessionFactory(event=event, capacity=20)
    agenda(client, event)  # warms the cache

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=two_seat_session, user=UserFactory())

    assert "19 seats left" in card(agenda(client, event), two_seat_session)


# --- query counts stay flat ------------------------------------------------------------------

# What each page costs, whatever the size: a session or registration more adds no query.
ANONYMOUS_AGENDA_QUERIES = 4  # event, career paths, sessions, their paths (days: the event's)
# (login session), user, my registrations, my stage and interests ("For you"; cached after this)
AGENDA_QUERIES = ANONYMOUS_AGENDA_QUERIES + 3 + login_session_queries()
# Once the event's shared skeleton is built (the first logged-in view after a change): only
# (login session), user, my registrations; the stage and interests come from the cache.
WARM_AGENDA_QUERIES = 2 + login_session_queries()
# exact at 10 and 200: (login session), user, event, the session, its paths, mine
SESSION_PAGE_QUERIES = 5 + login_session_queries()
# exact at 10 registrations and 1 hosted lunch, 200 and 4: (login session), user, profile, my
# registrations; hosting: tables, rotations; mentoring: mentor approval, meetings, offers;
# listening: my private conversations
MY_AGENDA_QUERIES = 9 + login_session_queries()


def build_program(event, size: int, person: User) -> list[Session]:
    """`size` back-to-back sessions with paths in five rooms, `person` registered on each, and
    `size` other people on the first one (so both sessions and registrations grow)."""
    rooms = [RoomFactory(event=event) for _ in range(5)]
    start = at(6, 8)
    sessions = Session.objects.bulk_create(
        Session(
            event=event,
            title=f"Session {n:03d}",
            kind=Session.Kind.MICRO_LEARNING,
            starts_at=start + dt.timedelta(minutes=30 * n),
            ends_at=start + dt.timedelta(minutes=30 * (n + 1)),
            room=rooms[n % 5],
            capacity=20,
            audience=["fellow"] if n % 2 else [],
        )
        for n in range(size)
    )
    paths = list(CareerPath.objects.all()[:3])
    Session.career_paths.through.objects.bulk_create(
        Session.career_paths.through(session=s, careerpath=p) for s in sessions for p in paths
    )
    others = User.objects.bulk_create(
        User(email=f"other{n}@example.org", name=f"Other {n}") for n in range(size)
    )
    Registration.objects.bulk_create(
        [
            Registration(
                session=s,
                user=person,
                status=Status.WAITLISTED if n % 3 == 0 else Status.CONFIRMED,
            )
            for n, s in enumerate(sessions)
        ]
        + [
            Registration(
                session=sessions[0],
                user=u,
                status=Status.CONFIRMED if n < 20 else Status.WAITLISTED,
            )
            for n, u in enumerate(others)
        ]
    )
    return sessions


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("who", ["anonymous", "trainee"])
def test_agenda_queries_do_not_grow_with_sessions(
    client, event, trainee, django_assert_num_queries, size, who
):
    build_program(event, size, trainee)
    if who == "trainee":
        client.force_login(trainee)

    queries = AGENDA_QUERIES if who == "trainee" else ANONYMOUS_AGENDA_QUERIES
    with django_assert_num_queries(queries):
        response = agenda(client, event)

    page = response.content.decode()
    assert len(SESSION_LINK.findall(page)) == size
    seats = size - (size + 2) // 3 if who == "trainee" else 0
    assert page.count("✓ You have a seat") == seats


@pytest.mark.parametrize("size", [10, 200])
def test_logged_in_agenda_costs_only_the_persons_rows_once_the_shared_part_is_built(
    client, event, trainee, django_assert_num_queries, size
):
    build_program(event, size, trainee)
    client.force_login(trainee)
    first = agenda(client, event)  # builds the shared skeleton

    with django_assert_num_queries(WARM_AGENDA_QUERIES):
        response = agenda(client, event)

    page = response.content.decode()
    assert CSRF_VALUE.sub("", page) == CSRF_VALUE.sub("", first.content.decode())
    assert len(SESSION_LINK.findall(page)) == size
    assert page.count("✓ You have a seat") == size - (size + 2) // 3


@pytest.mark.parametrize("size", [10, 200])
def test_session_page_queries_do_not_grow_with_registrations(
    client, event, trainee, django_assert_num_queries, size
):
    sessions = build_program(event, size, trainee)
    client.force_login(trainee)

    with django_assert_num_queries(SESSION_PAGE_QUERIES):
        response = client.get(sessions[1].get_absolute_url())

    assert "✓ You have a seat" in response.content.decode()


@pytest.mark.parametrize(("size", "lunches"), [(10, 1), (200, 4)])
def test_my_agenda_queries_do_not_grow_with_registrations_or_hosted_tables(
    client, event, trainee, django_assert_num_queries, size, lunches
):
    build_program(event, size, trainee)
    for _ in range(lunches):
        hosted = lunch_make(tables=3)
        TableHost.objects.filter(table__session=hosted).update(user=trainee)
    Profile.objects.filter(user=trainee).update(is_mentor=True)  # a fellow who also mentors
    approve_mentor(trainee)
    client.force_login(trainee)

    with django_assert_num_queries(MY_AGENDA_QUERIES):
        response = client.get(reverse("events:my_agenda"))

    page = response.content.decode()
    assert page.count('<tr id="registration-') == size
    assert page.count("Who is coming") == 3 * lunches


def test_the_next_agenda_reads_the_persons_interests_from_the_cache(client, event, trainee):
    build_program(event, 10, trainee)
    client.force_login(trainee)
    agenda(client, event)

    with CaptureQueriesContext(connection) as queries:
        agenda(client, event)

    assert not [q["sql"] for q in queries.captured_queries if "accounts_profile" in q["sql"]]
