import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from config.text import MultiLineField, OneLineField


class CareerStage(models.TextChoices):
    MEDICAL_STUDENT = "medical_student", "Medical student"
    RESIDENT = "resident", "Resident"
    FELLOW = "fellow", "Fellow"
    GRADUATE_POSTDOC = "graduate_postdoc", "Graduate student / postdoc"
    EARLY_CAREER = "early_career", "Early-career faculty"
    MID_CAREER = "mid_career", "Mid-career"
    SENIOR = "senior", "Senior"


TRAINEE_STAGES = (
    CareerStage.MEDICAL_STUDENT,
    CareerStage.RESIDENT,
    CareerStage.FELLOW,
    CareerStage.GRADUATE_POSTDOC,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; the email address is the login and there is no username."""

    email = models.EmailField("email address", unique=True)
    name = OneLineField("full name", max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class CareerPath(models.Model):
    """The taxonomy of career paths, used for lunch tables, interests and mentor expertise."""

    slug = models.SlugField(unique=True)
    name = OneLineField(max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


def _new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


# The public name; the field's default keeps the old one, which the migrations refer to.
calendar_token_new = _new_calendar_token


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    institution = OneLineField(max_length=200, blank=True)
    interests = models.ManyToManyField(CareerPath, blank=True, related_name="interested_profiles")
    pronouns = OneLineField(max_length=40, blank=True)
    accessibility_needs = MultiLineField(max_length=500, blank=True)
    dietary_needs = OneLineField(max_length=200, blank=True)
    is_mentor = models.BooleanField("I volunteer as a mentor", default=False)
    mentor_bio = MultiLineField("short bio", blank=True, max_length=1500)
    expertise = models.ManyToManyField(CareerPath, blank=True, related_name="expert_profiles")
    # Set at sign-up; the first login after it shows the short profile step once, then clears it.
    first_run_pending = models.BooleanField(default=False)
    # Secret for the private calendar subscription feed; revoking replaces it.
    calendar_token = models.CharField(max_length=64, unique=True, default=_new_calendar_token)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def is_trainee(self) -> bool:
        return self.career_stage in TRAINEE_STAGES


MENTOR_NOTE_MAX_LENGTH = 1000


class MentorApproval(models.Model):
    """A coordinator's decision on a person's offer to mentor, once per person (not per event).

    Ticking "I volunteer as a mentor" makes the record, pending. Until it is approved the
    person's Blood Buddies offers are held (they enter no matching) and they read no trainee's
    data: no lunch guest list, no matched trainees. A decision is final."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mentor_approval")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = MultiLineField(
        "coordinator's note",
        max_length=MENTOR_NOTE_MAX_LENGTH,
        blank=True,
        help_text="Why the offer was approved or declined; an approval note is in the email to "
        "the mentor.",
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="decided by",
    )
    decided_at = models.DateTimeField("decided at", null=True, blank=True)
    created_at = models.DateTimeField("offered at", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mentor approval"
        ordering = ["status", "created_at", "id"]
        permissions = [("approve_mentor", "Can approve or decline mentors")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | models.Q(status__in=["approved", "declined"], decided_at__isnull=False),
                name="mentorapproval_decided_has_moment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED
