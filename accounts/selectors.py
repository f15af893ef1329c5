from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q

from .models import MentorApproval, Profile, User

APPROVED = MentorApproval.Status.APPROVED

# Said the same way on the profile, the Blood Buddies pages and the lunch pages.
MENTOR_PENDING = "Your mentor offer is waiting for a coordinator's approval."

# The career stage and interests pages read on every request of a logged-in person ("For
# you" on the agenda): kept in the shared cache, dropped by every service that changes them,
# so the agenda spends no query on them. Admin edits are seen within this many seconds.
INTERESTS_TTL = 300


def profile_interests_key(user_id: int) -> str:
    return f"profile-interests:{user_id}"


def profile_get_for_user(*, user: User) -> Profile:
    return (
        Profile.objects.select_related("user")
        .prefetch_related("interests", "expertise")
        .get(user=user)
    )


def profile_interests_for_user(*, user: User) -> tuple[str, dict[str, str]]:
    """(career stage or "", {interest slug: name} in the taxonomy's order); at most one
    query, none while cached."""
    key = profile_interests_key(user.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (
        Profile.objects.filter(user=user)
        .order_by("interests__order", "interests__name")
        .values_list("career_stage", "interests__slug", "interests__name")
    )
    stage, paths = "", {}
    for career_stage, slug, name in rows:
        stage = career_stage or ""
        if slug:
            paths[slug] = name
    cache.set(key, (stage, paths), INTERESTS_TTL)
    return stage, paths


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
