from django.contrib import admin

from .models import Event, Room, Session


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city", "starts_on", "ends_on", "timezone", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "location"]
    list_filter = ["event"]
    search_fields = ["name"]


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
    ]
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
