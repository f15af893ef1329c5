"""Dates and times in Django admin: read and typed in one named time zone, labelled with it,
to the minute.

Django keeps every moment in UTC and shows forms in the "current" time zone. Staff think in
the time of the place a thing happens (a session at 13:00 in Orlando), so an admin page
activates that zone while it reads the form, saves it and renders the page (`AdminZone`,
`ZoneAdminMixin`): the same mechanism then serves change forms, inlines, readonly values and
the changelist's date hierarchy. Apps decide which zone a page or row belongs to (an event's,
see `events/admin_time.py`); anything that belongs to no place reads in UTC and says so.

No model imports: every app's admin may use this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AdminSplitDateTime,
    BaseAdminTimeWidget,
)
from django.db import models
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

UTC = ZoneInfo("UTC")
TIME_FORMAT = "%H:%M"  # seconds are noise to a person planning a day


@dataclass(frozen=True)
class AdminZone:
    """The zone a page reads and takes times in, and how the page names it."""

    tz: dt.tzinfo
    label: str  # "Orlando time (America/New_York)", "UTC"

    @property
    def name(self) -> str:
        return getattr(self.tz, "key", None) or str(self.tz)


UTC_ZONE = AdminZone(tz=UTC, label="UTC")

_current: ContextVar[AdminZone] = ContextVar("admin_zone", default=UTC_ZONE)


@contextmanager
def admin_zone(zone: AdminZone) -> Iterator[AdminZone]:
    """Forms parse and show datetimes in `zone` inside the block (Django's current zone)."""
    token = _current.set(zone)
    try:
        with timezone.override(zone.tz):
            yield zone
    finally:
        _current.reset(token)


def current_admin_zone() -> AdminZone:
    return _current.get()


def zone_abbreviation(value: dt.datetime) -> str:
    """Like "EST" or "CET"; "UTC-03" for zones whose abbreviation is only an offset."""
    name = value.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")


_TWO_PARTS = '<span class="nowrap">{}</span> <span class="nowrap">{}</span>'


def _moment_parts(value: dt.datetime, tz: dt.tzinfo) -> tuple[str, str]:
    local = value.astimezone(tz)
    return f"{local:%a, %b %-d, %Y},", f"{local:%H:%M} {zone_abbreviation(local)}"


def format_moment(value: dt.datetime, tz: dt.tzinfo) -> str:
    """Reads "Fri, Dec 6, 2019, 13:00 EST"."""
    return " ".join(_moment_parts(value, tz))


def format_moment_html(value: dt.datetime, tz: dt.tzinfo) -> str:
    """`format_moment` for a narrow column: it wraps between the date and the time only."""
    return format_html(_TWO_PARTS, *_moment_parts(value, tz))


def _span_parts(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> tuple[str, str]:
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.date() == local_end.date():
        return (
            f"{local_start:%a, %b %-d, %Y},",
            f"{local_start:%H:%M}–{local_end:%H:%M} {zone_abbreviation(local_end)}",
        )
    return f"{format_moment(local_start, tz)} –", format_moment(local_end, tz)


def format_span(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """Reads "Fri, Dec 6, 2019, 13:00–14:00 EST"; both dates when it ends on another day."""
    return " ".join(_span_parts(start, end, tz))


def format_span_html(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """`format_span` for a narrow column: it wraps between the date and the times only."""
    return format_html(_TWO_PARTS, *_span_parts(start, end, tz))


# --- form fields ------------------------------------------------------------------------------


def _with_zone_note(html: str) -> str:
    """Adds the active zone's name inside the widget's last paragraph. It takes the place of
    admin's "Note: You are 5 hours ahead of server time" (the script adds that only where no
    `timezonewarning` is present), which would mislead once "server time" is the event's."""
    note = format_html('<br><span class="timezonewarning">{}</span>', current_admin_zone().label)
    before, closing, after = html.rpartition("</p>")
    if not closing:
        return mark_safe(html + note)  # noqa: S308 - both parts are escaped HTML
    return mark_safe(before + note + closing + after)  # noqa: S308 - as above


class MinuteSplitDateTimeWidget(AdminSplitDateTime):
    """Admin's date and time inputs, the time shown as HH:MM, followed by the zone."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1] = BaseAdminTimeWidget(format=TIME_FORMAT)

    def render(self, name, value, attrs=None, renderer=None):
        return _with_zone_note(super().render(name, value, attrs, renderer))


class ZoneDateWidget(AdminDateWidget):
    """A day in the active zone ("Today" is today there), followed by the zone."""

    def render(self, name, value, attrs=None, renderer=None):
        return _with_zone_note(super().render(name, value, attrs, renderer))


class MinuteSplitDateTimeField(forms.SplitDateTimeField):
    """Typed in the active admin zone. A stored value with seconds that shows as the same
    HH:MM is unchanged: saving a form must not move a session by its seconds."""

    widget = MinuteSplitDateTimeWidget

    def has_changed(self, initial, data) -> bool:
        if isinstance(initial, dt.datetime) and not self.disabled:
            try:
                typed = self.clean(data)
            except forms.ValidationError:
                return True
            return typed != initial.replace(second=0, microsecond=0)
        return super().has_changed(initial, data)


DATETIME_FIELD_OVERRIDES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DateTimeField: {
        "form_class": MinuteSplitDateTimeField,
        "widget": MinuteSplitDateTimeWidget,
    },
    models.DateField: {"widget": ZoneDateWidget},
}


# --- admin classes ----------------------------------------------------------------------------


def moment_column(field_name: str, description: str) -> Callable:
    """A list/readonly column showing `field_name` in the row's zone ("Fri, Dec 6, 2019,
    13:00 EST").

    Assign it to a name on a `ZoneDisplayMixin` admin and list that name."""

    @admin.display(description=description, ordering=field_name)
    def column(self, obj) -> str | None:
        value = getattr(obj, field_name)
        if value is None:
            return self.get_empty_value_display()  # a readonly field would say "None"
        return format_moment_html(value, self.row_zone(obj))

    column.__name__ = f"{field_name}_in_zone"
    return column


class ZoneDisplayMixin:
    """For ModelAdmins and inlines: minute-precision datetime inputs, and `row_zone` for
    `moment_column`s (UTC unless the admin knows better)."""

    formfield_overrides: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = (
        DATETIME_FIELD_OVERRIDES
    )

    def row_zone(self, obj) -> dt.tzinfo:
        return UTC


class ZoneAdminMixin(ZoneDisplayMixin):
    """A ModelAdmin whose add/change pages read, take and show times in `page_zone(...)` and
    whose changelist (date hierarchy included) works in `list_zone(...)`.

    The zone stays active while the template response renders: form values are formatted
    then, not when the view returns."""

    def page_zone(self, request, obj) -> AdminZone:
        return UTC_ZONE

    def list_zone(self, request) -> AdminZone:
        return UTC_ZONE

    @staticmethod
    def _rendered_in(zone: AdminZone, view: Callable, *args, **kwargs):
        with admin_zone(zone):
            response = view(*args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = None if object_id is None else self.get_object(request, unquote(object_id))
        zone = self.page_zone(request, obj)
        return self._rendered_in(
            zone, super().changeform_view, request, object_id, form_url, extra_context
        )

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        return self._rendered_in(
            self.page_zone(request, obj), super().history_view, request, object_id, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        return self._rendered_in(
            self.list_zone(request), super().changelist_view, request, extra_context
        )


class ZoneInlineMixin(ZoneDisplayMixin):
    """An inline of a `ZoneAdminMixin` page: it is read and saved in the page's zone."""
