from collections.abc import Callable
from datetime import UTC

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notification_enqueue

from .models import (
    MENTOR_NOTE_MAX_LENGTH,
    CareerPath,
    MentorApproval,
    Profile,
    User,
    calendar_token_new,
)
from .selectors import profile_interests_key

ApprovalStatus = MentorApproval.Status

# The career-path taxonomy of DESIGN.md (slug, name), in display order. Migration 0002 seeds
# the same list; this copy lets load_demo restore it on a database where it was removed.
CAREER_PATHS = [
    ("clinical-malignant", "Clinical hematology — malignant"),
    ("clinical-non-malignant", "Clinical hematology — non-malignant"),
    ("medical-education", "Medical education"),
    ("systems-based", "Systems-based hematology"),
    ("private-practice", "Private practice"),
    ("government", "Government"),
    ("industry", "Industry"),
    ("phd-research", "PhD / research careers"),
    ("health-services", "Health services and outcomes research"),
    ("translational", "Translational research"),
    ("data-science", "Data science and bioinformatics"),
]


@transaction.atomic
def career_paths_ensure() -> int:
    """Creates any missing career path of the taxonomy; returns how many were created."""
    created = 0
    for order, (slug, name) in enumerate(CAREER_PATHS):
        _, was_created = CareerPath.objects.get_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
        created += was_created
    return created


def profile_ensure(*, user: User) -> Profile:
    """Every account has a profile; accounts made outside sign-up get theirs on first use."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: User, name: str, data: dict) -> Profile:
    profile = Profile.objects.select_for_update().get(user=user)
    user.name = name.strip()
    user.save(update_fields=["name"])
    m2m = {key: data.pop(key) for key in ("interests", "expertise") if key in data}
    for field, value in data.items():
        setattr(profile, field, value)
    if not profile.is_mentor:
        # Withdrawing as a mentor keeps no stale public bio around.
        profile.mentor_bio = ""
        m2m["expertise"] = []
    profile.save()
    for field, value in m2m.items():
        getattr(profile, field).set(value)
    profile_interests_forget(user=user)
    if profile.is_mentor:
        mentor_approval_request(user=user)
    return profile


def profile_first_run_mark(*, user: User) -> None:
    """A person who just signed up is asked for the basics of their profile at first login."""
    Profile.objects.filter(user=user).update(first_run_pending=True)


def profile_first_run_claim(*, user: User) -> bool:
    """True once per person, at the first login after sign-up (the flag is cleared in the
    same statement, so two logins at once cannot both get the step)."""
    return bool(
        Profile.objects.filter(user=user, first_run_pending=True).update(first_run_pending=False)
    )


FIRST_RUN_FIELDS = (
    "career_stage",
    "institution",
    "interests",
    "accessibility_needs",
    "dietary_needs",
)


@transaction.atomic
def profile_first_run_save(*, user: User, data: dict) -> Profile:
    """The first-run step: only the fields it asks for; everything else stays as it is."""
    profile = Profile.objects.select_for_update().get(user=user)
    for field in FIRST_RUN_FIELDS:
        if field in data and field != "interests":
            setattr(profile, field, data[field])
    profile.save()
    if "interests" in data:
        profile.interests.set(data["interests"])
    profile_interests_forget(user=user)
    return profile


def profile_interests_forget(*, user: User) -> None:
    """After the transaction commits, pages read the person's stage and interests afresh."""
    key = profile_interests_key(user.pk)
    transaction.on_commit(lambda: cache.delete(key), robust=True)


# --- mentor approval ----------------------------------------------------------------------------

_mentor_declined_hooks: list = []


def register_mentor_declined_hook(hook) -> None:
    """Apps holding a pending mentor's offers register `hook(user=...)` to let them go when a
    coordinator declines the person (accounts imports no other app)."""
    if hook not in _mentor_declined_hooks:
        _mentor_declined_hooks.append(hook)


@transaction.atomic
def mentor_approval_request(*, user: User) -> MentorApproval:
    """A person offers to mentor: pending until a coordinator decides. Approval is once per
    person, so an existing record (pending, approved or declined) stays as it is."""
    approval, _ = MentorApproval.objects.get_or_create(user=user)
    return approval


@transaction.atomic
def mentor_approval_decide(
    *,
    approval: MentorApproval,
    approve: bool,
    note: str = "",
    decided_by: User | None,
    notify: bool = True,
) -> MentorApproval:
    """A coordinator approves or declines a pending mentor, with a note. Approving emails the
    mentor (once: the outbox key is the record's); declining lets their held offers go. A
    decision is final: a second one is refused and changes nothing."""
    approval = MentorApproval.objects.select_for_update().select_related("user").get(pk=approval.pk)
    if approval.status != ApprovalStatus.PENDING:
        decided_at = approval.decided_at or timezone.now()
        raise ValidationError(
            f"{approval.user.get_full_name()} was already {approval.get_status_display().lower()}"
            " on "
            f"{decided_at.astimezone(UTC):%b %-d, %Y, %H:%M} UTC.",
            code="decided",
        )
    note = note.strip()
    limit = MENTOR_NOTE_MAX_LENGTH
    if len(note) > limit:
        raise ValidationError(f"Keep the note under {limit} characters.", code="note_too_long")
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DECLINED
    approval.note = note
    approval.decided_by = decided_by
    approval.decided_at = timezone.now()
    approval.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    if approve and notify:
        notification_enqueue(
            user=approval.user,
            kind="mentor_approved",
            key=f"mentor-approval:{approval.pk}:approved",
            context={
                "note": note,
                "profile_url": settings.SITE_URL + reverse("accounts:profile"),
                "mentorship_url": settings.SITE_URL + reverse("mentorship:index"),
            },
        )
    if not approve:
        for hook in _mentor_declined_hooks:
            hook(user=approval.user)
    return approval


@transaction.atomic
def calendar_token_rotate(*, user: User) -> str:
    """Revoking a calendar subscription means issuing a new secret; the old URL then 404s."""
    profile = Profile.objects.select_for_update().get(user=user)
    profile.calendar_token = calendar_token_new()
    profile.save(update_fields=["calendar_token", "updated_at"])
    return profile.calendar_token


_deletion_hooks: list = []


def register_deletion_hook(hook: Callable[..., None]) -> None:
    """Apps that must act before a person's rows disappear (e.g. free a seat so the waitlist
    moves) register a callable `hook(user=...)`; accounts imports no other app."""
    _deletion_hooks.append(hook)


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Deletes the account and, through cascades, every row that belongs to the person."""
    # Hooks lock sessions before users (the events app's lock order), so they run first.
    for hook in _deletion_hooks:
        hook(user=user)
    User.objects.select_for_update().get(pk=user.pk).delete()
