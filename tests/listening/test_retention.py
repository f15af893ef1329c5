"""Account deletion and the retention purge leave no listening data behind (counted rows)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.services import user_delete
from listening.models import (
    BelongingGroup,
    GroupPlace,
    InterviewBooking,
    InterviewSlot,
    ListeningRequest,
    ReviewLogEntry,
)
from listening.services.retention import listening_data_purge
from listening.tasks import listening_data_purge_task
from tests.factories import (
    BelongingGroupFactory,
    EventFactory,
    GroupPlaceFactory,
    InterviewBookingFactory,
    InterviewSlotFactory,
    ListeningRequestFactory,
    ReviewLogEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "requests": ListeningRequest.objects.count(),
        "log": ReviewLogEntry.objects.count(),
        "bookings": InterviewBooking.objects.count(),
        "places": GroupPlace.objects.count(),
    }


def participate(event, person):
    request = ListeningRequestFactory(event=event, user=person, status="accepted")
    ReviewLogEntryFactory(request=request, actor=UserFactory())
    InterviewBookingFactory(slot=InterviewSlotFactory(event=event), user=person)
    GroupPlaceFactory(group=BelongingGroupFactory(event=event), user=person)


def test_account_deletion_removes_the_request_log_bookings_and_places(event):
    person, other = UserFactory(), UserFactory()
    participate(event, person)
    participate(event, other)

    user_delete(user=person)

    assert counts() == {"requests": 1, "log": 1, "bookings": 1, "places": 1}
    assert not ListeningRequest.objects.filter(user_id=person.pk).exists()


@override_settings(LISTENING_RETENTION_DAYS=30)
def test_purge_removes_the_data_of_events_past_retention_only():
    old = EventFactory(starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 3))
    recent = EventFactory(starts_on=dt.date(2030, 2, 1), ends_on=dt.date(2030, 2, 3))
    for event in (old, recent):
        participate(event, UserFactory())
        participate(event, UserFactory())

    dry = listening_data_purge(today=dt.date(2030, 2, 10), dry_run=True)
    assert (dry.requests, dry.bookings, dry.places) == (2, 2, 2)
    assert counts() == {"requests": 4, "log": 4, "bookings": 4, "places": 4}

    done = listening_data_purge(today=dt.date(2030, 2, 10))

    assert (done.events, done.requests, done.log_entries) == ([old.slug], 2, 2)
    assert counts() == {"requests": 2, "log": 2, "bookings": 2, "places": 2}
    assert not ListeningRequest.objects.filter(event=old).exists()
    # Slots and groups name only facilitators: they stay for the record.
    assert InterviewSlot.objects.filter(event=old).count() == 2
    assert BelongingGroup.objects.filter(event=old).count() == 2
    again = listening_data_purge(today=dt.date(2030, 2, 10))
    assert (again.requests, again.bookings, again.places) == (0, 0, 0)


def test_purge_command_dry_run_deletes_nothing_and_says_what_it_would(capsys):
    event = EventFactory(starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 3))
    participate(event, UserFactory())

    call_command("purge_listening_data", "--dry-run")
    assert counts()["requests"] == 1
    assert "Would delete 1 requests" in capsys.readouterr().out

    call_command("purge_listening_data")
    assert counts() == {"requests": 0, "log": 0, "bookings": 0, "places": 0}
    assert "Deleted 1 requests" in capsys.readouterr().out


def test_beat_runs_the_purge_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["listening-purge"]

    assert entry == {
        "task": "listening.tasks.listening_data_purge_task",
        "schedule": 86400.0,
    }


def test_the_purge_task_calls_the_service():
    event = EventFactory(starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 3))
    participate(event, UserFactory())

    assert listening_data_purge_task() == {"requests": 1, "bookings": 1, "places": 1}
    assert counts()["requests"] == 0
