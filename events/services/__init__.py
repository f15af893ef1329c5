"""Every write of the events app. Import from here: `from events.services import ...`."""

from .agenda import agenda_import, event_agenda_import, event_create
from .cancellation import session_cancel
from .registrations import (
    ClashError,
    registration_cancel,
    registration_cancel_core,
    registration_create,
    registration_create_matched,
    registration_switch,
    registrations_release_for_user,
    session_update,
    waitlist_promote,
)

__all__ = [
    "ClashError",
    "agenda_import",
    "event_agenda_import",
    "event_create",
    "registration_cancel",
    "registration_cancel_core",
    "registration_create",
    "registration_create_matched",
    "registration_switch",
    "registrations_release_for_user",
    "session_cancel",
    "session_update",
    "waitlist_promote",
]
