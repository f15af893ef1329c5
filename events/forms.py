from django import forms
from django.http import QueryDict

from accounts.models import CareerPath, CareerStage

from .models import Session

FILTER_NAMES = ("day", "kind", "career_path", "audience", "has_seats")


class AgendaFilterForm(forms.Form):
    """GET filters of the agenda; none is applied by default.

    The page shows and applies only the known filters with valid values: anything else in
    the query string is dropped, so a page depends on `filter_query()` alone (the cached
    anonymous agenda is keyed on it, and junk parameters cannot fill the cache)."""

    day = forms.TypedChoiceField(required=False, label="Day", empty_value=None)
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "All kinds"), *Session.Kind.choices]
    )
    career_path = forms.ChoiceField(required=False, label="Career path")
    audience = forms.ChoiceField(
        required=False, label="Open to", choices=[("", "Everyone"), *CareerStage.choices]
    )
    has_seats = forms.BooleanField(required=False, label="Only sessions with free seats")

    def __init__(self, *args, days=(), career_paths=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        self.fields["day"].choices = [("", "All days")] + [
            (d.isoformat(), d.strftime("%A %-d %B")) for d in days
        ]
        self.fields["day"].coerce = lambda value: next(d for d in days if d.isoformat() == value)
        self.fields["career_path"].choices = career_paths or [
            ("", "All career paths"),
            *CareerPath.objects.values_list("slug", "name"),
        ]

    @classmethod
    def normalised(cls, data, *, days) -> "AgendaFilterForm":
        """The form as the page shows it for `data`: bound to the valid filters only
        (unbound when there are none)."""
        asked = cls(data or None, days=days)
        query = asked.filter_query()
        return cls(
            QueryDict(query) if query else None,
            days=days,
            career_paths=asked.fields["career_path"].choices,
        )

    def filters(self) -> dict:
        """The valid, non-empty filters; an invalid value is ignored, not the whole form."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}

    def filter_query(self) -> str:
        """`filters()` as a query string, always in the same form and order."""
        query = QueryDict(mutable=True)
        filters = self.filters()
        for name in FILTER_NAMES:
            value = filters.get(name)
            if value:
                query[name] = "on" if value is True else str(value)
        return query.urlencode()

    @staticmethod
    def raw_filter_query(data) -> str:
        """What `filter_query()` gives for `data` when every value is valid, read without
        the database (unknown parameters dropped, the checkbox read as the form reads it)."""
        query = QueryDict(mutable=True)
        for name in FILTER_NAMES:
            if name == "has_seats":
                value = "on" if forms.CheckboxInput().value_from_datadict(data, {}, name) else ""
            else:
                value = data.get(name) or ""
            if value:
                query[name] = value
        return query.urlencode()


class RegisterForm(forms.Form):
    """The register button; `replace` names a clashing session to give up in the same step."""

    replace = forms.IntegerField(required=False, min_value=1)
