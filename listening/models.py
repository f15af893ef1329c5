"""Listening sessions on diversity, equity and inclusion: a member's request to take part, its
private review, one-on-one interviews with the independent facilitator and Conversations on
Belonging. Confidentiality is the feature: only holders of `listening.review_requests`, the
person and their facilitator see any of it (docs/listening.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.text import MultiLineField, OneLineField
from events.models import Event

NOTE_MAX_LENGTH = 2000
# What a person's own agenda, feed and emails call an interview or a group place.
NEUTRAL_TITLE = "Private conversation"


class Format(models.TextChoices):
    INTERVIEW = "interview", "One-on-one interview"
    GROUP = "group", "Conversation on Belonging (group)"


class Topic(models.TextChoices):
    RACE_ETHNICITY = "race_ethnicity", "Race and ethnicity"
    GENDER = "gender", "Gender"
    ABILITY = "ability", "Ability"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    OTHER = "other", "Other"


class ListeningRequest(models.Model):
    """A member's request to take part, one per person and event. `formats`, `topics` and
    `availability` are lists of choice values set through checkboxes, never typed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="listening_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listening_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    formats = models.JSONField(default=list, blank=True, help_text="Values of Format.")
    topics = models.JSONField(default=list, blank=True, help_text="Values of Topic.")
    topic_other = OneLineField("other topic", max_length=200, blank=True)
    # "YYYY-MM-DD:morning|afternoon|evening", days of the event, in the event's zone.
    availability = models.JSONField(default=list, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    note = MultiLineField(max_length=NOTE_MAX_LENGTH, blank=True)
    consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    decision_message = MultiLineField(max_length=NOTE_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "listening request"
        ordering = ["created_at", "id"]
        permissions = [("review_requests", "Can review listening requests and see their data")]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_listening_request"),
            models.CheckConstraint(
                condition=Q(consent=True) | Q(status="withdrawn"), name="listening_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"Listening request #{self.pk}"


class ReviewLogEntry(models.Model):
    """Who decided what, when: the audit trail that reviewers read. Goes with the request."""

    request = models.ForeignKey(ListeningRequest, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = MultiLineField(max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "review log entry"
        verbose_name_plural = "review log"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} (request #{self.request_id})"


class InterviewSlot(models.Model):
    """Fifteen or twenty minutes with one facilitator; the meeting link is shown only to the
    person booked and the facilitator, once booked."""

    class Length(models.IntegerChoices):
        FIFTEEN = 15, "15 minutes"
        TWENTY = 20, "20 minutes"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="interview_slots")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interview_slots"
    )
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(choices=Length.choices, default=Length.TWENTY)
    meeting_url = models.URLField("meeting link", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "interview slot"
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["facilitator", "starts_at"], name="one_slot_per_facilitator_time"
            ),
            models.CheckConstraint(condition=Q(minutes__in=[15, 20]), name="slot_minutes"),
        ]

    def __str__(self) -> str:
        return f"Interview slot #{self.pk}"


ACTIVE_BOOKING = ["booked", "held", "missed"]  # statuses that hold the slot


class InterviewBooking(models.Model):
    """One person in one slot. One active booking per slot and per person and event."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"
        MISSED = "missed", "Missed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(InterviewSlot, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_bookings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "interview booking"
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=ACTIVE_BOOKING), name="one_booking_per_slot"
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=ACTIVE_BOOKING),
                name="one_booking_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview booking #{self.pk}"


class BelongingGroup(models.Model):
    """A Conversation on Belonging: a topic, a volunteer leader and the independent
    facilitator (`facilitators`), a capacity and a meeting link."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="belonging_groups")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    title = OneLineField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=8)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="belonging_groups")
    meeting_url = models.URLField("meeting link", max_length=500, blank=True)
    open_to_choice = models.BooleanField(
        "participants may choose it",
        default=True,
        help_text="Accepted participants may join it themselves; otherwise reviewers assign.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Conversation on Belonging"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="group_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="group_has_room"),
        ]

    def __str__(self) -> str:
        return self.title


class GroupPlace(models.Model):
    """A person's place in a group, assigned by a reviewer or chosen by the person."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    group = models.ForeignKey(BelongingGroup, on_delete=models.CASCADE, related_name="places")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_places"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "group place"
        ordering = ["group__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=Q(status="active"), name="one_place_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"Group place #{self.pk}"
