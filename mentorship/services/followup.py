"""After the slot: "I'd like to stay in touch" and feedback, per conversation.

Emails are shared only where both sides said yes (`selectors.connections_for_user`); each
side's answer is theirs alone and can be taken back.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import ConversationFeedback, Meeting
from ..refusals import Code, Refusal


def _lock_own_meeting(meeting: Meeting, user: User) -> tuple[Meeting, str]:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("slot__session", "signup", "offer")
        .get(pk=meeting.pk)
    )
    if meeting.signup.trainee_id == user.pk:
        side = "trainee"
    elif meeting.offer.mentor_id == user.pk:
        side = "mentor"
    else:
        raise Refusal("This is not your conversation.", Code.NOT_YOURS)
    if meeting.status != Meeting.Status.SCHEDULED or meeting.slot.published_at is None:
        raise Refusal("This conversation did not take place.", Code.CANCELLED)
    if timezone.now() < meeting.slot.session.ends_at:
        raise Refusal("You can answer this after the slot.", Code.TOO_EARLY)
    return meeting, side


@transaction.atomic
def meeting_stay_in_touch_set(*, meeting: Meeting, user: User, value: bool) -> Meeting:
    meeting, side = _lock_own_meeting(meeting, user)
    field = f"{side}_stays_in_touch"
    setattr(meeting, field, bool(value))
    meeting.save(update_fields=[field, "updated_at"])
    return meeting


@transaction.atomic
def meeting_feedback_save(
    *, meeting: Meeting, user: User, rating: int, comment: str = ""
) -> ConversationFeedback:
    meeting, _ = _lock_own_meeting(meeting, user)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Refusal("Rate the conversation from 1 to 5.", Code.RATING)
    feedback, _ = ConversationFeedback.objects.update_or_create(
        meeting=meeting, author=user, defaults={"rating": rating, "comment": comment.strip()}
    )
    return feedback
