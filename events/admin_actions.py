"""Shared mechanics of the admin actions this project adds: the permission each asks for,
a 403 for a forged POST naming an action the person may not run, and the intermediate pages
(a form, then a confirmation) that post back to the list."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.template.response import TemplateResponse

from config.audit import audit_changes

# Mixins go before the zone mixins and ModelAdmin in a class's bases; typed as ModelAdmin.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object

PROGRAM_PERMISSIONS = ("events.change_event", "events.add_session", "events.change_session")


class ActionPermissionsMixin(_AdminBase):
    """`permissions=["program"]` on an action: the program editor's job (change the event, add
    and change its sessions). A POST naming a known action that the person may not run is a
    403, not admin's quiet "No action selected"; nothing runs."""

    def has_program_permission(self, request) -> bool:
        return request.user.has_perms(PROGRAM_PERMISSIONS)

    def has_clone_permission(self, request) -> bool:
        return request.user.has_perms((*PROGRAM_PERMISSIONS, "events.add_event"))

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "action" in request.POST:
            name = request.POST.get("action", "")
            known = {
                action if isinstance(action, str) else action.__name__
                for action in self.actions or []
            }
            if name in known and name not in self.get_actions(request):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


def action_page(modeladmin, request, *, template: str, title: str, action: str, **context):
    """An intermediate page of an action: its form posts back to the list with the same
    selection, so admin runs the action again with the next step."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.model._meta,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            **context,
        },
    )


def one_event(modeladmin, request, queryset):
    """The one event an action works on, or None (with a message) for another selection."""
    events = list(queryset[:2])
    if len(events) != 1:
        modeladmin.message_user(request, "Select exactly one event.", messages.WARNING)
        return None
    return events[0]


def _readable(field, value, tz):
    if isinstance(value, datetime):
        return f"{value.astimezone(tz):%a, %b %-d, %Y, %H:%M} ({tz.key})"
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        return value
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [item.pk if isinstance(item, Model) else item for item in (value or [])]
        return sorted(str(obj) for obj in field.queryset.model._default_manager.filter(pk__in=pks))
    if value not in (None, ""):
        if not isinstance(value, Model):
            value = field.queryset.model._default_manager.filter(pk=value).first()
        return str(value) if value is not None else None
    return value


class ChangeHistoryMixin(_AdminBase):
    """Admin's history line for an edit names each changed field with its old and new value
    ("Changed capacity: 40 → 30; room: W230 → W231."), times in the object's event zone,
    instead of admin's bare field names. `history_tz(obj)` gives the zone."""

    def history_tz(self, obj):
        raise NotImplementedError

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if add or not form.changed_data:
            return message
        tz = self.history_tz(form.instance)
        names = [name for name in form.changed_data if name in form.fields]
        before = {n: _readable(form.fields[n], form.initial.get(n), tz) for n in names}
        after = {n: _readable(form.fields[n], form.cleaned_data.get(n), tz) for n in names}
        text = audit_changes(before, after)
        rest = [item for item in message if "changed" not in item or item["changed"].get("name")]
        if rest:
            text += " " + LogEntry(change_message=json.dumps(rest)).get_change_message()
        return text or message
