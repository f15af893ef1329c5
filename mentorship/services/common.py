"""Locking shared by the Blood Buddies services.

The events app's discipline: session rows first, then user rows. A slot's writes lock its
session row, then the slot row, then (through the events services) a user row; so sign-ups,
matching, publishing and repairs of one slot never interleave. On SQLite every write
transaction is IMMEDIATE, which serialises everything.
"""

from django.db import connection

from events.models import Session

from ..models import SpeedMentoringSlot


def lock_slot(slot: SpeedMentoringSlot) -> SpeedMentoringSlot:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Under extreme load a request gives up ("busy, try again", HTTP 503) rather than hang.
            cursor.execute("SET LOCAL lock_timeout = '5s'")
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the room join.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("event", "room")
        .get(pk=slot.session_id)
    )
    locked = SpeedMentoringSlot.objects.select_for_update().get(pk=slot.pk)
    locked.session = session
    return locked
