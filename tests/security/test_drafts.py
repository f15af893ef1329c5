"""Drafts are invisible and inert outside admin: an event that is not published, or a session
that is not, answers 404 (or is simply absent) on every page and POST people use, takes no
registration, writes no email, and a pending email about it never goes out while it is a
draft. People who held a place before staff unpublished it keep it, unseen, and see it again
once it is republished.

Every test runs twice: for a draft event (its sessions published) and for draft sessions in a
published event."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Profile
from events.lunch.services import lunch_join, table_seat_take
from events.models import Event, Registration, Session, TableSeat
from events.services import registration_create, session_update
from events.services.notices import session_announce
from mentorship.models import Meeting, MentorOffer, SpeedMentoringSlot, TraineeSignup
from mentorship.services import schedule_draft, schedule_publish
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.events.lunch.conftest import lunch_make
from tests.factories import NY, EventFactory, RoomFactory, SessionFactory, UserFactory
from tests.mentorship.conftest import make_slot, offer_for, signup_for, speed_session

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

SECRET = "Secret"  # every draft's title starts with it: a page that shows it leaks
START = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)
BEFORE = START - dt.timedelta(days=30)  # registrations are made then
HOUR = dt.timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


@dataclass
class Program:
    """An event with an open session, a lunch, a Blood Buddies slot and a speed-mentoring
    session not set up yet; `public` is a published session at the same time as `talk`."""

    event: Event
    talk: Session
    lunch: Session
    speed: Session
    slot: SpeedMentoringSlot
    bare_speed: Session
    neighbour: Session  # a published session of the event, at the talk's time
    public: Session  # a session of another, published event, at the talk's time

    def same_time_elsewhere(self, draft: str) -> Session:
        """A published session at the talk's time: in the same event for a draft session."""
        return self.neighbour if draft == "session" else self.public


def program() -> Program:
    """Built while everything is published (as staff would, before unpublishing). The event
    starts first, so it is the current one (home, /mentorship/) while it is published."""
    event = EventFactory(
        slug="summit-2030", name=f"{SECRET} summit", starts_on=dt.date(2030, 12, 5)
    )
    room = RoomFactory(event=event, name=f"{SECRET} room W230")
    talk = SessionFactory(event=event, title=f"{SECRET} talk", room=room, starts_at=START)
    lunch = lunch_make(event=event, title=f"{SECRET} lunch", tables=2, rotations=2)
    speed = speed_session(event, title=f"{SECRET} speed mentoring", starts_at=at(6, 14),
                          ends_at=at(6, 15))  # fmt: skip
    slot = make_slot(speed)
    bare = speed_session(event, title=f"{SECRET} bare slot", starts_at=at(6, 16),
                         ends_at=at(6, 17))  # fmt: skip
    neighbour = SessionFactory(event=event, title="Neighbour talk", starts_at=START)
    public = SessionFactory(event=EventFactory(slug="ash-2030", name="Annual meeting"),
                            title="Open talk", starts_at=START)  # fmt: skip
    return Program(event, talk, lunch, speed, slot, bare, neighbour, public)


def unpublish(p: Program, draft: str) -> None:
    """Staff take the event, or its sessions, back to draft."""
    if draft == "event":
        Event.objects.filter(pk=p.event.pk).update(is_published=False)
    else:
        Session.objects.filter(event=p.event, title__startswith=SECRET).update(is_published=False)
    for obj in (p.event, p.talk, p.lunch, p.speed, p.bare_speed):
        obj.refresh_from_db()


def republish(p: Program) -> None:
    Event.objects.filter(pk=p.event.pk).update(is_published=True)
    Session.objects.filter(event=p.event).update(is_published=True)


@pytest.fixture(params=["event", "session"], ids=["draft event", "draft session"])
def draft(request) -> str:
    return request.param


@pytest.fixture
def drafts(draft) -> Program:
    """A program that is a draft from the start (staff still building it)."""
    p = program()
    unpublish(p, draft)
    return p


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def shows_a_draft(page: str, draft: str) -> bool:
    """Whether the page names anything secret; a draft session's event is published, so its
    name may show."""
    if draft == "session":
        page = page.replace(f"{SECRET} summit", "")
    return SECRET in page


def url(name: str, session: Session, **kwargs) -> str:
    return reverse(
        f"events:{name}", kwargs={"slug": session.event.slug, "pk": session.pk, **kwargs}
    )


def slot_url(name: str, session: Session) -> str:
    return reverse(f"mentorship:{name}", kwargs={"session_id": session.pk})


# --- pages and POSTs answer 404: nothing is created ---------------------------------------------


def test_draft_agenda_page_is_404_or_lists_no_draft(client, drafts, draft):
    response = client.get(reverse("events:agenda", kwargs={"slug": drafts.event.slug}))

    if draft == "event":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
    assert not shows_a_draft(text(response), draft)


@pytest.mark.parametrize("when", [START, at(7, 12, 5)], ids=["talk", "lunch"])
def test_draft_now_screen_is_404_or_shows_no_draft(client, drafts, draft, when):
    with time_machine.travel(when, tick=False):
        response = client.get(reverse("events:now", kwargs={"slug": drafts.event.slug}))

    if draft == "event":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "Neighbour talk" in text(response) or when != START
    assert not shows_a_draft(text(response), draft)


@pytest.mark.parametrize("who", ["anonymous", "trainee", "staff"])
def test_draft_session_page_is_404_for_everyone_outside_admin(drafts, who):
    client = Client()
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who == "staff", is_superuser=who == "staff"))

    response = client.get(drafts.talk.get_absolute_url())

    assert response.status_code == 404
    assert SECRET not in text(response)


def test_register_post_for_a_draft_is_404_and_creates_nothing(drafts):
    response = logged_in(UserFactory()).post(url("session_register", drafts.talk))

    assert response.status_code == 404
    assert not Registration.objects.exists()
    assert not Notification.objects.exists()


def test_switch_into_a_draft_is_404_and_keeps_the_seat_given_up(draft):
    p = program()
    person = UserFactory()
    registration_create(session=p.neighbour, user=person)  # at the talk's time
    unpublish(p, draft)

    response = logged_in(person).post(url("session_register", p.talk), {"replace": p.neighbour.pk})

    assert response.status_code == 404
    assert dict(Registration.objects.values_list("session_id", "status")) == {
        p.neighbour.pk: Registration.Status.CONFIRMED
    }


@pytest.mark.parametrize("name", ["session_cancel_confirm", "session_switch_confirm"])
def test_confirmation_pages_of_a_draft_are_404(drafts, name):
    response = logged_in(UserFactory()).get(url(name, drafts.talk), {"replace": drafts.talk.pk})

    assert response.status_code == 404


def test_lunch_grid_of_a_draft_is_404(client, drafts):
    response = client.get(url("lunch_grid", drafts.lunch))

    assert response.status_code == 404
    assert SECRET not in text(response)


@pytest.mark.parametrize("action", ["join", "take", "change", "drop"])
def test_lunch_posts_on_a_draft_are_404_and_seat_nobody(drafts, action):
    rotation = drafts.lunch.lunch_rotations.get(number=1)
    table = drafts.lunch.lunch_tables.get(number=1)
    targets = {
        "join": url("lunch_join", drafts.lunch),
        "take": url("lunch_take", drafts.lunch, table_id=table.pk, rotation_id=rotation.pk),
        "change": url("lunch_change", drafts.lunch, table_id=table.pk, rotation_id=rotation.pk),
        "drop": url("lunch_drop", drafts.lunch, rotation_id=rotation.pk),
    }

    response = logged_in(UserFactory()).post(targets[action])

    assert response.status_code == 404
    assert not Registration.objects.exists() and not TableSeat.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("name", ["lunch_overview", "lunch_table_roster", "lunch_table_guests"])
def test_lunch_staff_and_host_pages_of_a_draft_are_404(drafts, name):
    table = drafts.lunch.lunch_tables.get(number=1)
    kwargs = {} if name == "lunch_overview" else {"table_id": table.pk}
    staff = UserFactory(is_staff=True, is_superuser=True)

    response = logged_in(staff).get(url(name, drafts.lunch, **kwargs))

    assert response.status_code == 404


@pytest.mark.parametrize("session", ["speed", "bare_speed"])
def test_blood_buddies_slot_page_of_a_draft_is_404_without_its_title(client, drafts, session):
    response = client.get(slot_url("slot_detail", getattr(drafts, session)))

    assert response.status_code == 404
    assert SECRET not in text(response)
    assert drafts.event.slug not in text(response)


@pytest.mark.parametrize("name", ["mentor_signup", "trainee_signup"])
def test_blood_buddies_sign_up_on_a_draft_is_404_and_writes_nothing(drafts, name):
    person = UserFactory()
    Profile.objects.filter(user=person).update(is_mentor=name == "mentor_signup")

    response = logged_in(person).post(slot_url(name, drafts.speed), {"capacity": "1"})

    assert response.status_code == 404
    assert not MentorOffer.objects.exists() and not TraineeSignup.objects.exists()
    assert not Registration.objects.exists()


def test_blood_buddies_index_lists_no_draft_slot(client, draft):
    p = program()
    if draft == "session":
        # The event stays the current one: its published sessions are listed, not the draft.
        speed_session(p.event, title="Blood Buddies at noon", starts_at=at(6, 12),
                      ends_at=at(6, 13))  # fmt: skip
    unpublish(p, draft)

    page = text(client.get(reverse("mentorship:index")))

    assert not shows_a_draft(page, draft)


def test_events_list_and_home_leave_a_draft_event_out(client):
    p = program()
    unpublish(p, "event")

    listing = text(client.get(reverse("events:event_list")))
    home = text(client.get("/"))

    assert SECRET not in listing and SECRET not in home
    assert "Annual meeting" in listing  # the published one


def test_healthz_answers_whatever_is_a_draft(client, drafts):
    response = client.get("/healthz")

    assert response.json()["database"] == "ok"


# --- a place held before staff unpublished: kept, unseen, back once republished --------------


@dataclass
class Holders:
    program: Program
    talk: object  # a person with a seat in the talk
    luncher: object  # a person with a table at the lunch
    mentor: object
    trainee: object  # matched with `mentor` in the published schedule


def holders() -> Holders:
    p = program()
    talk = UserFactory(name="Tala Kimura")
    registration_create(session=p.talk, user=talk)
    luncher = UserFactory(name="Lu Chen")
    rotation = p.lunch.lunch_rotations.get(number=1)
    table = p.lunch.lunch_tables.select_related("career_path").get(number=1)
    table_seat_take(session=p.lunch, rotation=rotation, table=table, user=luncher)
    offer = offer_for(p.slot)
    signup = signup_for(p.slot)
    schedule_draft(slot=p.slot)
    schedule_publish(slot=p.slot)
    return Holders(p, talk, luncher, offer.mentor, signup.trainee)


@pytest.fixture
def held(draft) -> Holders:
    h = holders()
    unpublish(h.program, draft)
    return h


def my_agenda(user) -> str:
    return text(logged_in(user).get(reverse("events:my_agenda")))


def feeds(user) -> list[bytes]:
    """The .ics download and the private subscription feed."""
    token = Profile.objects.get(user=user).calendar_token
    download = logged_in(user).get(reverse("events:my_agenda_ics"))
    feed = Client().get(reverse("events:calendar_feed", kwargs={"token": token}))
    assert download.status_code == feed.status_code == 200
    return [download.content, feed.content]


def summaries(ics: bytes) -> list[str]:
    return [str(item["summary"]) for item in Calendar.from_ical(ics).walk("VEVENT")]


@pytest.mark.parametrize("person", ["talk", "luncher", "mentor", "trainee"])
def test_my_agenda_hides_a_place_in_a_draft(held, draft, person):
    page = my_agenda(getattr(held, person))

    assert not shows_a_draft(page, draft)


@pytest.mark.parametrize("person", ["talk", "luncher", "mentor", "trainee"])
def test_calendar_download_and_feed_leave_a_draft_out(held, person):
    for ics in feeds(getattr(held, person)):
        assert SECRET.encode() not in ics
        assert summaries(ics) == []


def test_a_place_in_a_draft_is_kept_and_shows_again_once_republished(held):
    republish(held.program)

    assert f"{SECRET} talk" in my_agenda(held.talk)
    assert f"{SECRET} lunch" in my_agenda(held.luncher)
    assert summaries(feeds(held.trainee)[1]) == [f"{SECRET} speed mentoring"]
    assert Registration.objects.filter(status=Registration.Status.CONFIRMED).count() == 3


def test_cancel_post_for_a_draft_is_404_and_keeps_the_seat(held):
    response = logged_in(held.talk).post(url("session_cancel", held.program.talk))

    assert response.status_code == 404
    registration = Registration.objects.get(user=held.talk)
    assert registration.status == Registration.Status.CONFIRMED


def test_my_blood_buddies_schedule_in_a_draft_is_404(held):
    response = logged_in(held.trainee).get(slot_url("my_schedule", held.program.speed))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["conversation_detail", "conversation_stay", "connections"])
def test_conversations_and_connections_of_a_draft_are_hidden(held, name):
    meeting = Meeting.objects.get()
    Meeting.objects.filter(pk=meeting.pk).update(
        trainee_stays_in_touch=True, mentor_stays_in_touch=True
    )
    client = logged_in(held.trainee)

    if name == "connections":
        response = client.get(reverse("mentorship:connections"))
        assert response.status_code == 200
        assert held.mentor.email not in text(response)
    elif name == "conversation_stay":
        response = client.post(reverse(f"mentorship:{name}", args=[meeting.pk]), {"stay": "no"})
        assert response.status_code == 404
        assert Meeting.objects.get().trainee_stays_in_touch
    else:
        response = client.get(reverse(f"mentorship:{name}", args=[meeting.pk]))
        assert response.status_code == 404


def test_blood_buddies_index_lists_no_conversation_of_a_draft(held, draft):
    page = text(logged_in(held.trainee).get(reverse("mentorship:index")))

    assert not shows_a_draft(page, draft)


def test_a_seat_in_a_draft_is_no_clash_and_never_named(held, draft):
    """The talk's holder may take a published session at the same time: the draft does not
    exist for them, so it is neither a clash on the agenda card nor named in a message."""
    other = held.program.same_time_elsewhere(draft)
    client = logged_in(held.talk)

    agenda = text(client.get(other.event.get_absolute_url()))
    response = client.post(url("session_register", other), follow=True)

    assert not shows_a_draft(agenda, draft)
    assert SECRET not in " ".join(str(m) for m in response.context["messages"])
    registration = Registration.objects.get(user=held.talk, session=other)
    assert registration.status == Registration.Status.CONFIRMED


# --- email: nothing about a draft goes out ------------------------------------------------------


def subjects_about_secret(mailbox) -> list[str]:
    return [s for s in mailbox.subjects() if SECRET in s]


def test_a_pending_reminder_about_a_session_gone_to_draft_is_not_sent(mailbox, draft):
    p = program()
    person = UserFactory()
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=p.talk, user=person)
        notifications_dispatch_due()  # the confirmation, while it was published
    unpublish(p, draft)

    with time_machine.travel(START - HOUR + dt.timedelta(seconds=1), tick=False):
        notifications_dispatch_due()

    assert subjects_about_secret(mailbox) == [f"You're registered: {SECRET} talk"]
    reminder = Notification.objects.get(key__startswith="reminder:", key__endswith=":60")
    assert reminder.status == Notification.Status.PENDING and reminder.sent_at is None


def test_a_reminder_held_for_a_draft_goes_out_once_it_is_republished(mailbox, draft):
    p = program()
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=p.talk, user=UserFactory())
    unpublish(p, draft)
    with time_machine.travel(START - HOUR + dt.timedelta(seconds=1), tick=False):
        notifications_dispatch_due()
    republish(p)

    with time_machine.travel(START - dt.timedelta(minutes=20), tick=False):
        notifications_dispatch_due()
        notifications_dispatch_due()

    reminders = [s for s in mailbox.subjects() if s.startswith("Reminder")]
    assert reminders == [f"Reminder: {SECRET} talk — Fri, Dec 6, 10:00 EST"]


def test_a_confirmation_about_a_draft_that_ends_unpublished_is_cancelled(mailbox, draft):
    p = program()
    with time_machine.travel(BEFORE, tick=False):
        registration_create(session=p.talk, user=UserFactory())
        unpublish(p, draft)
        notifications_dispatch_due()
    with time_machine.travel(p.talk.ends_at + dt.timedelta(days=1), tick=False):
        notifications_dispatch_due()

    confirmation = Notification.objects.get(kind="registration_confirmed")
    assert (confirmation.status, confirmation.sent_at) == (Notification.Status.CANCELLED, None)
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()
    assert mailbox.count() == 0


def test_a_confirmation_queued_before_the_session_went_to_draft_is_not_sent(mailbox, draft):
    p = program()
    registration_create(session=p.talk, user=UserFactory())
    unpublish(p, draft)

    notifications_dispatch_due()

    assert mailbox.count() == 0
    confirmation = Notification.objects.get(kind="registration_confirmed")
    assert confirmation.sent_at is None


def test_a_row_held_for_a_draft_stays_pending_uses_no_attempt_and_is_due_again_later(
    mailbox, draft
):
    p = program()
    registration_create(session=p.talk, user=UserFactory())
    unpublish(p, draft)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        counts = notifications_dispatch_due()

    row = Notification.objects.get(kind="registration_confirmed")
    assert (row.status, row.attempts, row.due_at) == (
        Notification.Status.PENDING,
        0,
        now + dt.timedelta(minutes=10),
    )
    assert row.last_error.startswith("held: the session is not published")
    assert (counts["sent"], counts["retry"]) == (0, 1)


def test_lunch_and_blood_buddies_emails_wait_while_their_session_is_a_draft(mailbox, draft):
    p = program()
    lunch_join(session=p.lunch, user=UserFactory())
    offer_for(p.slot)
    signup_for(p.slot)
    schedule_draft(slot=p.slot)
    schedule_publish(slot=p.slot)
    unpublish(p, draft)

    with time_machine.travel(dt.timedelta(minutes=10)):  # the lunch email's short delay
        notifications_dispatch_due()

    assert mailbox.count() == 0
    assert Notification.objects.filter(sent_at__isnull=False).count() == 0


def test_staff_moving_a_draft_session_emails_nobody_while_it_is_a_draft(mailbox, draft):
    p = program()
    registration_create(session=p.talk, user=UserFactory())
    notifications_dispatch_due()  # the confirmation, while it was published
    unpublish(p, draft)

    session_update(session=p.talk, changes={"starts_at": START + HOUR, "ends_at": START + 2 * HOUR})
    with time_machine.travel(dt.timedelta(minutes=10)):  # past the change notice's delay
        notifications_dispatch_due()

    assert mailbox.subjects() == [f"You're registered: {SECRET} talk"]
    notice = Notification.objects.get(kind="session_changed")
    assert notice.status == Notification.Status.PENDING and notice.sent_at is None


def test_a_staff_announcement_about_a_draft_still_goes_out(mailbox, draft):
    """Written in admin, where drafts are visible: staff may tell people that a session they
    took back to draft is cancelled."""
    p = program()
    registration_create(session=p.talk, user=UserFactory())
    unpublish(p, draft)

    session_announce(
        session=p.talk,
        subject="This session is cancelled",
        body="We are sorry: the session will not take place.",
        statuses=["confirmed"],
    )
    notifications_dispatch_due()

    assert mailbox.subjects() == ["This session is cancelled"]


def test_staff_cannot_publish_a_blood_buddies_schedule_of_a_draft(draft):
    p = program()
    offer_for(p.slot)
    signup_for(p.slot)
    schedule_draft(slot=p.slot)
    unpublish(p, draft)
    staff = logged_in(UserFactory(is_staff=True, is_superuser=True))
    before = Notification.objects.count()

    response = staff.post(slot_url("review_publish", p.speed), follow=True)

    p.slot.refresh_from_db()
    assert p.slot.published_at is None
    assert Notification.objects.count() == before
    assert any("not published" in str(m) for m in response.context["messages"])


def test_staff_review_page_of_a_draft_says_it_is_not_published(draft):
    p = program()
    unpublish(p, draft)
    staff = logged_in(UserFactory(is_staff=True, is_superuser=True))

    page = text(staff.get(slot_url("review", p.speed)))

    assert "nobody outside admin sees it" in page


def test_staff_review_of_a_matched_draft_offers_no_publish_button(draft):
    p = program()
    offer_for(p.slot)
    signup_for(p.slot)
    schedule_draft(slot=p.slot)
    unpublish(p, draft)
    staff = logged_in(UserFactory(is_staff=True, is_superuser=True))

    page = text(staff.get(slot_url("review", p.speed)))

    assert slot_url("review_publish", p.speed) not in page
    assert "Run matching again" in page  # the staff tool itself still works
