"""The dashboard's numbers as CSV: the contract's columns, one row per shown session."""

from __future__ import annotations

from typing import TextIO

from config.csv_safe import csv_writer

from .selectors import Dashboard

CSV_COLUMNS = [
    "session_id",
    "title",
    "starts_at",
    "room",
    "capacity",
    "confirmed",
    "waitlisted",
    "checked_in",
]


def dashboard_write_csv(*, dashboard: Dashboard, out: TextIO) -> None:
    """Rows in the page's order (highest demand first); `starts_at` in the event's zone,
    `capacity` empty for no limit. Written by the safe writer: a title is never a formula."""
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for fill in dashboard.sessions:
        writer.writerow(
            [
                fill.session_id,
                fill.title,
                fill.starts_at.isoformat(),
                fill.room,
                "" if fill.capacity is None else fill.capacity,
                fill.confirmed,
                fill.waitlisted,
                fill.checked_in,
            ]
        )
