"""Admin forms for events and sessions: nothing a programme coordinator types is JSON.

The models keep their JSON lists (the CSV import, the agenda and the reminders read them);
these fields turn them into what a person types: names one per line, career stages as
checkboxes, reminder offsets as durations ("24 hours, 1 hour").
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import CareerPath, CareerStage
from config.admin_widgets import CheckboxList

from .models import Event, Session

# --- names, one per line ----------------------------------------------------------------------


class NameLinesField(forms.Field):
    """A list of names typed one per line; blank lines are ignored, names trimmed."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return [str(name).strip() for name in value if str(name).strip()]
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


# --- career stages as checkboxes --------------------------------------------------------------


class StageChoicesField(forms.MultipleChoiceField):
    """Career stages ticked by their labels, kept in the taxonomy's order."""

    widget = CheckboxList

    def __init__(self, **kwargs):
        super().__init__(choices=CareerStage.choices, **kwargs)

    def clean(self, value) -> list[str]:
        chosen = set(super().clean(value))
        return [stage for stage in CareerStage.values if stage in chosen]


# --- reminder offsets as durations ------------------------------------------------------------

MINUTES_PER_UNIT = {
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], 1),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], 60),
    **dict.fromkeys(["d", "day", "days"], 24 * 60),
    **dict.fromkeys(["w", "wk", "wks", "week", "weeks"], 7 * 24 * 60),
}
LONGEST_MINUTES = 60 * 24 * 60  # the model's limit: 60 days
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_ONE_DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s*[a-z]+\s*)+")
EXAMPLE = "e.g. “24 hours, 1 hour”, “30 minutes” or “2 days”"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_text(minutes: int) -> str:
    """Reads 1440 as "24 hours", 2880 → "2 days", 90 → "1 hour 30 minutes", 45 → "45 minutes"."""
    days, hours_left = divmod(minutes, 24 * 60)
    if days >= 2 and not hours_left:
        return _plural(days, "day")
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _plural(rest, "minute")
    return _plural(hours, "hour") + (f" {_plural(rest, 'minute')}" if rest else "")


def durations_text(offsets: list[int]) -> str:
    return ", ".join(duration_text(minutes) for minutes in offsets)


def _duration_minutes(item: str) -> int:
    """One duration ("1 hour 30 minutes", "90 min", "1h") in minutes, or ValidationError."""
    text = item.lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        raise ValidationError(
            f"“{item}” needs a unit: minutes, hours or days (e.g. “{item} minutes”).",
            code="no_unit",
        )
    if " and " in f" {text} ":
        raise ValidationError(
            f"“{item}”: separate reminders with commas ({EXAMPLE}); write one reminder as "
            "“1 hour 30 minutes”.",
            code="and",
        )
    if not _ONE_DURATION.fullmatch(text):
        raise ValidationError(
            f"“{item}” is not a duration: type a number and a unit, {EXAMPLE}.", code="invalid"
        )
    total = 0.0
    for number, unit in _PART.findall(text):
        if unit not in MINUTES_PER_UNIT:
            raise ValidationError(
                f"“{item}”: “{unit}” is not a unit; use minutes, hours or days.", code="unit"
            )
        total += float(number) * MINUTES_PER_UNIT[unit]
    if total != int(total):
        raise ValidationError(f"“{item}” is not a whole number of minutes.", code="fraction")
    minutes = int(total)
    if minutes < 1:
        raise ValidationError(
            f"“{item}”: a reminder must go at least 1 minute before.", code="zero"
        )
    if minutes > LONGEST_MINUTES:
        raise ValidationError(
            f"“{item}”: reminders go at most 60 days before a session.", code="too_long"
        )
    return minutes


def parse_durations(text: str) -> list[int]:
    """Reads "24 hours, 1 hour" as [1440, 60]: longest first, each once. Every bad item is reported."""
    minutes: set[int] = set()
    problems: list[ValidationError] = []
    for item in re.split(r"[,;\n]", text or ""):
        item = " ".join(item.split())
        if not item:
            continue
        try:
            minutes.add(_duration_minutes(item))
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError(problems)
    return sorted(minutes, reverse=True)


class DurationListField(forms.Field):
    """Reminder offsets (minutes) typed and shown as durations; empty means none."""

    widget = forms.TextInput(attrs={"size": 40, "placeholder": "24 hours, 1 hour"})

    def to_python(self, value) -> list[int]:
        if isinstance(value, list):
            return value
        return parse_durations(value)

    def prepare_value(self, value):
        return durations_text(value) if isinstance(value, list) else value


# --- model forms ------------------------------------------------------------------------------


class SessionAdminForm(forms.ModelForm):
    speakers = NameLinesField(
        label="Speakers or hosts", required=False, help_text="One name per line."
    )
    audience = StageChoicesField(
        required=False,
        help_text="Career stages who may register. Tick none to let everyone register.",
    )
    career_paths = forms.ModelMultipleChoiceField(
        queryset=CareerPath.objects.order_by("order", "name"),
        widget=CheckboxList,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every name in view: a line each, and one free line for the next.
        names = len(self.initial.get("speakers") or [])
        self.fields["speakers"].widget.attrs["rows"] = min(max(names + 1, 3), 15)

    class Meta:
        model = Session
        fields = [
            "event", "key", "title", "kind", "description", "speakers",
            "starts_at", "ends_at", "room",
            "registration_mode", "capacity", "audience", "registration_opens_at",
            "registration_closes_at", "career_paths", "is_published",
        ]  # fmt: skip


class EventAdminForm(forms.ModelForm):
    reminder_offsets = DurationListField(
        label="Reminders before each session",
        required=False,
        help_text=f"How long before each item of a person's agenda a reminder goes out, {EXAMPLE}. "
        "Leave empty to send none.",
    )

    class Meta:
        model = Event
        fields = [
            "slug", "name", "timezone", "city", "venue", "starts_on", "ends_on", "description",
            "is_published", "registration_opens_at", "registration_closes_at", "reminder_offsets",
            "no_show_release_minutes",
        ]  # fmt: skip
