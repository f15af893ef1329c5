from django import forms

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


class AnnouncementForm(forms.Form):
    """Staff compose a message to a session's registrants (used by the session admin)."""

    subject = OneLineFormField(max_length=Announcement._meta.get_field("subject").max_length)
    body = MultiLineFormField(
        max_length=Announcement._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )
    include_confirmed = forms.BooleanField(label="people with a seat", required=False, initial=True)
    include_waitlisted = forms.BooleanField(label="people on the waitlist", required=False)

    def clean(self):
        data = super().clean()
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
