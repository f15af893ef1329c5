"""The rooms × time grid layout (events/agenda_grid.py): pure, no database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from events.agenda_grid import grid_build

DAY = dt.datetime(2030, 12, 6, 8, 0, tzinfo=dt.UTC)


def item(name, room, start, minutes):
    begin = DAY + dt.timedelta(minutes=start)
    return {
        "name": name,
        "room": room,
        "start": begin,
        "end": begin + dt.timedelta(minutes=minutes),
    }


def build(items, now=None):
    return grid_build(
        items,
        start=lambda i: i["start"],
        end=lambda i: i["end"],
        column=lambda i: i["room"],
        now=now,
    )


def layout(grid):
    return [
        [(cell.item["name"] if cell.item else "-", cell.rowspan) for cell in row.cells]
        for row in grid.rows
    ]


def test_parallel_sessions_share_rows_and_a_long_one_spans_them():
    grid = build([item("long", "A", 0, 60), item("short", "B", 0, 30), item("next", "B", 30, 30)])

    assert [(c.label, c.lanes) for c in grid.columns] == [("A", 1), ("B", 1)]
    assert layout(grid) == [[("long", 2), ("short", 1)], [("next", 1)]]


def test_sessions_without_a_room_come_last_and_gaps_are_empty_cells():
    grid = build([item("online", "", 0, 30), item("talk", "Hall", 60, 30)])

    assert [c.label for c in grid.columns] == ["Hall", ""]
    assert layout(grid) == [[("-", 2), ("online", 1)], [("-", 2)], [("talk", 1)]]


def test_overlapping_sessions_in_one_room_get_lanes():
    grid = build([item("a", "A", 0, 60), item("b", "A", 30, 60), item("c", "A", 60, 30)])

    assert grid.columns[0].lanes == 2
    assert layout(grid) == [[("a", 2), ("-", 1)], [("b", 2)], [("c", 1)]]


def test_now_marks_the_row_it_falls_in():
    grid = build(
        [item("a", "A", 0, 30), item("b", "A", 30, 30)], now=DAY + dt.timedelta(minutes=45)
    )

    assert [row.is_now for row in grid.rows] == [False, True]


sessions = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", ""]),
        st.integers(0, 12).map(lambda n: n * 15),
        st.integers(1, 8).map(lambda n: n * 15),
    ),
    max_size=15,
)


@given(sessions=sessions)
def test_every_row_is_exactly_as_wide_as_the_table_and_each_session_appears_once(sessions):
    items = [
        item(str(n), room, start, minutes) for n, (room, start, minutes) in enumerate(sessions)
    ]

    grid = build(items)

    covered = [0] * len(grid.rows)
    placed = []
    for r, row in enumerate(grid.rows):
        for cell in row.cells:
            assert cell.rowspan >= 1 and r + cell.rowspan <= len(grid.rows)
            for below in range(r, r + cell.rowspan):
                covered[below] += 1
            if cell.item:
                placed.append(cell.item["name"])
                assert row.starts_at == cell.item["start"]
                assert grid.rows[r + cell.rowspan - 1].ends_at == cell.item["end"]
    assert covered == [grid.width] * len(grid.rows)
    assert sorted(placed) == sorted(i["name"] for i in items)
