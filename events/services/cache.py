"""The agenda's shared cache is keyed by a per-event version; every committed change to the
event's sessions or seats bumps it, so the next request renders afresh (after commit: no page
is cached from a transaction that rolls back).

A version never repeats, even if the cache loses the key (eviction, a Redis restart): a
missing version restarts from the current time in microseconds, far above any count reached
by increments, so a process-local copy of an old page can never match a new key.
"""

import time

from django.core.cache import cache
from django.db import transaction


def agenda_cache_version_key(event_id: int) -> str:
    return f"agenda-version:{event_id}"


def _fresh_version() -> int:
    return time.time_ns() // 1000


def agenda_cache_version(event_id: int) -> int:
    key = agenda_cache_version_key(event_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)
        version = cache.get(key)
    return version


def agenda_cache_bump(event_id: int) -> None:
    def bump() -> None:
        key = agenda_cache_version_key(event_id)
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, _fresh_version(), timeout=None)

    transaction.on_commit(bump, robust=True)
