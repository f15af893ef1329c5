"""The rooms × time grid of one agenda day, as an HTML table with row spans: a column per
room (a room with overlapping sessions gets as many side-by-side lanes as it needs), a row
per interval between two moments where something starts or ends, so parallel sessions sit
side by side and a long session spans the rows it covers. Pure: items in, layout out."""

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any


@dataclass
class GridCell:
    item: Any  # None: an empty stretch
    rowspan: int


@dataclass
class GridRow:
    starts_at: datetime
    ends_at: datetime
    cells: list[GridCell] = field(default_factory=list)  # the cells that begin in this row
    is_now: bool = False


@dataclass
class GridColumn:
    label: str
    lanes: int


@dataclass
class Grid:
    columns: list[GridColumn]
    rows: list[GridRow]

    @property
    def width(self) -> int:
        return sum(column.lanes for column in self.columns)


def grid_build(
    items: Iterable[Any],
    *,
    start: Callable[[Any], datetime],
    end: Callable[[Any], datetime],
    column: Callable[[Any], str],
    now: datetime | None = None,
) -> Grid:
    """`column(item)` names the item's room ("" for none: a last column, "Online or no
    room"). Items that end before they start are treated as lasting until their start's
    next boundary. `now` marks the row it falls in."""
    items = sorted(items, key=lambda item: (start(item), end(item)))
    if not items:
        return Grid(columns=[], rows=[])
    moments = sorted({start(i) for i in items} | {end(i) for i in items if end(i) > start(i)})
    if len(moments) == 1:
        moments.append(moments[0])
    rows = [GridRow(starts_at=a, ends_at=b) for a, b in pairwise(moments)]
    if not rows:
        rows = [GridRow(starts_at=moments[0], ends_at=moments[0])]

    def span(item) -> tuple[int, int]:
        first = min(bisect_left(moments, start(item)), len(rows) - 1)
        last = bisect_left(moments, end(item)) if end(item) > start(item) else first + 1
        return first, max(min(last, len(rows)), first + 1)

    labels = sorted({column(i) for i in items}, key=lambda label: (label == "", label))
    lanes: dict[str, list[list[Any]]] = {label: [] for label in labels}  # lane -> items
    for item in items:
        first, _ = span(item)
        room_lanes = lanes[column(item)]
        for lane in room_lanes:
            if span(lane[-1])[1] <= first:
                lane.append(item)
                break
        else:
            room_lanes.append([item])

    for lane in (lane for label in labels for lane in lanes[label]):
        row = 0
        for item in lane:
            first, last = span(item)
            if first > row:
                rows[row].cells.append(GridCell(item=None, rowspan=first - row))
            rows[first].cells.append(GridCell(item=item, rowspan=last - first))
            row = last
        if row < len(rows):
            rows[row].cells.append(GridCell(item=None, rowspan=len(rows) - row))

    if now is not None:
        for grid_row in rows:
            if grid_row.starts_at <= now < grid_row.ends_at:
                grid_row.is_now = True
    columns = [GridColumn(label=label, lanes=len(lanes[label])) for label in labels]
    return Grid(columns=columns, rows=rows)
