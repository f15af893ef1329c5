"""Registration rules: exact capacity, arrival-order waitlists that promote themselves, no
clashes, who may register when; every change and its email in one transaction."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CareerStage, Profile
from accounts.services import user_delete
from events.models import Registration, Session
from events.selectors import registrations_for_user, roster_for_session
from events.services import (
    ClashError,
    notices,
    registration_cancel,
    registration_create,
    registration_switch,
    session_update,
)
from notifications.models import Notification
from tests.factories import NY, SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Status = Registration.Status
AT_10 = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return AT_10.replace(hour=hour, minute=minute)


def status_of(session: Session, user) -> str | None:
    registration = (
        Registration.objects.filter(session=session, user=user)
        .exclude(status=Status.CANCELLED)
        .first()
    )
    return registration.status if registration else None


REGISTRATION_NOTICES = ["registration_confirmed", "registration_waitlisted", "waitlist_promoted"]


def notices_for(user) -> list[str]:
    """The registration emails queued for the person (reminders and others left out)."""
    return sorted(
        Notification.objects.filter(user=user, kind__in=REGISTRATION_NOTICES).values_list(
            "kind", flat=True
        )
    )


def waitlist(session: Session) -> list[tuple[str, int]]:
    return [
        (r.user.email, r.position)
        for r in roster_for_session(session=session)
        if r.status == Status.WAITLISTED
    ]


@pytest.fixture
def full_session(event):
    """One seat, taken by `holder`; two people waiting (`first`, then `second`)."""
    session = SessionFactory(event=event, capacity=1)
    session.holder, session.first, session.second = UserFactory.create_batch(3)
    for user in (session.holder, session.first, session.second):
        registration_create(session=session, user=user)
    return session


def test_registration_create_confirms_while_seats_remain_and_queues_confirmation(event):
    session = SessionFactory(event=event, capacity=2)
    people = UserFactory.create_batch(2)

    registrations = [registration_create(session=session, user=user) for user in people]

    assert [r.status for r in registrations] == [Status.CONFIRMED, Status.CONFIRMED]
    assert all(r.confirmed_at is not None for r in registrations)
    assert [notices_for(user) for user in people] == [["registration_confirmed"]] * 2


def test_registration_create_when_full_waitlists_in_arrival_order(event):
    session = SessionFactory(event=event, capacity=1)
    people = UserFactory.create_batch(4)

    statuses = [registration_create(session=session, user=user).status for user in people]

    assert statuses == [Status.CONFIRMED] + [Status.WAITLISTED] * 3
    assert waitlist(session) == [(people[1].email, 1), (people[2].email, 2), (people[3].email, 3)]
    assert notices_for(people[3]) == ["registration_waitlisted"]


def test_registration_cancel_of_a_seat_promotes_first_waitlisted_and_queues_their_email(
    full_session,
):
    registration_cancel(session=full_session, user=full_session.holder)

    assert status_of(full_session, full_session.holder) is None
    assert status_of(full_session, full_session.first) == Status.CONFIRMED
    assert status_of(full_session, full_session.second) == Status.WAITLISTED
    assert waitlist(full_session) == [(full_session.second.email, 1)]
    promoted = Notification.objects.get(user=full_session.first, kind="waitlist_promoted")
    assert promoted.context["session_id"] == full_session.pk
    assert not Notification.objects.filter(
        user=full_session.second, kind="waitlist_promoted"
    ).exists()


def test_registration_cancel_and_its_promotion_roll_back_together(full_session):
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_cancel(session=full_session, user=full_session.holder)
        raise RuntimeError("the request failed after the service returned")

    assert status_of(full_session, full_session.holder) == Status.CONFIRMED
    assert status_of(full_session, full_session.first) == Status.WAITLISTED
    assert not Notification.objects.filter(kind="waitlist_promoted").exists()


def test_leaving_the_waitlist_promotes_nobody(full_session):
    registration_cancel(session=full_session, user=full_session.first)

    assert status_of(full_session, full_session.holder) == Status.CONFIRMED
    assert status_of(full_session, full_session.first) is None
    assert status_of(full_session, full_session.second) == Status.WAITLISTED
    assert waitlist(full_session) == [(full_session.second.email, 1)]
    assert not Notification.objects.filter(kind="waitlist_promoted").exists()


def test_promotion_skips_a_person_whose_seat_would_clash_and_keeps_their_place(event, full_session):
    overlapping = SessionFactory(event=event, starts_at=at(10, 15))
    registration_create(session=overlapping, user=full_session.first)

    registration_cancel(session=full_session, user=full_session.holder)

    assert status_of(full_session, full_session.first) == Status.WAITLISTED
    assert status_of(full_session, full_session.second) == Status.CONFIRMED
    assert waitlist(full_session) == [(full_session.first.email, 1)]
    assert notices_for(full_session.first) == [
        "registration_confirmed",
        "registration_waitlisted",
    ]


def test_giving_up_the_clashing_seat_promotes_the_skipped_person_at_once(event, full_session):
    other = SessionFactory(event=event, starts_at=at(10, 15))
    skipped = full_session.first
    registration_create(session=other, user=skipped)
    registration_cancel(session=full_session, user=full_session.second)  # nobody else waits
    registration_cancel(session=full_session, user=full_session.holder)  # seat free, skipped
    assert status_of(full_session, skipped) == Status.WAITLISTED

    registration_cancel(session=other, user=skipped)

    assert status_of(full_session, skipped) == Status.CONFIRMED
    assert Notification.objects.filter(user=skipped, kind="waitlist_promoted").exists()


def test_session_update_raising_capacity_promotes_from_the_waitlist(full_session):
    session_update(session=full_session, changes={"capacity": 3})

    assert status_of(full_session, full_session.first) == Status.CONFIRMED
    assert status_of(full_session, full_session.second) == Status.CONFIRMED
    assert Notification.objects.filter(kind="waitlist_promoted").count() == 2


def test_registration_create_for_an_overlapping_session_raises_clash_naming_it(event):
    person = UserFactory()
    first = SessionFactory(event=event, title="Writing your first grant")
    overlapping = SessionFactory(event=event, starts_at=at(10, 15))
    registration_create(session=first, user=person)

    with pytest.raises(ClashError) as caught:
        registration_create(session=overlapping, user=person)

    assert caught.value.code == "clash"
    assert caught.value.clashing == first
    assert "Writing your first grant" in caught.value.messages[0]
    assert status_of(overlapping, person) is None


def test_back_to_back_sessions_do_not_clash(event):
    person = UserFactory()
    morning = SessionFactory(event=event, starts_at=at(10, 0), ends_at=at(10, 30))
    next_one = SessionFactory(event=event, starts_at=at(10, 30), ends_at=at(11, 0))
    registration_create(session=morning, user=person)

    registration = registration_create(session=next_one, user=person)

    assert registration.status == Status.CONFIRMED


def test_joining_a_waitlist_that_clashes_is_allowed(event, full_session):
    person = UserFactory()
    other = SessionFactory(event=event, starts_at=at(10, 15))
    registration_create(session=other, user=person)

    registration = registration_create(session=full_session, user=person)

    assert registration.status == Status.WAITLISTED
    assert status_of(other, person) == Status.CONFIRMED


def test_registration_switch_gives_up_old_seat_takes_new_one_and_promotes_old_waitlist(
    event, full_session
):
    target = SessionFactory(event=event, starts_at=at(10, 15), capacity=1)
    holder = full_session.holder

    registration = registration_switch(session=target, replace=full_session, user=holder)

    assert registration.session == target
    assert registration.status == Status.CONFIRMED
    assert status_of(full_session, holder) is None
    assert status_of(full_session, full_session.first) == Status.CONFIRMED
    assert Notification.objects.filter(user=full_session.first, kind="waitlist_promoted").exists()


def test_registration_switch_to_a_full_session_changes_nothing(event, full_session):
    target = SessionFactory(event=event, starts_at=at(10, 15), capacity=1)
    registration_create(session=target, user=UserFactory())
    registrations_before = set(Registration.objects.values_list("pk", "status"))
    notifications_before = Notification.objects.count()

    with pytest.raises(ValidationError) as caught:
        registration_switch(session=target, replace=full_session, user=full_session.holder)

    assert caught.value.code == "full"
    assert set(Registration.objects.values_list("pk", "status")) == registrations_before
    assert Notification.objects.count() == notifications_before


def _unverified(session):
    return UserFactory(verified=False)


def _resident(session):
    session.audience = [CareerStage.FELLOW]
    session.save()
    user = UserFactory()
    Profile.objects.filter(user=user).update(career_stage=CareerStage.RESIDENT)
    return user


def _not_open_yet(session):
    session.registration_opens_at = timezone.now() + dt.timedelta(days=1)
    session.save()
    return UserFactory()


def _event_window_closed(session):
    event = session.event
    event.registration_opens_at = timezone.now() - dt.timedelta(days=10)
    event.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    event.save()
    return UserFactory()


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        (_unverified, "unverified"),
        (_resident, "audience"),
        (_not_open_yet, "window"),
        (_event_window_closed, "window"),
    ],
    ids=["unverified-email", "wrong-audience", "window-not-open", "window-closed"],
)
def test_registration_create_refused_writes_nothing(event, arrange, code):
    session = SessionFactory(event=event)
    user = arrange(session)

    with pytest.raises(ValidationError) as caught:
        registration_create(session=session, user=user)

    assert caught.value.code == code
    assert not Registration.objects.exists()
    assert not Notification.objects.exists()


def test_registration_window_closes_at_the_exact_closing_time(event):
    closes = dt.datetime(2030, 11, 1, 12, 0, tzinfo=dt.UTC)
    session = SessionFactory(event=event, registration_closes_at=closes)
    early, late = UserFactory.create_batch(2)

    with time_machine.travel(closes - dt.timedelta(seconds=1), tick=False):
        registration_create(session=session, user=early)
    with time_machine.travel(closes, tick=False), pytest.raises(ValidationError) as caught:
        registration_create(session=session, user=late)

    assert caught.value.code == "window"
    assert "Registration closed on November 1, 2030 at 08:00" in caught.value.messages[0]
    assert status_of(session, early) == Status.CONFIRMED
    assert status_of(session, late) is None


@pytest.mark.parametrize("capacity", [1, 2], ids=["then-waitlisted", "then-confirmed"])
def test_registering_twice_says_already_registered(event, capacity):
    session = SessionFactory(event=event, capacity=capacity)
    registration_create(session=session, user=UserFactory())
    person = UserFactory()
    registration_create(session=session, user=person)

    with pytest.raises(ValidationError) as caught:
        registration_create(session=session, user=person)

    assert caught.value.code == "already_registered"
    assert Registration.objects.filter(session=session, user=person).count() == 1


def test_database_allows_one_active_registration_per_person_and_session(event):
    session = SessionFactory(event=event)
    person = UserFactory()
    Registration.objects.create(session=session, user=person, status=Status.CANCELLED)
    Registration.objects.create(session=session, user=person, status=Status.CONFIRMED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(session=session, user=person, status=Status.WAITLISTED)


@pytest.mark.parametrize("capacity", [None, 1])
def test_drop_in_session_always_confirms(event, capacity):
    session = SessionFactory(
        event=event,
        kind=Session.Kind.RECEPTION,
        registration_mode=Session.Mode.DROP_IN,
        capacity=capacity,
    )

    statuses = {
        registration_create(session=session, user=u).status for u in UserFactory.create_batch(3)
    }

    assert statuses == {Status.CONFIRMED}


def test_deleting_an_account_frees_its_seat_for_the_waitlist(full_session):
    holder_pk = full_session.holder.pk

    user_delete(user=full_session.holder)

    assert not Registration.objects.filter(user_id=holder_pk).exists()
    assert status_of(full_session, full_session.first) == Status.CONFIRMED
    assert Notification.objects.filter(user=full_session.first, kind="waitlist_promoted").exists()


def test_rolled_back_registration_leaves_no_outbox_row_and_schedules_no_delivery(
    event, django_capture_on_commit_callbacks, scheduled_deliveries
):
    session = SessionFactory(event=event)
    person = UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        registration_create(session=session, user=person)
        raise RuntimeError("the request failed after the service returned")

    assert not Registration.objects.exists()
    assert not Notification.objects.exists()
    assert callbacks == []
    assert scheduled_deliveries == []


def test_committed_registration_schedules_its_email_once(
    event, django_capture_on_commit_callbacks, scheduled_deliveries
):
    session = SessionFactory(event=event)

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, user=UserFactory())

    assert scheduled_deliveries == [Notification.objects.get(kind="registration_confirmed").pk]


def test_outbox_key_prevents_a_second_row_for_the_same_notice(full_session):
    registration_cancel(session=full_session, user=full_session.holder)
    promoted = Registration.objects.get(session=full_session, user=full_session.first)

    notices.waitlist_promoted(promoted)

    assert (
        Notification.objects.filter(user=full_session.first, kind="waitlist_promoted").count() == 1
    )


def test_waitlist_position_seen_by_the_person_matches_the_roster(full_session):
    mine = registrations_for_user(user=full_session.second, event=full_session.event)

    assert [(r.session_id, r.status, r.position) for r in mine] == [
        (full_session.pk, Status.WAITLISTED, 2)
    ]
