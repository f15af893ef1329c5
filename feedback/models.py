"""Feedback from those who came: one rating (1–5) and an optional comment per person and
session, asked by email after the session of everyone checked in at its door."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from config.text import MultiLineField

RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX_LENGTH = 1000


class SessionFeedback(models.Model):
    """One person's rating of one session they attended; readers see it aggregated and
    without the person's name."""

    session = models.ForeignKey("events.Session", on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_feedback"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    comment = MultiLineField(blank=True, max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "session feedback"
        verbose_name_plural = "session feedback"
        ordering = ["-created_at"]
        constraints = [
            # Once per person and session: a reused link or a second tab changes nothing.
            models.UniqueConstraint(
                fields=["session", "user"], name="sessionfeedback_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="sessionfeedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.session}"


class SpeakerAccount(models.Model):
    """A speaker of a session linked to their account, so they see that session's feedback.

    A session's speakers are names typed in admin (`Session.speakers`), not accounts; staff
    make this link by hand. Lunch hosts need none: `TableHost.user` links them already."""

    session = models.ForeignKey(
        "events.Session", on_delete=models.CASCADE, related_name="speaker_accounts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="speaker_accounts",
        help_text="The speaker's account: they see this session's ratings and comments.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "speaker account"
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="speakeraccount_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} speaks at {self.session}"
