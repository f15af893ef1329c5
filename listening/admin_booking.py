"""Admin of interview slots, bookings, groups and places (holders of listening.review_requests only).

Superusers and other staff see none of it: every permission check asks for the listening
permission itself (`holds_review_permission`), never `is_superuser`. Slots are generated from
a facilitator's availability window, typed in the event's time zone."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.models import User
from events.admin_time import EventZoneAdmin, event_zone
from events.models import Event

from .models import (
    BelongingGroup,
    Format,
    GroupPlace,
    InterviewBooking,
    InterviewSlot,
    ListeningRequest,
)
from .selectors.booking_access import holds_review_permission
from .services.groups import group_assign
from .services.interviews import interview_slots_generate
from .timefmt import when_in


class ReviewerOnly:
    """Every page and action of the model: holders of the listening permission only."""

    # Meeting links typed without a scheme are https (Django 6's default, asked for now).
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"},
    }

    def has_module_permission(self, request):
        return holds_review_permission(request.user)

    def has_view_permission(self, request, obj=None):
        return holds_review_permission(request.user)

    def has_add_permission(self, request):
        return holds_review_permission(request.user)

    def has_change_permission(self, request, obj=None):
        return holds_review_permission(request.user)

    def has_delete_permission(self, request, obj=None):
        return holds_review_permission(request.user)


class ReadOnlyForReviewers(ReviewerOnly):
    """Bookings and places are made by their services (with emails); admin only lists them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SlotWindowForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.order_by("-starts_on"))
    facilitator = forms.EmailField(help_text="The facilitator's account email.")
    day = forms.DateField(help_text="YYYY-MM-DD, a day of the meeting.")
    start = forms.TimeField(label="From", help_text="HH:MM, in the event's time zone.")
    end = forms.TimeField(label="To", help_text="HH:MM, in the event's time zone.")
    minutes = forms.TypedChoiceField(
        label="Length", choices=InterviewSlot.Length.choices, coerce=int
    )
    meeting_url = forms.URLField(
        label="Meeting link", max_length=500, required=False, assume_scheme="https"
    )

    def clean_facilitator(self):
        email = self.cleaned_data["facilitator"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError("No active account has this email.")
        return user


@admin.register(InterviewSlot)
class InterviewSlotAdmin(ReviewerOnly, EventZoneAdmin, admin.ModelAdmin):
    list_display = ["when", "facilitator", "minutes", "is_booked"]
    list_filter = ["event", "minutes"]
    search_fields = ["facilitator__email", "facilitator__name"]
    raw_id_fields = ["facilitator"]
    change_list_template = "admin/listening/interviewslot/change_list.html"

    @admin.display(description="When", ordering="starts_at")
    def when(self, obj):
        return when_in(obj.starts_at, obj.minutes, obj.event.tz)

    @admin.display(description="Booked", boolean=True)
    def is_booked(self, obj):
        return any(b.status != InterviewBooking.Status.CANCELLED for b in obj.bookings.all())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("event", "facilitator")
            .prefetch_related("bookings")
        )

    def get_urls(self):
        generate = self.admin_site.admin_view(self.generate_view)
        return [
            path("generate/", generate, name="listening_interviewslot_generate"),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SlotWindowForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                made = interview_slots_generate(
                    event=data["event"],
                    facilitator=data["facilitator"],
                    day=data["day"],
                    start=data["start"],
                    end=data["end"],
                    minutes=data["minutes"],
                    meeting_url=data["meeting_url"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                zone = event_zone(data["event"])
                self.message_user(
                    request,
                    f"{len(made)} slot{'s' if len(made) != 1 else ''} published for "
                    f"{data['facilitator'].get_full_name()} on {data['day']:%A, %B %-d} "
                    f"({zone.label}).",
                    messages.SUCCESS,
                )
                return redirect("admin:listening_interviewslot_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Generate interview slots from an availability window",
            "form": form,
        }
        return TemplateResponse(request, "admin/listening/interviewslot/generate.html", context)


@admin.register(InterviewBooking)
class InterviewBookingAdmin(ReadOnlyForReviewers, EventZoneAdmin, admin.ModelAdmin):
    list_display = ["when", "user", "facilitator", "status"]
    list_filter = ["status", "event"]
    event_path = "slot__event"

    @admin.display(description="When", ordering="slot__starts_at")
    def when(self, obj):
        return when_in(obj.slot.starts_at, obj.slot.minutes, obj.slot.event.tz)

    @admin.display(description="Facilitator")
    def facilitator(self, obj):
        return obj.slot.facilitator.get_full_name()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("slot", "slot__event", "slot__facilitator", "user")
        )


class AssignForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group: BelongingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = ListeningRequest.objects.filter(
            event=group.event,
            status=ListeningRequest.Status.ACCEPTED,
            formats__contains=[Format.GROUP],
        ).values("user")
        placed = GroupPlace.objects.filter(group__event=group.event, status="active").values("user")
        field = self.fields["people"]
        field.queryset = (
            User.objects.filter(pk__in=accepted).exclude(pk__in=placed).order_by("name", "pk")
        )
        field.label_from_instance = lambda u: f"{u.get_full_name()} <{u.email}>"


@admin.register(BelongingGroup)
class BelongingGroupAdmin(ReviewerOnly, EventZoneAdmin, admin.ModelAdmin):
    list_display = ["title", "topic", "when", "capacity", "filled", "open_to_choice"]
    list_filter = ["event", "topic", "open_to_choice"]
    filter_horizontal = ["facilitators"]
    actions = ["assign_participants"]

    @admin.display(description="When", ordering="starts_at")
    def when(self, obj):
        minutes = int((obj.ends_at - obj.starts_at).total_seconds() // 60)
        return when_in(obj.starts_at, minutes, obj.event.tz)

    @admin.display(description="Places taken")
    def filled(self, obj):
        return sum(1 for p in obj.places.all() if p.status == GroupPlace.Status.ACTIVE)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event").prefetch_related("places")

    @admin.action(description="Assign accepted participants to the selected group")
    def assign_participants(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Choose exactly one group to assign people to.", messages.ERROR
            )
            return None
        group = queryset.get()
        form = AssignForm(request.POST if "confirm" in request.POST else None, group=group)
        if "confirm" in request.POST and form.is_valid():
            placed, refused = group_assign(
                group=group, users=list(form.cleaned_data["people"]), reviewer=request.user
            )
            self.message_user(
                request,
                f"{len(placed)} placed in {group.title}; each gets a confirmation email.",
                messages.SUCCESS,
            )
            for user, reason in refused:
                self.message_user(request, f"{user.get_full_name()}: {reason}", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Assign participants to {group.title}",
            "group": group,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:listening_belonginggroup_changelist"),
        }
        return TemplateResponse(request, "admin/listening/belonginggroup/assign.html", context)


@admin.register(GroupPlace)
class GroupPlaceAdmin(ReadOnlyForReviewers, EventZoneAdmin, admin.ModelAdmin):
    list_display = ["group", "user", "status", "assigned_by"]
    list_filter = ["status", "group__topic"]
    event_path = "group__event"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "user", "assigned_by")
