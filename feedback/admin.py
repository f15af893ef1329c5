from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import ForeignKey
from django.http import HttpRequest

from .models import SessionFeedback, SpeakerAccount


@admin.register(SessionFeedback)
class SessionFeedbackAdmin(admin.ModelAdmin):
    """Read only, and without names: what people said is theirs; staff read it, as speakers
    do, without knowing who said it (the staff page `/staff/feedback/` has the aggregates)."""

    list_display = ["session", "rating", "comment", "created_at"]
    list_filter = ["rating", "session__kind", "session__event"]
    search_fields = ["session__title", "comment"]
    fields = ("session", "rating", "comment", "created_at")
    readonly_fields = fields
    list_select_related = ["session"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class _IdAutocomplete(AutocompleteSelect):
    """Django's autocomplete, but a value that is no id (" " from a forged or mistyped post)
    is left out when the form is shown again with its error, instead of failing the page."""

    def optgroups(self, name: str, value: Sequence[str], attrs: dict | None = None) -> list:
        return super().optgroups(name, [v for v in value if _is_id(v)], attrs)


def _is_id(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


@admin.register(SpeakerAccount)
class SpeakerAccountAdmin(admin.ModelAdmin):
    """Links a speaker (a name on a session) to their account, so they see that session's
    feedback at /feedback/mine/."""

    list_display = ["session", "user", "created_at"]
    list_filter = ["session__event"]
    search_fields = ["session__title", "user__email", "user__name"]
    autocomplete_fields = ["session", "user"]
    list_select_related = ["session", "user"]

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = _IdAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
