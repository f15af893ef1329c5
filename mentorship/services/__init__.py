"""Every write of the mentorship app. Import from here: `from mentorship.services import ...`."""

from .followup import meeting_feedback_save, meeting_stay_in_touch_set
from .schedule import (
    DraftResult,
    RepairResult,
    UndoResult,
    participant_absence_undo,
    participant_mark_absent,
    schedule_draft,
    schedule_draft_discard,
    schedule_publish,
    schedule_repair,
)
from .signups import (
    mentor_offer_save,
    mentor_offer_withdraw,
    signup_check_open,
    slot_ensure,
    trainee_signup_save,
    trainee_signup_withdraw,
)

__all__ = [
    "DraftResult",
    "RepairResult",
    "UndoResult",
    "meeting_feedback_save",
    "meeting_stay_in_touch_set",
    "mentor_offer_save",
    "mentor_offer_withdraw",
    "participant_absence_undo",
    "participant_mark_absent",
    "schedule_draft",
    "schedule_draft_discard",
    "schedule_publish",
    "schedule_repair",
    "signup_check_open",
    "slot_ensure",
    "trainee_signup_save",
    "trainee_signup_withdraw",
]
