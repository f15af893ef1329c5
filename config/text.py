"""Free text people type: every field has a length limit, and only the characters it needs.

Two kinds of text, each a model field that brings its own form field (so a ModelForm, the
admin included, gets the rules without repeating them) and a form field for plain forms:

- `OneLineField` / `OneLineFormField`: names, institutions, pronouns, titles. No control
  character at all (Unicode category Cc, line and paragraph separators included): a name
  is one line, so "Ada\\nBcc: …" never reaches an email.
- `MultiLineField` / `MultiLineFormField`: bios, needs, notes, comments, descriptions.
  Line breaks and tabs are allowed, other control characters (NUL, escape, bell …) are not.
  A browser sends a line break as CR LF but counts it as one character against the
  textarea's `maxlength`: line breaks are stored as LF, so the two counts agree.

Both carry `max_length` into the form (the `maxlength` attribute and a server-side check)
and say how long the text was: "Keep this to 500 characters or fewer (you typed 1,000,000)."
A TextField's `max_length` alone limits only the form widget; `MultiLineField` also checks
it in model validation.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; Zl and Zp are the line
# and paragraph separators. Regular expressions keep the check fast on a megabyte of text.
ONE_LINE_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not \t \n \r


def _code_points(chars: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(chars))


def validate_one_line(value: str) -> None:
    if ONE_LINE_REFUSED.search(value):
        raise ValidationError(
            "Keep this on one line: line breaks, tabs and other control characters are not "
            "allowed here.",
            code="one_line",
        )


def validate_multi_line(value: str) -> None:
    bad = MULTI_LINE_REFUSED.findall(value)
    if bad:
        raise ValidationError(
            "This text contains an invisible control character (%(chars)s). Remove it and "
            "try again.",
            code="control_character",
            params={"chars": _code_points(bad)},
        )


@deconstructible(path="config.text.MaxCharsValidator")
class MaxCharsValidator(MaxLengthValidator):
    """Django's MaxLengthValidator, with the numbers a person can read."""

    def __call__(self, value) -> None:
        length = len(value)
        if length > self.limit_value:
            raise ValidationError(
                "Keep this to %(limit)s characters or fewer (you typed %(length)s).",
                code="max_length",
                params={"limit": f"{self.limit_value:,}", "length": f"{length:,}"},
            )


def _readable_length_check(validators: list, max_length: int | None) -> None:
    """Replaces the length check Django's fields add with `MaxCharsValidator`, in place."""
    validators[:] = [v for v in validators if type(v) is not MaxLengthValidator]
    if max_length is not None and not any(isinstance(v, MaxCharsValidator) for v in validators):
        validators.append(MaxCharsValidator(int(max_length)))


# --- form fields ------------------------------------------------------------------------------


class OneLineFormField(forms.CharField):
    default_validators = [validate_one_line]

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        _readable_length_check(self.validators, max_length)


class MultiLineFormField(forms.CharField):
    default_validators = [validate_multi_line]
    widget = forms.Textarea

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        _readable_length_check(self.validators, max_length)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


# --- model fields -----------------------------------------------------------------------------


class OneLineField(models.CharField):
    """A CharField typed on one line, with a readable length check."""

    default_validators = [validate_one_line]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _readable_length_check(self.validators, self.max_length)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": OneLineFormField, **kwargs})


class MultiLineField(models.TextField):
    """A TextField whose `max_length` (required) holds in model validation and forms."""

    default_validators = [validate_multi_line]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is None:
            raise TypeError(f"{type(self).__name__} needs a max_length.")
        _readable_length_check(self.validators, self.max_length)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MultiLineFormField, **kwargs})
