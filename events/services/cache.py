"""The agenda's shared cache is keyed by a per-event version; every committed change to the
event's sessions or seats bumps it, so the next request renders afresh (after commit: no page
is cached from a transaction that rolls back). Parts that are the same for everyone (the
sessions, the days, the card heads) and whole anonymous pages are kept under that version.

A version never repeats, even if the cache loses the key (eviction, a Redis restart): a
missing version restarts from the current time in microseconds, far above any count reached
by increments, so a process-local copy of an old page can never match a new key.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

ANONYMOUS_AGENDA_TTL = 300


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


def agenda_cached(event_id: int, version: int, name: str, build: Callable[[], Any]) -> Any:
    """Shared, per-event cache of what is the same for everyone; every committed change to
    the event's sessions or seats bumps `version`, so nothing stale is ever read."""
    key = f"agenda:{event_id}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ANONYMOUS_AGENDA_TTL)
    return value


def agenda_cached_parts(
    event_id: int, version: int, name: str, ids: list[int], build: Callable[[int], str]
) -> dict[int, str]:
    """Like `agenda_cached` for a dict of parts by id (the card heads): the missing ones are
    built and added."""
    key = f"agenda:{event_id}:{version}:{name}"
    parts = cache.get(key) or {}
    missing = [pk for pk in ids if pk not in parts]
    for pk in missing:
        parts[pk] = build(pk)
    if missing:
        cache.set(key, parts, ANONYMOUS_AGENDA_TTL)
    return parts


# slug -> event id, learnt by this process: a cached anonymous agenda is then served without
# touching the database. Staff edits of an event or its rooms bump its version, so a slug
# that stops pointing at a published event misses the page cache and gets its 404.
_event_ids: dict[str, int] = {}
# event id -> (time zone, first day, last day): whether its page shows a "now" marker.
_event_dates: dict[int, tuple] = {}

# While an event runs its page shows a "now" marker and opens on today's tab: a cached page
# is then also keyed on the clock in steps of this many seconds, so it is never staler.
NOW_MARKER_STEP = 300


def agenda_event_id(slug: str) -> int | None:
    return _event_ids.get(slug)


def agenda_event_id_remember(slug: str, event_id: int, *, dates: tuple | None = None) -> None:
    _event_ids[slug] = event_id
    if dates is not None:
        _event_dates[event_id] = dates


def agenda_clock(tz, starts_on, ends_on) -> str:
    """The clock part of a page key: the current step while the event runs in its own zone,
    else nothing (the page does not change with the clock)."""
    if starts_on <= timezone.now().astimezone(tz).date() <= ends_on:
        return f"now{int(time.time() // NOW_MARKER_STEP)}"
    return ""


def agenda_event_clock(event_id: int) -> str:
    """`agenda_clock` of an event this process has read (before reading it again); an event
    it does not know yet simply misses, and the page is looked up again once it is read."""
    dates = _event_dates.get(event_id)
    return agenda_clock(*dates) if dates else ""


def agenda_page_key(event_id: int, version: int, *, path: str, query: str, clock: str = "") -> str:
    """The page's path and its normalised filters, never the raw query string: parameters
    the agenda does not know, or values it does not accept, make no new cache entry."""
    digest = hashlib.sha256(f"{path}?{query}@{clock}".encode()).hexdigest()[:20]
    return f"agenda:{event_id}:{version}:page:{digest}"


# This process's copies of cached anonymous pages, keyed by the shared cache key: the key
# holds the event's version (read from the shared cache on every request), so a copy is never
# served after a change; it only saves moving ~200 KB out of Redis on each hit.
_local_pages: OrderedDict[str, tuple[float, tuple[bytes, bytes]]] = OrderedDict()
_LOCAL_PAGES_MAX = 32


def agenda_page_get(key: str) -> tuple[bytes, bytes] | None:
    """A cached anonymous page, plain and gzipped, or None."""
    now = time.monotonic()
    entry = _local_pages.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    page = cache.get(key)
    if page is not None:
        # Never kept longer than the shared copy's lifetime.
        _local_pages[key] = (now + ANONYMOUS_AGENDA_TTL, page)
        while len(_local_pages) > _LOCAL_PAGES_MAX:
            _local_pages.popitem(last=False)
    return page


def agenda_page_put(key: str, page: tuple[bytes, bytes]) -> None:
    cache.set(key, page, ANONYMOUS_AGENDA_TTL)


# --- the logged-in agenda's shared skeleton (events/agenda_page.py) ---------------------------


def agenda_skeleton_key(event_id: int, version: int, *, path: str, query: str) -> str:
    digest = hashlib.sha256(f"{path}?{query}".encode()).hexdigest()[:20]
    return f"agenda:{event_id}:{version}:skeleton:{digest}"


# This process's copies of skeletons, as `_local_pages` for anonymous pages: the key holds the
# version, so a copy is never used after a change; it saves unpickling ~200 cards per request.
_local_skeletons: OrderedDict[str, tuple[float, Any]] = OrderedDict()


def agenda_skeleton_get(key: str) -> Any:
    now = time.monotonic()
    entry = _local_skeletons.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    skeleton = cache.get(key)
    if skeleton is not None:
        _local_skeletons[key] = (now + ANONYMOUS_AGENDA_TTL, skeleton)
        while len(_local_skeletons) > _LOCAL_PAGES_MAX:
            _local_skeletons.popitem(last=False)
    return skeleton


def agenda_skeleton_put(key: str, skeleton: Any) -> None:
    cache.set(key, skeleton, ANONYMOUS_AGENDA_TTL)


def agenda_local_copies_clear() -> None:
    """Forgets this process's copies of shared pages and skeletons (tests empty the shared
    cache between them, and a frozen clock can make a fresh version repeat)."""
    _local_pages.clear()
    _local_skeletons.clear()
