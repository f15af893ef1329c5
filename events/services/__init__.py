"""Every write of the events app. Import from here: `from events.services import ...`."""

from .agenda import agenda_import, event_agenda_import, event_create
from .lunch import (
    TableFullError,
    lunch_join,
    lunch_rotations_generate,
    lunch_seats_release,
    lunch_table_ensure,
    lunch_tables_copy,
    table_seat_change,
    table_seat_drop,
    table_seat_take,
    table_waitlists_promote,
)
from .registrations import (
    ClashError,
    registration_cancel,
    registration_create,
    registration_create_matched,
    registration_switch,
    registrations_release_for_user,
    session_update,
    waitlist_promote,
)

__all__ = [
    "ClashError",
    "TableFullError",
    "agenda_import",
    "event_agenda_import",
    "event_create",
    "lunch_join",
    "lunch_rotations_generate",
    "lunch_seats_release",
    "lunch_table_ensure",
    "lunch_tables_copy",
    "registration_cancel",
    "registration_create",
    "registration_create_matched",
    "registration_switch",
    "registrations_release_for_user",
    "session_update",
    "table_seat_change",
    "table_seat_drop",
    "table_seat_take",
    "table_waitlists_promote",
    "waitlist_promote",
]
