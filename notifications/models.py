from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One email, written in the transaction that causes it and delivered later by Celery.

    `key` is unique, so the same notice is never queued twice; `sent_at` is set once, by the
    delivery that claimed the row under a lock, so it is never sent twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id} ({self.status})"
