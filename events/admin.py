import io
from functools import partial

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from . import admin_announce
from .lunch_admin import LUNCH_ACTIONS, LUNCH_INLINES, lunch_after_admin_save, lunch_inlines_for
from .models import Event, Registration, Room, Session
from .roster import roster_write_csv
from .services import session_update
from .services.cache import agenda_cache_bump
from .services.registrations import UPDATABLE


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city", "starts_on", "ends_on", "timezone", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoomInline]

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
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "location"]
    list_filter = ["event"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        agenda_cache_bump(obj.event_id)  # room names are on the cached agenda cards


class RegistrationInline(admin.TabularInline):
    """Roster and waitlist of the session, read-only: seats change only through the services."""

    model = Registration
    extra = 0
    can_delete = False
    fields = ["user", "status", "created_at", "confirmed_at", "cancelled_at"]
    readonly_fields = fields
    ordering = ["status", "created_at", "id"]
    verbose_name_plural = "Roster and waitlist (arrival order)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .exclude(status=Registration.Status.CANCELLED)
        )


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "event",
        "kind",
        "starts_at",
        "room",
        "capacity",
        "registration_mode",
        "is_published",
        "roster_link",
    ]
    inlines = [RegistrationInline, *LUNCH_INLINES]
    actions = ["announce", *LUNCH_ACTIONS]
    list_filter = ["event", "kind", "registration_mode", "is_published", "career_paths"]
    search_fields = ["title", "key", "description"]
    list_select_related = ["event", "room"]
    filter_horizontal = ["career_paths"]
    date_hierarchy = "starts_at"
    fieldsets = (
        (None, {"fields": ("event", "key", "title", "kind", "description", "speakers")}),
        ("When and where", {"fields": ("starts_at", "ends_at", "room")}),
        (
            "Registration",
            {
                "fields": (
                    "registration_mode",
                    "capacity",
                    "audience",
                    "registration_opens_at",
                    "registration_closes_at",
                )
            },
        ),
        ("Topics", {"fields": ("career_paths", "is_published")}),
    )

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

    def roster_csv(self, request, pk: int):
        session = get_object_or_404(Session, pk=pk)
        if not self.has_view_permission(request, session):
            return HttpResponse(status=403)
        out = io.StringIO()
        roster_write_csv(session=session, out=out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="roster-session-{session.pk}.csv"'
        return response

    def get_inlines(self, request, obj):
        return lunch_inlines_for(obj, self.inlines)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        lunch_after_admin_save(form.instance)

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
        updated = session_update(session=fresh, changes=changes)
        obj.pk = updated.pk
