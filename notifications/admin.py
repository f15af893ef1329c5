from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "status", "due_at", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["user__email", "key"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "kind",
        "key",
        "context",
        "due_at",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False
