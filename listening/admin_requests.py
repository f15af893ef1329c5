"""Admin of listening requests and their review (holders of listening.review_requests only).

The review queue is the requests' changelist, filtered by status, format and topic. Reviewers
accept or decline one or many requests through two actions, each with a confirmation page
that asks for an optional message; nothing a member wrote is edited by hand. Superusers and
other staff without the permission do not see the app at all."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.template.response import TemplateResponse

from .forms import DecisionForm
from .models import Format, ListeningRequest, ReviewLogEntry, Topic
from .selectors.requests import is_reviewer
from .services.requests import listening_requests_decide


class ReviewerOnlyMixin:
    """Every admin permission comes from listening.review_requests, never from is_superuser."""

    def has_module_permission(self, request) -> bool:
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_reviewer(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _ListFilter(admin.SimpleListFilter):
    enum: type[models.TextChoices]
    field: str

    def lookups(self, request, model_admin):
        return self.enum.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.enum.values:
            return queryset.filter(**{f"{self.field}__contains": [value]})
        return queryset


class FormatFilter(_ListFilter):
    title = "format"
    parameter_name = "format"
    enum = Format
    field = "formats"


class TopicFilter(_ListFilter):
    title = "topic"
    parameter_name = "topic"
    enum = Topic
    field = "topics"


class ReviewLogInline(ReviewerOnlyMixin, admin.TabularInline):
    model = ReviewLogEntry
    fields = ("created_at", "actor", "action", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ListeningRequest)
class ListeningRequestAdmin(ReviewerOnlyMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "person",
        "email",
        "status",
        "format_list",
        "topic_list",
        "created_at",
    ]
    list_filter = ["status", FormatFilter, TopicFilter, "event"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user", "event"]
    actions = ["accept_requests", "decline_requests"]
    fields = (
        "event",
        "user",
        "status",
        "formats",
        "topics",
        "topic_other",
        "availability",
        "time_zone",
        "note",
        "consent_at",
        "decision_message",
        "decided_by",
        "decided_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [ReviewLogInline]

    def has_review_permission(self, request) -> bool:
        return is_reviewer(request.user)

    def get_actions(self, request):
        # admin's "delete selected" would bypass the log and the emails.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="name", ordering="user__name")
    def person(self, obj: ListeningRequest) -> str:
        return obj.user.get_full_name()

    @admin.display(description="email", ordering="user__email")
    def email(self, obj: ListeningRequest) -> str:
        return obj.user.email

    @admin.display(description="formats")
    def format_list(self, obj: ListeningRequest) -> str:
        return ", ".join(Format(v).label for v in obj.formats if v in Format.values)

    @admin.display(description="topics")
    def topic_list(self, obj: ListeningRequest) -> str:
        labels = [Topic(v).label for v in obj.topics if v in Topic.values]
        return ", ".join(labels + ([f"“{obj.topic_other}”"] if obj.topic_other else []))

    @admin.action(description="Accept selected requests…", permissions=["review"])
    def accept_requests(self, request, queryset):
        return self._decide(request, queryset, accept=True)

    @admin.action(description="Decline selected requests…", permissions=["review"])
    def decline_requests(self, request, queryset):
        return self._decide(request, queryset, accept=False)

    def _decide(self, request, queryset, *, accept: bool):
        """A confirmation page that names the people and asks for an optional message; the
        POST from it decides each waiting request and emails each person once."""
        chosen = list(queryset.select_related("user").order_by("created_at", "id"))
        waiting = [r for r in chosen if r.status == ListeningRequest.Status.SUBMITTED]
        other = [r for r in chosen if r.status != ListeningRequest.Status.SUBMITTED]
        if not waiting:
            self.message_user(
                request,
                "Nothing to do: none of the selected requests is waiting for a decision.",
                messages.WARNING,
            )
            return None
        applying = "apply" in request.POST
        form = DecisionForm(
            request.POST if applying else None,
            initial={"decision": "accept" if accept else "decline"},
        )
        if applying and form.is_valid():
            done, refused = listening_requests_decide(
                requests=waiting,
                accept=accept,
                message=form.cleaned_data["message"],
                reviewer=request.user,
            )
            for reason in refused:
                self.message_user(request, reason, messages.WARNING)
            if done:
                self.message_user(
                    request,
                    f"{'Accepted' if accept else 'Declined'} {done} request"
                    f"{'s' if done != 1 else ''}; each person gets one email.",
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Accept requests" if accept else "Decline requests",
            "opts": self.model._meta,
            "form": form,
            "accept": accept,
            "waiting": waiting,
            "other": other,
            "action": "accept_requests" if accept else "decline_requests",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/listening/listeningrequest/decide.html", context)


@admin.register(ReviewLogEntry)
class ReviewLogEntryAdmin(ReviewerOnlyMixin, admin.ModelAdmin):
    """The audit trail: who submitted, accepted or declined which request, and when."""

    list_display = ["created_at", "actor", "action", "request"]
    list_filter = ["action"]
    list_select_related = ["actor", "request"]
    fields = ("created_at", "actor", "action", "request", "detail")
    readonly_fields = fields
