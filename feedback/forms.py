from django import forms

from config.text import MultiLineFormField

from .models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN
from .services import RATING_LABELS

RATING_ERROR = f"Choose a rating from {RATING_MIN} to {RATING_MAX}; nothing was saved."


class SessionFeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(n, RATING_LABELS[n]) for n in range(RATING_MIN, RATING_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_ERROR, "invalid_choice": RATING_ERROR},
    )
    comment = MultiLineFormField(
        label="Comment (optional)",
        help_text="Staff and the session's speakers or hosts read it without your name.",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
