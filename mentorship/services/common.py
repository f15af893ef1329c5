"""Locking shared by the Blood Buddies services.

The events discipline (`events/services/locking.py`): session rows first, then user rows. A
slot's writes lock its session row, then the slot row, then (through the events services) a
user row; so sign-ups, matching, publishing and repairs of one slot never interleave.
"""

from events.services.locking import sessions_lock

from ..models import SpeedMentoringSlot


def lock_slot(slot: SpeedMentoringSlot) -> SpeedMentoringSlot:
    (session,) = sessions_lock(slot.session_id)
    locked = SpeedMentoringSlot.objects.select_for_update().get(pk=slot.pk)
    locked.session = session
    return locked
