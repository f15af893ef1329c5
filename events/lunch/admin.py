"""Admin for the career lunch: rotations and tables as inlines of a `tables` session, hosts as
inlines of a table, and two actions on sessions ("copy the tables of another lunch",
"generate rotations"). Seats change only through the services."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from config.admin_time import AdminZone, format_span, zone_abbreviation
from events.admin_time import EventZoneAdmin, EventZoneInline, event_zone
from events.models import LunchRotation, LunchTable, Session, TableHost

from .forms import LunchCopyForm, RotationsGenerateForm
from .services import lunch_rotations_generate, lunch_tables_copy, table_waitlists_promote


class LunchRotationInline(EventZoneInline, admin.TabularInline):
    """Rotation times in the lunch's event's zone (the session page's zone, named in the
    column heads)."""

    model = LunchRotation
    event_path = "session__event"
    extra = 0
    fields = ["number", "starts_at", "ends_at"]
    verbose_name_plural = "Lunch rotations (or use the action “Generate lunch rotations”)"


class LunchTableInline(admin.TabularInline):
    model = LunchTable
    extra = 0
    fields = ["number", "career_path", "title", "seats", "host_names"]
    readonly_fields = ["host_names"]
    show_change_link = True
    verbose_name_plural = "Lunch tables (open a table to edit its hosts)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("career_path").prefetch_related("hosts")

    @admin.display(description="hosts")
    def host_names(self, obj: LunchTable) -> str:
        return ", ".join(host.name for host in obj.hosts.all()) if obj.pk else ""


LUNCH_INLINES = [LunchRotationInline, LunchTableInline]


def is_lunch(obj: Session) -> bool:
    """The lunch inlines show only on a `tables` session."""
    return obj.registration_mode == Session.Mode.TABLES


def lunch_after_admin_save(obj: Session) -> None:
    """More seats at a table (edited inline) take people from the cell's waitlist."""
    if is_lunch(obj):
        table_waitlists_promote(session=obj)


def rotations_text(rotations: list[LunchRotation], zone: AdminZone) -> str:
    """Reads "Sat, Dec 7, 2019: 12:00–12:20, 12:20–12:40 EST."""
    if not rotations:
        return ""
    starts = [r.starts_at.astimezone(zone.tz) for r in rotations]
    ends = [r.ends_at.astimezone(zone.tz) for r in rotations]
    if len({moment.date() for moment in starts + ends}) > 1:
        spans = [format_span(r.starts_at, r.ends_at, zone.tz) for r in rotations]
        return "; ".join(spans) + "."
    spans = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in zip(starts, ends, strict=True))
    return f"{starts[0]:%a, %b %-d, %Y}: {spans} {zone_abbreviation(ends[-1])}."


def _intermediate(modeladmin, request, queryset, *, title, form, action, template):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "sessions": queryset,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)


def _lunches(modeladmin, request, queryset):
    lunches = list(queryset.filter(registration_mode=Session.Mode.TABLES).select_related("event"))
    if not lunches:
        modeladmin.message_user(
            request, "Select sessions whose registration mode is “tables”.", messages.WARNING
        )
    return lunches


@admin.action(description="Copy the tables of another lunch…", permissions=["change"])
def lunch_tables_copy_action(modeladmin, request, queryset):
    targets = _lunches(modeladmin, request, queryset)
    if not targets:
        return None
    applying = "apply" in request.POST
    form = LunchCopyForm(request.POST if applying else None, exclude=targets)
    if applying and form.is_valid():
        source = form.cleaned_data["source"]
        for target in targets:
            try:
                copies = lunch_tables_copy(source=source, target=target)
            except ValidationError as exc:
                modeladmin.message_user(request, exc.messages[0], messages.ERROR)
                continue
            modeladmin.message_user(
                request,
                f"Copied {len(copies)} tables with their hosts into “{target.title}”.",
                messages.SUCCESS,
            )
        return None
    return _intermediate(
        modeladmin,
        request,
        targets,
        title="Copy the tables of another lunch",
        form=form,
        action="lunch_tables_copy_action",
        template="admin/events/session/lunch_action.html",
    )


@admin.action(description="Generate lunch rotations…", permissions=["change"])
def lunch_rotations_generate_action(modeladmin, request, queryset):
    targets = _lunches(modeladmin, request, queryset)
    if not targets:
        return None
    applying = "apply" in request.POST
    form = RotationsGenerateForm(request.POST if applying else None)
    if applying and form.is_valid():
        for target in targets:
            zone = event_zone(target.event)
            try:
                rotations = lunch_rotations_generate(session=target, **form.cleaned_data)
            except ValidationError as exc:
                modeladmin.message_user(
                    request,
                    f"{target.title}: {exc.messages[0]} Times are {zone.label}.",
                    messages.ERROR,
                )
                continue
            modeladmin.message_user(
                request,
                f"“{target.title}” has {len(rotations)} rotations. {rotations_text(rotations, zone)}",
                messages.SUCCESS,
            )
        return None
    return _intermediate(
        modeladmin,
        request,
        targets,
        title="Generate lunch rotations from the lunch's start",
        form=form,
        action="lunch_rotations_generate_action",
        template="admin/events/session/lunch_action.html",
    )


LUNCH_ACTIONS = [lunch_tables_copy_action, lunch_rotations_generate_action]


class TableHostInline(admin.StackedInline):
    model = TableHost
    extra = 1
    fields = [("name", "role", "organisation"), "bio", "user"]
    raw_id_fields = ["user"]


@admin.register(LunchTable)
class LunchTableAdmin(EventZoneAdmin, admin.ModelAdmin):
    event_path = "session__event"
    list_display = ["__str__", "session", "career_path", "seats", "host_list", "people", "roster"]
    list_filter = ["session__event", "career_path"]
    list_select_related = ["session__event", "career_path"]
    search_fields = ["title", "hosts__name", "session__title"]
    inlines = [TableHostInline]
    ordering = ["session", "number"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hosts")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.filter(
                registration_mode=Session.Mode.TABLES
            ).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="hosts")
    def host_list(self, obj: LunchTable) -> str:
        return ", ".join(host.name for host in obj.hosts.all())

    # Each list asks for its own permission; its column shows only to those who hold it.
    LINK_PERMISSIONS = {
        "people": "events.view_tableseat",
        "roster": "events.view_catering_needs",
    }

    def get_list_display(self, request):
        return [
            column
            for column in super().get_list_display(request)
            if column not in self.LINK_PERMISSIONS
            or request.user.has_perm(self.LINK_PERMISSIONS[column])
        ]

    def _link(self, obj: LunchTable, name: str, text: str) -> str:
        kwargs = {"slug": obj.session.event.slug, "pk": obj.session_id, "table_id": obj.pk}
        return format_html('<a href="{}">{}</a>', reverse(f"events:{name}", kwargs=kwargs), text)

    @admin.display(description="people")
    def people(self, obj: LunchTable) -> str:
        return self._link(obj, "lunch_table_guests", "people")

    @admin.display(description="roster")
    def roster(self, obj: LunchTable) -> str:
        return self._link(obj, "lunch_table_roster", "CSV")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        lunch_after_admin_save(form.instance.session)
