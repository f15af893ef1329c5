from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .models import Announcement, Notification, NotificationPreference
from .services import notification_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: rows change only through delivery and the "resend" action."""

    list_display = [
        "kind",
        "recipient_display",
        "status",
        "due_at",
        "sent_at",
        "attempts",
        "error_short",
    ]
    list_filter = ["status", "category", "kind"]
    search_fields = ["user__email", "to_email", "key"]
    list_select_related = ["user"]
    date_hierarchy = "due_at"
    actions = ["resend"]
    readonly_fields = [
        "user",
        "to_email",
        "kind",
        "category",
        "key",
        "context",
        "due_at",
        "expires_at",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="to", ordering="user__email")
    def recipient_display(self, obj: Notification) -> str:
        return obj.recipient

    @admin.display(description="error or reason")
    def error_short(self, obj: Notification) -> str:
        return obj.last_error[:120]

    @admin.action(description="Resend (failed: try again; sent: send a new copy)")
    def resend(self, request, queryset):
        queued = skipped = 0
        for notification in queryset.order_by("pk"):
            if notification_resend(notification=notification) is None:
                skipped += 1
            else:
                queued += 1
        if queued:
            self.message_user(request, f"{queued} queued for delivery.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: only failed or sent rows can be resent.",
                messages.WARNING,
            )


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Announcements are composed from a session's page ("Send an announcement to
    registrants" on the sessions list); here they are kept as a record."""

    list_display = ["subject", "target", "recipient_count", "delivery", "created_by", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["subject", "body", "target"]
    readonly_fields = [
        "subject",
        "body",
        "target",
        "target_url",
        "recipient_count",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="delivery")
    def delivery(self, obj: Announcement) -> str:
        # One small query per row: staff send a handful of announcements, not thousands.
        rows = Notification.objects.filter(key__startswith=f"announcement:{obj.pk}:")
        counts = dict(
            rows.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        url = (
            reverse("admin:notifications_notification_changelist")
            + "?"
            + urlencode({"key__startswith": f"announcement:{obj.pk}:"})
        )
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
        return format_html('<a href="{}">{}</a>', url, summary)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "reminders_enabled", "updated_at"]
    list_filter = ["reminders_enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
