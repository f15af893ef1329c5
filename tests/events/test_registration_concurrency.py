"""Exact capacity under real concurrency: threads behind a barrier, each with its own
PostgreSQL connection, against the row locks of the registration services."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from events.models import Registration
from events.selectors import registrations_for_user, roster_for_session
from events.services import ClashError, registration_cancel, registration_create
from notifications.models import Notification
from tests.concurrency import run_at_once
from tests.factories import EventFactory, SessionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("scheduled_deliveries"),
]

Status = Registration.Status


def test_concurrent_registrations_fill_exactly_the_capacity_then_waitlist_without_gaps(postgres):
    session = SessionFactory(capacity=5)
    people = UserFactory.create_batch(40)

    results = run_at_once(
        [lambda u=u: registration_create(session=session, user=u) for u in people]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(r.status for r in results) == {Status.CONFIRMED: 5, Status.WAITLISTED: 35}
    roster = roster_for_session(session=session)
    confirmed = [r for r in roster if r.status == Status.CONFIRMED]
    waiting = [r for r in roster if r.status == Status.WAITLISTED]
    assert len(confirmed) == 5
    assert [r.position for r in waiting] == list(range(1, 36))
    # Seats went to the first arrivals: nobody waiting arrived before someone seated.
    assert max(r.created_at for r in confirmed) <= min(r.created_at for r in waiting)
    # Each person is shown the same place the roster gives them.
    seen = {
        r.user_id: registrations_for_user(user=r.user, event=session.event)[0].position
        for r in waiting
    }
    assert seen == {r.user_id: r.position for r in waiting}


def test_double_submit_from_two_threads_leaves_one_active_registration(postgres):
    session = SessionFactory(capacity=5)
    person = UserFactory()

    results = run_at_once([lambda: registration_create(session=session, user=person)] * 2)

    assert Registration.objects.filter(session=session, user=person).count() == 1
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [e.code for e in refused] == ["already_registered"]


def test_concurrent_cancellations_promote_exactly_as_many_from_the_waitlist(postgres):
    session = SessionFactory(capacity=10)
    seated = UserFactory.create_batch(10)
    waiting = UserFactory.create_batch(20)
    for user in seated + waiting:
        registration_create(session=session, user=user)

    results = run_at_once(
        [lambda u=u: registration_cancel(session=session, user=u) for u in seated]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    active = Registration.objects.filter(session=session).exclude(status=Status.CANCELLED)
    confirmed_ids = set(active.filter(status=Status.CONFIRMED).values_list("user_id", flat=True))
    assert confirmed_ids == {u.pk for u in waiting[:10]}
    assert Notification.objects.filter(kind="waitlist_promoted").count() == 10
    still_waiting = [r for r in roster_for_session(session=session) if r.position]
    assert [(r.user_id, r.position) for r in still_waiting] == [
        (u.pk, i) for i, u in enumerate(waiting[10:], start=1)
    ]


def test_one_person_racing_for_two_overlapping_sessions_gets_at_most_one_seat(postgres):
    event = EventFactory()
    first = SessionFactory(event=event)
    overlapping = SessionFactory(event=event, starts_at=first.starts_at + dt.timedelta(minutes=15))
    person = UserFactory()

    results = run_at_once(
        [lambda s=s: registration_create(session=s, user=person) for s in (first, overlapping)]
    )

    assert Registration.objects.filter(user=person, status=Status.CONFIRMED).count() == 1
    assert sorted(type(r).__name__ for r in results) == ["ClashError", "Registration"]
    (clash,) = [r for r in results if isinstance(r, ClashError)]
    assert clash.clashing.pk in {first.pk, overlapping.pk}
