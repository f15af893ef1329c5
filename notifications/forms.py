import re
from typing import Any

from django import forms
from django.db import models

from config.text import MultiLineFormField, OneLineFormField

from .models import Announcement, NotificationPreference


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["reminders_enabled"]
        help_texts = {
            "reminders_enabled": "Confirmations, waitlist news and changes to your sessions "
            "are always sent."
        }


# A first line that only greets ("Dear fellows,", "Hi all!", "Hello everyone"): the email
# template already begins "Dear <the person's name>,".
GREETING_LINE = re.compile(
    r"^(dear(est)?|hi|hello|hey|greetings|good (morning|afternoon|evening))\b"
    r"(?P<rest>[^.?]{0,60})$",
    re.IGNORECASE,
)


def greeting_line(body: str) -> str | None:
    """The body's first line when it is a greeting, else None."""
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    match = GREETING_LINE.match(first)
    if match is None:
        return None
    # "Hi all," and "Dear fellows" greet; "Hello Kitty sessions moved to W230" does not.
    if first.endswith((",", "!", ":")) or len(first.split()) <= 3:
        return first
    return None


def _column_limit(name: str) -> int:
    """The announcement column's length, so the form refuses what the database would."""
    field = Announcement._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return field.max_length


class AnnouncementForm(forms.Form):
    """Staff compose a message to a session's registrants (used by the session admin)."""

    subject = OneLineFormField(
        max_length=_column_limit("subject"),
        help_text="What people see in their inbox.",
    )
    body = MultiLineFormField(
        label="Message",
        max_length=_column_limit("body"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text="Write the message only. Each email already begins “Dear …,” with the "
        "person's own name, and ends by saying it comes from the staff to the people of the "
        "session. A blank line starts a new paragraph.",
    )
    include_confirmed = forms.BooleanField(label="people with a seat", required=False, initial=True)
    include_waitlisted = forms.BooleanField(label="people on the waitlist", required=False)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        greeting = greeting_line(body)
        if greeting:
            raise forms.ValidationError(
                "Leave out the greeting “%(greeting)s”: each email already begins “Dear …,” "
                "with the person's own name, so people would read two greetings.",
                params={"greeting": greeting},
                code="greeting",
            )
        return body

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("include_confirmed") and not data.get("include_waitlisted"):
            raise forms.ValidationError(
                "Choose who gets it: people with a seat, the waitlist, or both."
            )
        return data

    def statuses(self) -> list[str]:
        chosen = []
        if self.cleaned_data["include_confirmed"]:
            chosen.append("confirmed")
        if self.cleaned_data["include_waitlisted"]:
            chosen.append("waitlisted")
        return chosen
