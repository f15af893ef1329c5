from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from config.admin_time import format_span_html, moment_column
from events.admin_time import EventZoneAdmin, EventZoneInline, session_when
from events.services.cache import agenda_cache_bump

from .models import (
    ConversationFeedback,
    Meeting,
    MentorOffer,
    SpeedMentoringSlot,
    TraineeSignup,
)
from .services import schedule_draft
from .text import counted


class _ReadOnlyInline(EventZoneInline, admin.TabularInline):
    """Sign-ups change only through the services (the people's pages, the review page)."""

    event_path = "slot__session__event"
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MentorOfferInline(_ReadOnlyInline):
    model = MentorOffer
    fields = ["mentor", "capacity", "excluded_institutions", "table", "status", "signed_up"]
    readonly_fields = fields
    verbose_name_plural = "Mentors (sign-up order = table order)"
    signed_up = moment_column("created_at", "signed up")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mentor", "slot__session__event")


class TraineeSignupInline(_ReadOnlyInline):
    model = TraineeSignup
    fields = ["trainee", "status", "registration", "signed_up"]
    readonly_fields = fields
    verbose_name_plural = "Trainees"
    signed_up = moment_column("created_at", "signed up")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("trainee", "registration", "slot__session__event")
        )


@admin.register(SpeedMentoringSlot)
class SpeedMentoringSlotAdmin(EventZoneAdmin, admin.ModelAdmin):
    event_path = "session__event"
    list_display = [
        "session",
        "when",
        "rounds",
        "minutes_per_round",
        "tables",
        "signup_deadline",
        "state",
        "review_link",
    ]
    list_select_related = ["session__event"]
    readonly_fields = ["matched", "published", "revision", "review_link"]
    signup_deadline = moment_column("signup_closes_at", "sign-up deadline")
    matched = moment_column("matched_at", "matched")
    published = moment_column("published_at", "published")
    inlines = [MentorOfferInline, TraineeSignupInline]
    actions = ["run_matching"]

    @admin.display(description="when", ordering="session__starts_at")
    def when(self, obj: SpeedMentoringSlot) -> str:
        return format_span_html(obj.session.starts_at, obj.session.ends_at, self.row_zone(obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "session":
            # Its time tells "Blood Buddies — Session 2" from the others.
            field.queryset = field.queryset.select_related("event")
            field.label_from_instance = lambda s: f"{s.title} — {session_when(s)}"
        return field

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.matched_at is not None:
            # The draft or published schedule was made for these settings.
            fields += ["session", "rounds", "tables"]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        agenda_cache_bump(obj.session.event_id)  # the agenda tells each slot's state

    def delete_model(self, request, obj):
        agenda_cache_bump(obj.session.event_id)
        super().delete_model(request, obj)

    @admin.display(description="state")
    def state(self, obj: SpeedMentoringSlot) -> str:
        if obj.published_at:
            return f"published (revision {obj.revision})" if obj.revision else "published"
        return "draft schedule" if obj.matched_at else "sign-up"

    @admin.display(description="schedule")
    def review_link(self, obj: SpeedMentoringSlot) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("mentorship:review", kwargs={"session_id": obj.session_id})
        return format_html('<a href="{}">Review, publish, repair →</a>', url)

    @admin.action(
        description="Run matching (creates a draft schedule to review)", permissions=["change"]
    )
    def run_matching(self, request, queryset):
        for slot in queryset.select_related("session__event"):
            try:
                result = schedule_draft(slot=slot)
            except ValidationError as exc:
                self.message_user(request, f"{slot.session}: {exc.messages[0]}", messages.ERROR)
                continue
            url = reverse("mentorship:review", kwargs={"session_id": slot.session_id})
            self.message_user(
                request,
                format_html(
                    '{}: {}, {} with free rounds. <a href="{}">Review</a>',
                    slot.session,
                    counted(result.meetings, "conversation"),
                    counted(result.unmatched_trainees, "trainee"),
                    url,
                ),
                messages.SUCCESS,
            )


@admin.register(Meeting)
class MeetingAdmin(EventZoneAdmin, admin.ModelAdmin):
    event_path = "slot__session__event"
    list_display = ["slot", "round", "round_time", "table", "trainee", "mentor", "status", "score"]
    list_filter = ["status", "slot"]
    list_select_related = ["slot__session__event", "signup__trainee", "offer__mentor"]
    exclude = ["cancelled_at"]
    readonly_fields = ["cancelled"]
    cancelled = moment_column("cancelled_at", "cancelled")
    search_fields = ["signup__trainee__email", "offer__mentor__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="round time", ordering="round")
    def round_time(self, obj: Meeting) -> str:
        slot = obj.slot
        return format_span_html(
            slot.round_start(obj.round), slot.round_end(obj.round), self.row_zone(obj)
        )

    @admin.display(ordering="signup__trainee__name")
    def trainee(self, obj: Meeting):
        return obj.signup.trainee

    @admin.display(ordering="offer__mentor__name")
    def mentor(self, obj: Meeting):
        return obj.offer.mentor


@admin.register(ConversationFeedback)
class ConversationFeedbackAdmin(EventZoneAdmin, admin.ModelAdmin):
    event_path = "meeting__slot__session__event"
    list_display = ["meeting", "author", "rating", "comment", "given"]
    list_filter = ["rating"]
    list_select_related = ["meeting__slot__session__event", "author"]
    given = moment_column("created_at", "given")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Conversation feedback (per mentor: /mentorship/feedback/)",
        }
        return super().changelist_view(request, extra_context)
