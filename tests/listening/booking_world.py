"""Shared set-up of the booking tests: an event with interview slots and groups, an accepted
participant and the facilitators (not a conftest: the requests suite keeps its own)."""

import datetime as dt

from tests.factories import (
    NY,
    BelongingGroupFactory,
    EventFactory,
    InterviewSlotFactory,
    ListeningRequestFactory,
    UserFactory,
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 12, day, hour, minute, tzinfo=NY)


def listening_event():
    return EventFactory(slug="listen-2030", name="ASH 2030 Listening")


def accepted(event, *, formats=("interview",), user=None, time_zone="America/New_York", **kw):
    request = ListeningRequestFactory(
        event=event,
        user=user or UserFactory(),
        status="accepted",
        formats=list(formats),
        time_zone=time_zone,
        **kw,
    )
    return request.user


def slots(
    event, facilitator=None, *, count=3, day=6, hour=9, minutes=20, url="https://meet.example/i"
):
    facilitator = facilitator or UserFactory(name="Dr. Fay Facilitator")
    return [
        InterviewSlotFactory(
            event=event,
            facilitator=facilitator,
            starts_at=at(day, hour) + dt.timedelta(minutes=minutes * n),
            minutes=minutes,
            meeting_url=f"{url}/{n}",
        )
        for n in range(count)
    ]


def group(event, *, leader=None, facilitator=None, **kw):
    made = BelongingGroupFactory(event=event, **kw)
    made.facilitators.add(leader or UserFactory(name="Vic Volunteer"))
    made.facilitators.add(facilitator or UserFactory(name="Dr. Fay Facilitator"))
    return made
