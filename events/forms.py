from django import forms

from accounts.models import CareerPath, CareerStage

from .models import Session


class AgendaFilterForm(forms.Form):
    """GET filters of the agenda; none is applied by default."""

    day = forms.TypedChoiceField(required=False, label="Day", empty_value=None)
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "All kinds"), *Session.Kind.choices]
    )
    career_path = forms.ChoiceField(required=False, label="Career path")
    audience = forms.ChoiceField(
        required=False, label="Open to", choices=[("", "Everyone"), *CareerStage.choices]
    )
    has_seats = forms.BooleanField(required=False, label="Only sessions with free seats")

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", "All days")] + [
            (d.isoformat(), d.strftime("%A %-d %B")) for d in days
        ]
        self.fields["day"].coerce = lambda value: next(d for d in days if d.isoformat() == value)
        self.fields["career_path"].choices = [
            ("", "All career paths"),
            *CareerPath.objects.values_list("slug", "name"),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class RegisterForm(forms.Form):
    """The register button; `replace` names a clashing session to give up in the same step."""

    replace = forms.IntegerField(required=False, min_value=1)
