from collections.abc import Callable
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from config.admin_time import UTC, UTC_ZONE, AdminZone, ZoneAdminMixin, moment_column
from config.audit import audit_record

from .models import Announcement, Notification, NotificationPreference
from .services import notification_resend

# --- which zone a row's times read in ----------------------------------------------------------
# The outbox knows no events. The app whose rows are about something that happens somewhere
# hands over how to find that place's zone: a queryset annotation `row_time_zone` (a zone
# name, or NULL for rows about nothing in particular: those read in UTC), and the zone the
# list's day links count in (None: UTC).

RowZoneAnnotation = Callable[[QuerySet[Any]], QuerySet[Any]]
_row_zone_annotations: list[RowZoneAnnotation] = []
_list_zones: list[Callable[[], AdminZone | None]] = []


def register_time_zones(
    *, annotate: RowZoneAnnotation, list_zone: Callable[[], AdminZone | None]
) -> None:
    if annotate not in _row_zone_annotations:
        _row_zone_annotations.append(annotate)
    if list_zone not in _list_zones:
        _list_zones.append(list_zone)


def _zone_named(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ValueError, ZoneInfoNotFoundError):
        return UTC


@admin.register(Notification)
class NotificationAdmin(ZoneAdminMixin, admin.ModelAdmin):
    """The outbox, read-only: rows change only through delivery and the "resend" action.
    Times read in the zone of the event the email is about, else in UTC; each says which."""

    list_display = [
        "kind",
        "recipient_display",
        "status",
        "due",
        "sent",
        "attempts",
        "error_short",
    ]
    list_filter = ("status", "category", "kind")
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
        "due",
        "expires",
        "status",
        "attempts",
        "last_error",
        "created",
        "sent",
    ]
    fields = tuple(readonly_fields)  # the outbox is a record: nothing on this page is an input
    due = moment_column("due_at", "due")
    expires = moment_column("expires_at", "expires")
    created = moment_column("created_at", "created")
    sent = moment_column("sent_at", "sent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        queryset = super().get_queryset(request)
        for annotate in _row_zone_annotations:
            queryset = annotate(queryset)
        return queryset

    def row_zone(self, obj: Notification) -> tzinfo:
        return _zone_named(getattr(obj, "row_time_zone", None))

    def list_zone(self, request: HttpRequest) -> AdminZone:
        for list_zone in _list_zones:
            zone = list_zone()
            if zone is not None:
                return zone
        return UTC_ZONE

    @admin.display(description="to", ordering="user__email")
    def recipient_display(self, obj: Notification) -> str:
        return obj.recipient

    @admin.display(description="error or reason")
    def error_short(self, obj: Notification) -> str:
        return obj.last_error[:120]

    @admin.action(
        description="Resend (failed: try again; sent: send a new copy)", permissions=["change"]
    )
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        queued = skipped = 0
        for notification in queryset.order_by("pk"):
            if notification_resend(notification=notification) is None:
                skipped += 1
            else:
                queued += 1
                audit_record(user=request.user, obj=notification, message="Resent.")
        if queued:
            self.message_user(request, f"{queued} queued for delivery.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: only failed or sent rows can be resent.",
                messages.WARNING,
            )


@admin.register(Announcement)
class AnnouncementAdmin(ZoneAdminMixin, admin.ModelAdmin):
    """Announcements are composed from a session's page ("Send an announcement to
    registrants" on the sessions list); here they are kept as a record."""

    list_display = ["subject", "target", "recipient_count", "delivery", "created_by", "created"]
    list_select_related = ["created_by"]
    search_fields = ["subject", "body", "target"]
    readonly_fields = [
        "subject",
        "body",
        "target",
        "target_url",
        "recipient_count",
        "created_by",
        "created",
    ]
    created = moment_column("created_at", "created")  # in UTC: it may span several events

    def has_add_permission(self, request: HttpRequest) -> bool:
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
class NotificationPreferenceAdmin(ZoneAdminMixin, admin.ModelAdmin):
    list_display = ["user", "reminders_enabled", "updated"]
    list_filter = ["reminders_enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    updated = moment_column("updated_at", "updated")
