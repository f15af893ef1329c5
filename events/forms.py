from django import forms
from django.http import QueryDict

from accounts.models import CareerPath, CareerStage

from .agenda_selectors import search_normalise
from .models import Session

FILTER_NAMES = ("day", "kind", "career_path", "audience", "has_seats")
# Ways of looking at the same sessions: they select nothing by themselves in the selector.
VIEW_NAMES = ("q", "for_you", "view")
QUERY_NAMES = FILTER_NAMES + VIEW_NAMES
VIEWS = [("list", "List"), ("grid", "Grid")]


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
    q = forms.CharField(required=False, label="Search")  # cut down by search_normalise
    for_you = forms.BooleanField(required=False, label="For you")
    view = forms.ChoiceField(required=False, label="View", choices=VIEWS)

    def __init__(self, *args, days=(), career_paths=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        self.fields["day"].choices = [("", "All days")] + [
            (d.isoformat(), d.strftime("%A, %B %-d")) for d in days
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

    def _valid(self) -> dict:
        """The valid, non-empty values; an invalid value is ignored, not the whole form."""
        if not self.is_bound:
            return {}
        self.is_valid()
        valid = {key: value for key, value in self.cleaned_data.items() if value}
        if "q" in valid:
            valid["q"] = search_normalise(valid["q"])
        if valid.get("view") == "list":  # the default, spelt one way only
            del valid["view"]
        return {key: value for key, value in valid.items() if value}

    def filters(self) -> dict:
        """The valid, non-empty filters that select sessions (`session_list_for_agenda`)."""
        return {k: v for k, v in self._valid().items() if k in FILTER_NAMES}

    def search_term(self) -> str:
        return self._valid().get("q", "")

    def is_for_you(self) -> bool:
        return bool(self._valid().get("for_you"))

    def view_mode(self) -> str:
        return self._valid().get("view", "list")

    def filter_query(self, **changes) -> str:
        """The valid values as a query string, always in the same form and order; `changes`
        replace values (None drops one), for links to other views of the same filters."""
        query = QueryDict(mutable=True)
        valid = {**self._valid(), **changes}
        for name in QUERY_NAMES:
            value = valid.get(name)
            if value:
                query[name] = "on" if value is True else str(value)
        return query.urlencode()

    @staticmethod
    def raw_filter_query(data) -> str:
        """What `filter_query()` gives for `data` when every value is valid, read without
        the database (unknown parameters dropped, the checkbox read as the form reads it)."""
        query = QueryDict(mutable=True)
        for name in QUERY_NAMES:
            if name in ("has_seats", "for_you"):
                value = "on" if forms.CheckboxInput().value_from_datadict(data, {}, name) else ""
            elif name == "q":
                value = search_normalise(data.get(name) or "")
            elif name == "view":
                value = data.get(name) if data.get(name) in ("grid",) else ""
            else:
                value = data.get(name) or ""
            if value:
                query[name] = value
        return query.urlencode()


class RegisterForm(forms.Form):
    """The register button; `replace` names a clashing session to give up in the same step."""

    replace = forms.IntegerField(required=False, min_value=1)
