from django.db.models import Exists, OuterRef, Q

from .models import MentorApproval, Profile, User

APPROVED = MentorApproval.Status.APPROVED

# Said the same way on the profile, the Blood Buddies pages and the lunch pages.
MENTOR_PENDING = "Your mentor offer is waiting for a coordinator's approval."


def profile_get_for_user(*, user: User) -> Profile:
    return (
        Profile.objects.select_related("user")
        .prefetch_related("interests", "expertise")
        .get(user=user)
    )


def approved_mentor_q(prefix: str = "") -> Q:
    """Rows whose person (reached through `prefix`, e.g. "mentor__") is a mentor a coordinator
    approved: only they enter a matching or read a guest list."""
    return Q(**{f"{prefix}mentor_approval__status": APPROVED})


def approved_mentor_exists(user_ref: str = "mentor_id") -> Exists:
    """For an annotation: whether the row's person (the field `user_ref`) is an approved
    mentor, in the same query."""
    return Exists(MentorApproval.objects.filter(user=OuterRef(user_ref), status=APPROVED))


def mentor_approval_get(*, user) -> MentorApproval | None:
    if not user.is_authenticated:
        return None
    return MentorApproval.objects.filter(user=user).first()


def is_approved_mentor(user) -> bool:
    approval = mentor_approval_get(user=user)
    return approval is not None and approval.is_approved
