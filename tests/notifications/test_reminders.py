"""Reminders before each item of a person's agenda, "changed" notices when staff move a session,
and what those emails carry. Time is the edge: `time_machine` sets "now"."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from icalendar import Calendar

from events.models import Registration
from events.services import (
    registration_cancel,
    registration_create,
    registration_switch,
    session_update,
)
from events.services.notices import (
    CHANGE_NOTICE_DELAY,
    REASON_CHANGE_REVERTED,
    REASON_MOVED_PAST,
    REASON_REGISTRATION_CANCELLED,
)
from notifications.models import Notification
from notifications.services import REASON_EXPIRED, notifications_dispatch_due, unsubscribe_url
from tests.factories import RoomFactory, UserFactory
from tests.smtp import header

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
Status = Notification.Status
# The Sunday US daylight saving time ends: 24 hours before 10:00 EST is 11:00 EDT the day before.
DST_END_10AM = dt.datetime(2030, 11, 3, 10, 0, tzinfo=NY)
START = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)
HOUR = dt.timedelta(hours=1)


def reminders(user=None) -> list[Notification]:
    rows = Notification.objects.filter(kind="session_reminder").order_by("due_at")
    return list(rows.filter(user=user) if user else rows)


def register(session, user=None, *, at=None):
    user = user or UserFactory()
    with time_machine.travel(at or START - dt.timedelta(days=30), tick=False):
        registration_create(session=session, user=user)
    return user


def test_confirmed_registration_queues_a_reminder_per_offset_24h_and_1h_before(make_session):
    session = make_session(starts_at=DST_END_10AM)

    person = register(session, at=DST_END_10AM - dt.timedelta(days=10))

    rows = reminders(person)
    start = DST_END_10AM.astimezone(dt.UTC)  # aware arithmetic in NY time would be wall-clock
    assert [(r.key.split(":")[-1], r.due_at) for r in rows] == [
        ("1440", start - dt.timedelta(hours=24)),
        ("60", start - dt.timedelta(hours=1)),
    ]
    assert rows[0].due_at.astimezone(NY).hour == 11  # the day before, still on EDT
    assert [r.key for r in rows] == [
        f"reminder:{Registration.objects.get(user=person).pk}:{offset}" for offset in (1440, 60)
    ]
    assert {r.status for r in rows} == {Status.PENDING}
    assert {r.category for r in rows} == {Notification.Category.REMINDER}
    assert rows[0].context["when"] == "Sunday, November 3, 2030, 10:00–10:45 (America/New_York)"


def test_reminders_follow_the_events_offsets(make_session):
    session = make_session(starts_at=START, offsets=[2880, 30])

    person = register(session)

    assert [r.due_at for r in reminders(person)] == [
        START - dt.timedelta(days=2),
        START - dt.timedelta(minutes=30),
    ]


@pytest.mark.parametrize(
    ("registered_before_start", "offsets_left"),
    [(dt.timedelta(hours=2), ["60"]), (dt.timedelta(minutes=30), [])],
    ids=["2h-before-only-1h-reminder", "30min-before-no-reminder"],
)
def test_reminder_whose_moment_passed_before_registering_is_never_queued(
    make_session, registered_before_start, offsets_left
):
    session = make_session(starts_at=START)

    person = register(session, at=START - registered_before_start)

    assert [r.key.split(":")[-1] for r in reminders(person)] == offsets_left


def test_waitlisted_person_gets_reminders_only_once_promoted(make_session):
    session = make_session(starts_at=START, capacity=1)
    holder = register(session)
    waiting = register(session)
    assert reminders(waiting) == []

    with time_machine.travel(START - dt.timedelta(days=20), tick=False):
        registration_cancel(session=session, user=holder)

    assert [r.status for r in reminders(holder)] == [Status.CANCELLED] * 2
    assert {r.last_error for r in reminders(holder)} == {REASON_REGISTRATION_CANCELLED}
    assert [r.status for r in reminders(waiting)] == [Status.PENDING] * 2


def test_switching_sessions_moves_the_reminders_with_the_seat(make_session):
    old = make_session(starts_at=START)
    new = make_session(starts_at=START + dt.timedelta(hours=3))
    person = register(old)

    with time_machine.travel(START - dt.timedelta(days=20), tick=False):
        registration_switch(session=new, replace=old, user=person)

    rows = reminders(person)
    pending = [r.due_at for r in rows if r.status == Status.PENDING]
    assert pending == [new.starts_at - dt.timedelta(hours=24), new.starts_at - HOUR]
    assert len([r for r in rows if r.status == Status.CANCELLED]) == 2


def test_due_reminder_for_a_started_session_is_cancelled_not_sent_late(make_session, mailbox):
    session = make_session(starts_at=START)
    register(session)

    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        counts = notifications_dispatch_due()

    assert counts["cancelled"] == 2
    assert counts["sent"] == 1  # the confirmation
    assert {(r.status, r.last_error) for r in reminders()} == {(Status.CANCELLED, REASON_EXPIRED)}
    assert mailbox.subjects() == [f"You're registered: {session.title}"]


def test_24h_reminder_held_up_until_the_1h_mark_is_dropped_not_sent_with_the_1h_one(
    make_session, mailbox
):
    session = make_session(starts_at=START)
    register(session)

    with time_machine.travel(START - dt.timedelta(minutes=59), tick=False):
        notifications_dispatch_due()

    day_before, hour_before = reminders()
    assert (day_before.status, hour_before.status) == (Status.CANCELLED, Status.SENT)
    assert [s for s in mailbox.subjects() if s.startswith("Reminder")] == [
        f"Reminder: {session.title} — Fri, Dec 6, 10:00 EST"
    ]


def test_reminder_is_sent_once_at_its_time_with_headers_name_zone_room_and_links(
    make_session, mailbox
):
    session = make_session(starts_at=START)
    person = register(session, UserFactory(name="Ada Okafor"))

    with time_machine.travel(START - HOUR - dt.timedelta(seconds=1), tick=False):
        notifications_dispatch_due()
        early = [s for s in mailbox.subjects() if s.startswith("Reminder")]
    with time_machine.travel(START - HOUR, tick=False):
        notifications_dispatch_due()
        notifications_dispatch_due()

    assert early == [f"Reminder: {session.title} — Fri, Dec 6, 10:00 EST"]  # the 24h one
    reminder_mails = [
        m for m in mailbox.messages if header(m["message"], "Subject").startswith("Reminder")
    ]
    assert len(reminder_mails) == 2
    message = reminder_mails[1]["message"]
    assert header(message, "List-Unsubscribe") == f"<{unsubscribe_url(user=person)}>"
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "Ada Okafor" in part
        assert "Friday, December 6, 2030, 10:00–10:45 (America/New_York)" in part
        assert "W224" in part
        assert session.get_absolute_url() in part
        assert "/me/agenda/" in part
        assert "/notifications/unsubscribe/" in part
    assert "starts in 1 hour." in text


def test_confirmation_has_no_unsubscribe_and_carries_an_ics_that_parses(make_session, mailbox):
    session = make_session(starts_at=START)
    register(session, at=START - dt.timedelta(days=30))

    with time_machine.travel(START - dt.timedelta(days=30), tick=False):
        notifications_dispatch_due()

    (delivered,) = mailbox.messages
    message = delivered["message"]
    assert message["List-Unsubscribe"] is None
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"session-{session.pk}.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert str(event.decoded("dtstart").tzinfo) == "America/New_York"
    assert str(event["summary"]) == session.title
    assert str(event["location"]) == "W224"


# --- staff move a session --------------------------------------------------------------------


def move(session, *, by: dt.timedelta, at: dt.datetime):
    with time_machine.travel(at, tick=False):
        return session_update(
            session=session,
            changes={"starts_at": session.starts_at + by, "ends_at": session.ends_at + by},
        )


def test_moving_a_session_re_times_its_pending_reminders(make_session):
    session = make_session(starts_at=START)
    person = register(session)

    moved = move(session, by=HOUR, at=START - dt.timedelta(days=5))

    rows = reminders(person)
    assert [r.due_at for r in rows] == [
        moved.starts_at - dt.timedelta(hours=24),
        moved.starts_at - HOUR,
    ]
    assert [r.expires_at for r in rows] == [moved.starts_at - HOUR, moved.starts_at]
    assert rows[0].context["when"] == "Friday, December 6, 2030, 11:00–11:45 (America/New_York)"


def test_moving_a_session_so_a_reminder_moment_passed_cancels_it_and_moving_back_revives_it(
    make_session,
):
    session = make_session(starts_at=START)
    person = register(session)
    now = START - dt.timedelta(hours=20)  # the 24h reminder went out already? no: not dispatched

    earlier = move(session, by=-dt.timedelta(hours=2), at=now)  # the 1h mark is still ahead
    after_move = [(r.key.split(":")[-1], r.status, r.last_error) for r in reminders(person)]
    move(earlier, by=dt.timedelta(days=1), at=now + dt.timedelta(minutes=1))

    assert after_move == [("1440", Status.CANCELLED, REASON_MOVED_PAST), ("60", Status.PENDING, "")]
    assert [(r.status, r.due_at) for r in reminders(person)] == [
        (Status.PENDING, START + dt.timedelta(hours=22) - dt.timedelta(hours=24)),
        (Status.PENDING, START + dt.timedelta(hours=22) - HOUR),
    ]


def test_sent_reminder_is_history_and_a_move_leaves_it_alone(make_session, mailbox):
    session = make_session(starts_at=START)
    person = register(session)
    with time_machine.travel(START - dt.timedelta(hours=23), tick=False):
        notifications_dispatch_due()

    move(session, by=dt.timedelta(hours=2), at=START - dt.timedelta(hours=22))

    day_before, hour_before = reminders(person)
    assert day_before.status == Status.SENT
    assert day_before.due_at == START - dt.timedelta(hours=24)
    assert (hour_before.status, hour_before.due_at) == (Status.PENDING, START + HOUR)


def changed_rows(user=None):
    rows = Notification.objects.filter(kind="session_changed").order_by("pk")
    return list(rows.filter(user=user) if user else rows)


def test_quick_staff_edits_make_one_changed_notice_per_person(make_session, mailbox):
    session = make_session(starts_at=START, capacity=2)
    seated = [register(session), register(session)]
    waiting = register(session)
    t0 = START - dt.timedelta(days=3)
    other_room = RoomFactory(event=session.event, name="Hall B")

    moved = move(session, by=HOUR, at=t0)
    with time_machine.travel(t0 + dt.timedelta(minutes=2), tick=False):
        session_update(session=moved, changes={"room": other_room})

    rows = changed_rows()
    assert sorted(r.user_id for r in rows) == sorted(u.pk for u in [*seated, waiting])
    assert {r.due_at for r in rows} == {t0 + CHANGE_NOTICE_DELAY}
    context = rows[0].context
    assert context["previous_when"] == "Friday, December 6, 2030, 10:00–10:45 (America/New_York)"
    assert context["previous_room"] == "W224"
    assert context["when"] == "Friday, December 6, 2030, 11:00–11:45 (America/New_York)"
    assert context["room"] == "Hall B"

    with time_machine.travel(t0 + dt.timedelta(minutes=4), tick=False):
        assert notifications_dispatch_due()["sent"] == 3  # confirmations and waitlist news only
    with time_machine.travel(t0 + CHANGE_NOTICE_DELAY, tick=False):
        assert notifications_dispatch_due()["sent"] == 3

    notices = [m for m in mailbox.messages if header(m["message"], "Subject").startswith("Changed")]
    assert len(notices) == 3
    assert {header(m["message"], "Subject") for m in notices} == {
        f"Changed: {session.title} — now Fri, Dec 6, 11:00 EST"
    }
    with_calendar = {m["to"][0]: len(list(m["message"].iter_attachments())) for m in notices}
    assert with_calendar == {seated[0].email: 1, seated[1].email: 1, waiting.email: 0}
    body = notices[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "Hall B" in body and "W224" in body


def test_an_edit_after_the_notice_went_out_makes_a_new_notice(make_session, mailbox):
    session = make_session(starts_at=START)
    person = register(session)
    t0 = START - dt.timedelta(days=3)
    moved = move(session, by=HOUR, at=t0)
    with time_machine.travel(t0 + CHANGE_NOTICE_DELAY, tick=False):
        notifications_dispatch_due()

    move(moved, by=HOUR, at=t0 + dt.timedelta(minutes=30))

    first, second = changed_rows(person)
    assert (first.status, second.status) == (Status.SENT, Status.PENDING)
    assert second.context["previous_when"] == first.context["when"]


def test_a_move_undone_before_the_notice_went_out_sends_no_notice(make_session, mailbox):
    session = make_session(starts_at=START)
    person = register(session)
    t0 = START - dt.timedelta(days=3)

    moved = move(session, by=HOUR, at=t0)
    move(moved, by=-HOUR, at=t0 + dt.timedelta(minutes=1))

    (row,) = changed_rows(person)
    assert (row.status, row.last_error) == (Status.CANCELLED, REASON_CHANGE_REVERTED)


def test_an_edit_that_does_not_move_the_session_sends_no_notice(make_session):
    session = make_session(starts_at=START)
    register(session)

    with time_machine.travel(START - dt.timedelta(days=3), tick=False):
        session_update(session=session, changes={"capacity": 40, "description": "More seats."})

    assert changed_rows() == []
