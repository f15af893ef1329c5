import zoneinfo

from django import forms

from config.text import MultiLineFormField, OneLineFormField

from .models import NOTE_MAX_LENGTH, Format, Topic

TIME_ZONES = sorted(
    zone for zone in zoneinfo.available_timezones() if "/" in zone and not zone.startswith("Etc")
)


class ListeningRequestForm(forms.Form):
    formats = forms.MultipleChoiceField(
        label="How would you like to take part?",
        choices=Format.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the interview, a group conversation or both."},
    )
    topics = forms.MultipleChoiceField(
        label="Which topics do you want to speak to?",
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one topic."},
    )
    topic_other = OneLineFormField(
        label="Other topic (if you ticked “Other”)", required=False, max_length=200
    )
    availability = forms.MultipleChoiceField(
        label="When are you available?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(label="Your time zone", choices=[(z, z) for z in TIME_ZONES])
    note = MultiLineFormField(
        label="Anything the reviewers should know (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label="I agree to be contacted about the listening sessions, as described above.",
        error_messages={"required": "We can only contact you with your consent: tick the box."},
    )

    def __init__(self, *args, availability_choices, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["availability"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = availability_choices
        field.help_text = f"Days and times in {zone} time, the event's zone."


class DecisionForm(forms.Form):
    """A reviewer's decision on the requests picked in admin, with a message to each person."""

    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    message = MultiLineFormField(
        label="Message to each person (optional; it is in their email)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
