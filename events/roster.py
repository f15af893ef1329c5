from typing import TextIO

from config.csv_safe import csv_writer

from .models import Session
from .selectors import roster_for_session

ROSTER_COLUMNS = ["email", "name", "status", "position"]


def roster_write_csv(*, session: Session, out: TextIO) -> int:
    """`email,name,status,position` (position = waitlist place, empty when confirmed).
    Written by the safe writer: a name can never be run as a spreadsheet formula."""
    writer = csv_writer(out)
    writer.writerow(ROSTER_COLUMNS)
    rows = roster_for_session(session=session)
    for registration in rows:
        writer.writerow(
            [
                registration.user.email,
                registration.user.name,
                registration.status,
                registration.position or "",
            ]
        )
    return len(rows)
