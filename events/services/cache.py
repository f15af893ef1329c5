"""The anonymous agenda is cached per event; any change to its sessions or seats bumps a
version number so the next request renders afresh (after commit, so no stale page is cached
from a transaction that rolls back)."""

from django.core.cache import cache
from django.db import transaction


def agenda_cache_version_key(event_id: int) -> str:
    return f"agenda-version:{event_id}"


def agenda_cache_bump(event_id: int) -> None:
    def bump() -> None:
        key = agenda_cache_version_key(event_id)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)

    transaction.on_commit(bump, robust=True)
