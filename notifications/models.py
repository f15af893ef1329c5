from django.conf import settings
from django.db import models
from django.utils import timezone

from config.text import MultiLineField, OneLineField


class Notification(models.Model):
    """One email, written in the transaction that causes it and delivered later by Celery.

    `key` is unique, so the same notice is never queued twice; `sent_at` is set once, by the
    delivery that claimed the row under a lock, so it is never sent twice. Due times live
    here, never in the broker: the dispatcher sends what is due.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Category(models.TextChoices):
        # Transactional mail (confirmations, changes, account mail) is always sent; reminders
        # honour the person's preference and carry a one-click unsubscribe.
        TRANSACTIONAL = "transactional", "Transactional"
        REMINDER = "reminder", "Reminder"
        ANNOUNCEMENT = "announcement", "Staff announcement"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        help_text="Empty for account mail to an address that has no account.",
    )
    to_email = models.EmailField(
        blank=True, help_text="Recipient; empty means the person's current address."
    )
    kind = models.CharField(max_length=60)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.TRANSACTIONAL
    )
    key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Never sent after this moment (a reminder for a session that has started).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(
        "error or reason", blank=True, help_text="Why the row failed or was cancelled."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # The dispatcher's claim: the oldest pending row, in (due_at, id) order. Many rows
            # share a due time (everyone's reminder for one session), so the id is needed too.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="notification_pending_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user__isnull=True, to_email=""),
                name="notification_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"

    @property
    def recipient(self) -> str:
        if self.to_email:
            return self.to_email
        return self.user.email if self.user is not None else ""


class NotificationPreference(models.Model):
    """What a person wants beyond transactional mail; no row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    reminders_enabled = models.BooleanField("email me reminders before my sessions", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"


class Announcement(models.Model):
    """A message staff composed for a group of people (e.g. a session's registrants); each
    recipient gets one outbox row keyed `announcement:{id}:{user_id}`."""

    subject = OneLineField(max_length=200)
    body = MultiLineField(max_length=10000)
    target = models.CharField(
        max_length=300, help_text="Who it went to, in words (session and statuses)."
    )
    target_url = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
