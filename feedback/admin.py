from django.contrib import admin
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


@admin.register(SpeakerAccount)
class SpeakerAccountAdmin(admin.ModelAdmin):
    """Links a speaker (a name on a session) to their account, so they see that session's
    feedback at /feedback/mine/."""

    list_display = ["session", "user", "created_at"]
    list_filter = ["session__event"]
    search_fields = ["session__title", "user__email", "user__name"]
    autocomplete_fields = ["session", "user"]
    list_select_related = ["session", "user"]
