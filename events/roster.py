import csv
from typing import TextIO

from .models import Session
from .selectors import roster_for_session

ROSTER_COLUMNS = ["email", "name", "status", "position"]


def roster_write_csv(*, session: Session, out: TextIO) -> int:
    """`email,name,status,position` (position = waitlist place, empty when confirmed)."""
    writer = csv.writer(out, lineterminator="\n")
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
