from functools import partial
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from config.admin_time import AdminZone, moment_column
from config.csv_safe import csv_download
from notifications.admin import register_time_zones

from . import admin_announce, hooks
from .admin_actions import ActionPermissionsMixin, ChangeHistoryMixin
from .admin_cancel import cancel_sessions
from .admin_checks import SessionCheckedForm
from .admin_clone import event_clone_action
from .admin_forms import EventAdminForm
from .admin_import import agenda_export_action, agenda_import_action
from .admin_list import SESSION_LIST_FILTERS, seats_column, sessions_annotate_counts
from .admin_publish import event_publish_action, sessions_publish_action, sessions_unpublish_action
from .admin_time import (
    EventZoneAdmin,
    EventZoneInline,
    event_zone,
    session_when_html,
    shared_zone,
    zone_named,
)
from .models import Event, Registration, Room, Session
from .roster import roster_write_csv
from .selectors import waitlist_position_expression
from .services import session_update
from .services.cache import agenda_cache_bump
from .services.registrations import UPDATABLE


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Event)
class EventAdmin(ActionPermissionsMixin, ChangeHistoryMixin, EventZoneAdmin, admin.ModelAdmin):
    form = EventAdminForm
    actions = [
        event_publish_action,
        agenda_import_action,
        agenda_export_action,
        event_clone_action,
    ]
    event_path = ""
    list_display = ["name", "slug", "city", "starts_on", "ends_on", "timezone", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoomInline]

    def history_tz(self, obj):
        return obj.tz

    def page_zone(self, request, obj) -> AdminZone:
        # The registration window is typed in the zone the form names (a new event's, or a
        # changed one), else the event's own.
        if request.method == "POST":
            typed = zone_named(
                request.POST.get("timezone", ""), city=request.POST.get("city", "").strip()
            )
            if typed is not None:
                return typed
        if obj is not None:
            return event_zone(obj)
        default = Event._meta.get_field("timezone").get_default()
        return AdminZone(
            tz=ZoneInfo(default),
            label=f"In the event's own time zone (“Timezone” above: {default})",
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Cached agenda pages show the event, its rooms and whether it is published.
        agenda_cache_bump(form.instance.pk)

    def delete_model(self, request, obj):
        agenda_cache_bump(obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for event_id in queryset.values_list("pk", flat=True):
            agenda_cache_bump(event_id)
        super().delete_queryset(request, queryset)


@admin.register(Room)
class RoomAdmin(EventZoneAdmin, admin.ModelAdmin):
    list_display = ["name", "event", "location", "capacity"]
    list_filter = ["event"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        agenda_cache_bump(obj.event_id)  # room names are on the cached agenda cards


class RegistrationInline(EventZoneInline, admin.TabularInline):
    """Roster and waitlist of the session, read-only: seats change only through the services."""

    model = Registration
    event_path = "session__event"
    extra = 0
    can_delete = False
    fields = ["user", "email", "status", "position", "arrived", "confirmed", "cancelled"]
    readonly_fields = fields
    arrived = moment_column("created_at", "arrived")
    confirmed = moment_column("confirmed_at", "confirmed")
    cancelled = moment_column("cancelled_at", "cancelled")
    ordering = ["status", "created_at", "id"]
    verbose_name_plural = "Roster and waitlist (arrival order)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="email")
    def email(self, obj: Registration) -> str:
        return obj.user.email

    @admin.display(description="waitlist position")
    def position(self, obj: Registration) -> int | str:
        return obj.position if obj.status == Registration.Status.WAITLISTED else ""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "session__event")
            .active()
            .annotate(position=waitlist_position_expression())
        )


@admin.register(Session)
class SessionAdmin(ActionPermissionsMixin, ChangeHistoryMixin, EventZoneAdmin, admin.ModelAdmin):
    form = SessionCheckedForm
    list_display = [
        "title",
        "event",
        "when",
        "room",
        "kind",
        "seats",
        "waitlist",
        "is_published",
        "is_cancelled",
        "roster_link",
    ]
    inlines = [RegistrationInline]
    list_filter = SESSION_LIST_FILTERS
    # Speakers are a JSON list: the search looks for the typed text in their names.
    search_fields = ["title", "key", "speakers"]
    list_select_related = ["event", "room"]
    date_hierarchy = "starts_at"
    fieldsets = (
        (None, {"fields": ("event", "key", "title", "kind", "description", "speakers")}),
        (
            "When and where",
            {"fields": ("starts_at", "ends_at", "room", "confirm_move", "move_seen")},
        ),
        (
            "Registration",
            {
                "fields": (
                    "registration_mode",
                    "capacity",
                    "capacity_override",
                    "release_overflow",
                    "audience",
                    "registration_opens_at",
                    "registration_closes_at",
                )
            },
        ),
        ("Topics", {"fields": ("career_paths", "is_published")}),
    )

    @admin.display(description="when", ordering="starts_at")
    def when(self, obj: Session) -> str:
        return session_when_html(obj)

    @admin.display(description="seats taken", ordering="seats_taken")
    def seats(self, obj: Session) -> str:
        return seats_column(obj)

    @admin.display(description="waitlist", ordering="waiting")
    def waitlist(self, obj: Session) -> int:
        return obj.waiting

    @admin.display(description="cancelled", boolean=True, ordering="cancelled_at")
    def is_cancelled(self, obj: Session) -> bool:
        return obj.cancelled_at is not None

    def get_queryset(self, request):
        return sessions_annotate_counts(super().get_queryset(request))

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if not request.user.has_perm("events.view_registration"):
            columns = [column for column in columns if column != "roster_link"]
        if request.GET.get("event__id__exact") or Event.objects.count() < 2:
            return [column for column in columns if column != "event"]  # nothing to tell apart
        return columns

    @admin.display(description="roster")
    def roster_link(self, obj: Session) -> str:
        return format_html(
            '<a href="{}">CSV</a>', reverse("admin:events_session_roster", args=[obj.pk])
        )

    @admin.action(description="Send an announcement to registrants…", permissions=["change"])
    def announce(self, request, queryset):
        """Compose, preview (with a test to oneself), then send: see events/admin_announce.py."""
        return admin_announce.announce(self, request, queryset)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/roster.csv",
                self.admin_site.admin_view(self.roster_csv),
                name="events_session_roster",
            ),
            path(
                "announce/<str:token>/email.html",
                self.admin_site.admin_view(partial(admin_announce.announce_email_html, self)),
                name="events_session_announce_email",
            ),
        ]
        return urls + super().get_urls()

    @method_decorator(require_GET)
    def roster_csv(self, request, pk: int):
        # A roster lists people (emails, names): reading it is viewing registrations.
        if not request.user.has_perm("events.view_registration"):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        response = csv_download(f"roster-session-{session.pk}.csv")
        roster_write_csv(session=session, out=response)
        return response

    def changelist_view(self, request, extra_context=None):
        # An action posted by someone whose permissions do not offer it is a forged POST:
        # refused outright (admin alone would only say "no action selected").
        name = request.POST.get("action", "") if request.method == "POST" else ""
        if name and name not in self.get_actions(request) and self.get_action(name):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Cancel sessions and tell everyone registered…", permissions=["change"]
    )
    def cancel_sessions(self, request, queryset):
        """Reason and confirmation first: see events/admin_cancel.py."""
        return cancel_sessions(self, request, queryset)

    # Apps built on events add inlines and actions for their sessions (the lunch's tables).
    @property
    def actions(self) -> list:
        return [
            "announce",
            "cancel_sessions",
            sessions_publish_action,
            sessions_unpublish_action,
            *(a for ext in hooks.session_admin_extensions for a in ext.actions),
        ]

    def history_tz(self, obj):
        return obj.event.tz

    def get_inlines(self, request, obj):
        extra = [
            inline
            for ext in hooks.session_admin_extensions
            if obj is not None and ext.applies(obj)
            for inline in ext.inlines
        ]
        return [*self.inlines, *extra]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for ext in hooks.session_admin_extensions:
            if ext.after_save is not None:
                ext.after_save(form.instance)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Edits go through the service: a move bumps the calendar SEQUENCE, more seats promote.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in UPDATABLE}
        fresh = Session.objects.get(pk=obj.pk)
        for name in set(form.changed_data) - UPDATABLE - {"career_paths"}:
            setattr(fresh, name, form.cleaned_data[name])
        if set(form.changed_data) - UPDATABLE - {"career_paths"}:
            fresh.save()
        updated = session_update(
            session=fresh,
            changes=changes,
            release_overflow=form.cleaned_data.get("release_overflow", False),
        )
        obj.pk = updated.pk


def notification_time_zone(queryset: QuerySet) -> QuerySet:
    """Outbox rows about a session (their context names it) read in its event's zone."""
    session_id = Cast(KT("context__session_id"), IntegerField())
    zone = Session.objects.filter(pk=OuterRef("about_session_id")).values("event__timezone")
    return queryset.annotate(about_session_id=session_id, row_time_zone=Subquery(zone[:1]))


register_time_zones(annotate=notification_time_zone, list_zone=shared_zone)
