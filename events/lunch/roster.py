from typing import TextIO

from config.csv_safe import csv_writer
from events.models import LunchTable

from .selectors import lunch_table_roster

ROSTER_COLUMNS = [
    "rotation", "starts", "email", "name", "status", "position",
    "career_stage", "institution", "dietary_needs", "accessibility_needs",
]  # fmt: skip


def lunch_roster_write_csv(*, table: LunchTable, out: TextIO) -> int:
    """Staff's CSV of one table: everyone with a pick, per rotation (start in the event's
    zone), with the profile fields catering and hosts need. Written by the safe writer: a
    name can never be run as a spreadsheet formula. `table.session` must be set."""
    writer = csv_writer(out)
    writer.writerow(ROSTER_COLUMNS)
    seats = lunch_table_roster(table=table)
    for seat in seats:
        profile = getattr(seat.user, "profile", None)
        writer.writerow(
            [
                seat.rotation.number,
                f"{seat.rotation.local_start():%H:%M}",
                seat.user.email,
                seat.user.name,
                seat.status,
                getattr(seat, "position", None) or "",
                profile.get_career_stage_display() if profile else "",
                profile.institution if profile else "",
                profile.dietary_needs if profile else "",
                profile.accessibility_needs if profile else "",
            ]
        )
    return len(seats)
