"""Blood Buddies: a speed-mentoring slot's settings, who signs up, the schedule and what
people make of it afterwards.

A slot is a `speed_mentoring` session (events) with rounds of a few minutes. Mentors offer to
staff it (one table each, 1-3 trainees at once); trainees hold a `matched` registration (their
agenda item) and rank mentors. Matching writes `Meeting` rows (round, table, trainee, mentor);
staff publish them; after publishing, dropped conversations are cancelled and re-filled by a
repair, and each repair is a new `revision` of the slot.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import CareerPath
from config.text import MultiLineField

from .scoring import MAX_RANKED, institution_list
from .text import counted

MAX_CAPACITY = 3


class SpeedMentoringSlot(models.Model):
    session = models.OneToOneField(
        "events.Session",
        on_delete=models.CASCADE,
        related_name="mentoring_slot",
        limit_choices_to={"kind": "speed_mentoring"},
    )
    rounds = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    minutes_per_round = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)]
    )
    tables = models.PositiveSmallIntegerField(
        "number of tables",
        default=8,
        validators=[MinValueValidator(1)],
        help_text="One mentor per table: at most this many mentors can sign up.",
    )
    signup_closes_at = models.DateTimeField(
        "sign-up deadline",
        null=True,
        blank=True,
        help_text="Mentors and trainees sign up and change their choices until then; matching "
        "runs after it. Empty: sign-up stays open until staff run the matching.",
    )
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Each repair after publishing is a revision: the calendar SEQUENCE and notice keys use it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Blood Buddies slot"
        ordering = ["session__starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rounds__gte=1), name="slot_has_rounds"),
            models.CheckConstraint(
                condition=Q(minutes_per_round__gte=1), name="slot_rounds_have_minutes"
            ),
            models.CheckConstraint(condition=Q(tables__gte=1), name="slot_has_tables"),
        ]

    def __str__(self) -> str:
        return f"Blood Buddies: {self.session}"

    def clean(self) -> None:
        session = self.session if self.session_id else None
        if session is None:
            return
        if session.kind != "speed_mentoring":
            raise ValidationError({"session": "Choose a speed-mentoring session."})
        if self.rounds and self.minutes_per_round:
            length = session.ends_at - session.starts_at
            # Compared in whole minutes: a timedelta of a huge typed number would overflow.
            if self.rounds * self.minutes_per_round > length.total_seconds() // 60:
                raise ValidationError(
                    f"{counted(self.rounds, 'round')} of "
                    f"{counted(self.minutes_per_round, 'minute')} do not fit in the session "
                    f"({counted(int(length.total_seconds() // 60), 'minute')})."
                )
        if self.signup_closes_at and self.signup_closes_at > session.starts_at:
            raise ValidationError(
                {"signup_closes_at": "The sign-up deadline must be before the session starts."}
            )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def signup_is_open(self, now: datetime) -> bool:
        if self.matched_at is not None or self.published_at is not None:
            return False
        return self.signup_closes_at is None or now < self.signup_closes_at

    def round_start(self, number: int) -> datetime:
        """Round `number` (1-based) starts this long after the session does."""
        return self.session.starts_at + timedelta(minutes=(number - 1) * self.minutes_per_round)

    def round_end(self, number: int) -> datetime:
        return self.round_start(number) + timedelta(minutes=self.minutes_per_round)

    def round_not_over(self, now: datetime) -> int | None:
        """The first round that has not ended at `now` (None once the last one has)."""
        for number in range(1, self.rounds + 1):
            if self.round_end(number) > now:
                return number
        return None


class ParticipationStatus(models.TextChoices):
    """Where a mentor or a trainee stands in a slot."""

    ACTIVE = "active", "Signed up"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ABSENT = "absent", "Absent or dropped out"


class MentorOffer(models.Model):
    """A mentor staffing a slot: one table, `capacity` trainees at once in each round."""

    Status = ParticipationStatus

    slot = models.ForeignKey(SpeedMentoringSlot, on_delete=models.CASCADE, related_name="offers")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_offers"
    )
    capacity = models.PositiveSmallIntegerField(
        "trainees at once",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
    )
    excluded_institutions = MultiLineField(
        "do not match me with trainees from",
        blank=True,
        max_length=2000,
        help_text="Institutions, one per line (e.g. your own trainees' program).",
    )
    table = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # At the door: a mentor holds no registration (trainees' marks are on theirs), so the
    # offer carries the mentor's check-in.
    checked_in_at = models.DateTimeField("checked in at", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="checked in by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "mentor"], name="mentoroffer_once_per_slot"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="mentoroffer_capacity_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ({self.get_status_display()})"

    @property
    def excluded_list(self) -> list[str]:
        return institution_list(self.excluded_institutions)


class TraineeSignup(models.Model):
    """A trainee's place in the matching; the agenda item is `registration` (mode matched).
    Cancelling that registration from "my agenda" takes the trainee out as well."""

    Status = ParticipationStatus

    slot = models.ForeignKey(SpeedMentoringSlot, on_delete=models.CASCADE, related_name="signups")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_signups"
    )
    registration = models.ForeignKey(
        "events.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentoring_signups",
    )
    interests = models.ManyToManyField(CareerPath, blank=True, related_name="mentoring_signups")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "trainee"], name="traineesignup_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} ({self.get_status_display()})"


class DoorStandby(models.Model):
    """A trainee present at the door of a published slot without a conversation, checked in
    as standby: when a trainee is marked absent there, the repair offers their mentors the
    people of this line (and nobody who is not at the door)."""

    slot = models.ForeignKey(
        SpeedMentoringSlot, on_delete=models.CASCADE, related_name="door_standby"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="door_standby"
    )
    arrived_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "standby trainee at the door"
        verbose_name_plural = "standby trainees at the door"
        ordering = ["slot", "arrived_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "trainee"], name="doorstandby_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} (standby)"


class MentorPreference(models.Model):
    """A trainee's ranked choice (1 = first) among the slot's mentors."""

    signup = models.ForeignKey(TraineeSignup, on_delete=models.CASCADE, related_name="preferences")
    offer = models.ForeignKey(MentorOffer, on_delete=models.CASCADE, related_name="preferred_by")
    rank = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RANKED)]
    )

    class Meta:
        ordering = ["signup", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["signup", "rank"], name="preference_rank_once"),
            models.UniqueConstraint(fields=["signup", "offer"], name="preference_mentor_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_RANKED), name="preference_rank_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank}: {self.offer.mentor}"


class Meeting(models.Model):
    """One conversation: a trainee at a mentor's table in one round (1-based)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled (a partner dropped out)"

    slot = models.ForeignKey(SpeedMentoringSlot, on_delete=models.CASCADE, related_name="meetings")
    round = models.PositiveSmallIntegerField()
    table = models.PositiveSmallIntegerField()
    signup = models.ForeignKey(TraineeSignup, on_delete=models.CASCADE, related_name="meetings")
    offer = models.ForeignKey(MentorOffer, on_delete=models.CASCADE, related_name="meetings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    score = models.PositiveIntegerField(default=0)
    # The slot revision that created or cancelled this row; a repair notifies the people of
    # the rows of its revision.
    revision = models.PositiveIntegerField(default=0)
    trainee_stays_in_touch = models.BooleanField(default=False)
    mentor_stays_in_touch = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "round", "table", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["signup", "round"],
                condition=Q(status="scheduled"),
                name="meeting_trainee_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["signup", "offer"],
                condition=Q(status="scheduled"),
                name="meeting_pair_once",
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="meeting_round_from_1"),
        ]
        indexes = [models.Index(fields=["slot", "status", "round"])]

    def __str__(self) -> str:
        return f"Round {self.round}, table {self.table}"

    @property
    def is_connected(self) -> bool:
        return self.trainee_stays_in_touch and self.mentor_stays_in_touch


class ConversationFeedback(models.Model):
    """One person's view of one conversation; staff see it aggregated per mentor."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = MultiLineField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "conversation feedback"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="feedback_once_per_author"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 by {self.author}"
