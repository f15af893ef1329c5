"""My agenda as a day: the items in time order with the free time between them.

Pure: items in, entries out; no Django import. A gap is the time from the end of everything
before (the latest end so far, so a long item covers the short ones inside it) to the next
start. Rooms carry no venue or building (`Room.location` is free text), so no walking time is
estimated: the gap is shown as it is.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def label(self) -> str:
        """'45 min free', '2 h free', '1 h 15 min free'."""
        hours, minutes = divmod(self.minutes, 60)
        parts = ([f"{hours} h"] if hours else []) + ([f"{minutes} min"] if minutes else [])
        return " ".join(parts) + " free"


@dataclass(frozen=True)
class Entry:
    """One line of the day: an item, or the gap before the next one."""

    item: object = None
    gap: Gap | None = None


def day_timeline(
    items: Iterable[T], *, start: Callable[[T], datetime], end: Callable[[T], datetime]
) -> list[Entry]:
    """The day's items in start order, with a gap entry wherever nothing is on."""
    entries: list[Entry] = []
    busy_until: datetime | None = None
    for item in sorted(items, key=start):
        if busy_until is not None and start(item) > busy_until:
            entries.append(Entry(gap=Gap(starts_at=busy_until, ends_at=start(item))))
        entries.append(Entry(item=item))
        busy_until = end(item) if busy_until is None else max(busy_until, end(item))
    return entries
