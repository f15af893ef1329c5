from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse

from config.admin_time import ZoneAdminMixin, moment_column
from config.admin_widgets import CheckboxList
from config.text import MultiLineFormField

from .models import MENTOR_NOTE_MAX_LENGTH, CareerPath, MentorApproval, Profile, User
from .services import mentor_approval_decide, profile_interests_forget, user_delete


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    exclude = ["calendar_token"]
    formfield_overrides = {models.ManyToManyField: {"widget": CheckboxList}}


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ZoneAdminMixin, BaseUserAdmin):
    """A person belongs to no one event: their dates read in UTC, and say so."""

    form = UserEditForm
    add_form = UserCreationForm
    inlines = [ProfileInline]
    ordering = ["email"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # The profile inline may change the stage or interests pages keep in the cache.
        profile_interests_forget(user=form.instance)

    list_display = ["email", "name", "career_stage", "is_mentor", "is_staff", "is_active"]
    list_filter = ["profile__career_stage", "profile__is_mentor", "is_staff", "is_active"]
    search_fields = ["email", "name", "profile__institution"]
    list_select_related = ["profile"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_logged_in", "joined")}),
    )
    readonly_fields = ["last_logged_in", "joined"]
    last_logged_in = moment_column("last_login", "last login")
    joined = moment_column("date_joined", "date joined")
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )

    # Deleting through the service runs the other apps' deletion hooks (a freed seat goes to
    # the waitlist), which a plain cascade would skip.
    def delete_model(self, request, obj: User) -> None:
        user_delete(user=obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            user_delete(user=user)

    @admin.display(description="career stage", ordering="profile__career_stage")
    def career_stage(self, obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_career_stage_display() if profile else ""

    @admin.display(description="mentor", boolean=True, ordering="profile__is_mentor")
    def is_mentor(self, obj: User) -> bool:
        profile = getattr(obj, "profile", None)
        return bool(profile and profile.is_mentor)


@admin.register(CareerPath)
class CareerPathAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


class MentorDecisionForm(forms.Form):
    note = MultiLineFormField(
        label="Your note",
        max_length=MENTOR_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you decide so. When you approve, the note is in the email to the mentor.",
    )


@admin.register(MentorApproval)
class MentorApprovalAdmin(ZoneAdminMixin, admin.ModelAdmin):
    """Coordinators approve or decline people who offered to mentor, once per person, through
    the two actions (each asks for a note on a confirmation page). Nothing is edited by hand:
    the record is made when the person ticks "I volunteer as a mentor"."""

    list_display = ["user", "email", "status", "offered", "decided", "decided_by", "note"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__name", "user__profile__institution"]
    list_select_related = ["user", "decided_by"]
    actions = ["approve_mentors", "decline_mentors"]
    fields = (
        "user",
        "institution",
        "career_stage",
        "bio",
        "expertise",
        "status",
        "note",
        "decided_by",
        "decided",
        "offered",
    )
    readonly_fields = fields  # nothing is edited by hand
    offered = moment_column("created_at", "offered at")
    decided = moment_column("decided_at", "decided at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("accounts.approve_mentor")

    @admin.display(description="email", ordering="user__email")
    def email(self, obj: MentorApproval) -> str:
        return obj.user.email

    def _profile(self, obj: MentorApproval):
        return getattr(obj.user, "profile", None)

    @admin.display(description="institution")
    def institution(self, obj: MentorApproval) -> str:
        profile = self._profile(obj)
        return profile.institution if profile else ""

    @admin.display(description="career stage")
    def career_stage(self, obj: MentorApproval) -> str:
        profile = self._profile(obj)
        return profile.get_career_stage_display() if profile else ""

    @admin.display(description="mentor bio")
    def bio(self, obj: MentorApproval) -> str:
        profile = self._profile(obj)
        return profile.mentor_bio if profile else ""

    @admin.display(description="expertise")
    def expertise(self, obj: MentorApproval) -> str:
        profile = self._profile(obj)
        return ", ".join(path.name for path in profile.expertise.all()) if profile else ""

    @admin.action(description="Approve selected mentors…", permissions=["approve"])
    def approve_mentors(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description="Decline selected mentors…", permissions=["approve"])
    def decline_mentors(self, request, queryset):
        return self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        """A confirmation page that names the people and asks for the note; the POST from it
        decides each pending person. Decided people are left as they are (once per person)."""
        chosen = list(queryset.select_related("user").order_by("created_at", "id"))
        pending = [a for a in chosen if a.status == MentorApproval.Status.PENDING]
        decided = [a for a in chosen if a.status != MentorApproval.Status.PENDING]
        if not pending:
            self.message_user(
                request,
                "Nothing to do: every selected person was decided on already (a decision is "
                "made once per person).",
                messages.WARNING,
            )
            return None
        applying = "apply" in request.POST
        form = MentorDecisionForm(request.POST if applying else None)
        if applying and form.is_valid():
            done = 0
            for approval in pending:
                try:
                    mentor_approval_decide(
                        approval=approval,
                        approve=approve,
                        note=form.cleaned_data["note"],
                        decided_by=request.user,
                    )
                except ValidationError as exc:
                    self.message_user(request, exc.messages[0], messages.WARNING)
                    continue
                done += 1
            if done:
                self.message_user(
                    request,
                    f"Approved {done} mentor{'s' if done != 1 else ''}; each gets an email."
                    if approve
                    else f"Declined {done} mentor offer{'s' if done != 1 else ''}; their held "
                    "Blood Buddies tables are released.",
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Approve mentors" if approve else "Decline mentor offers",
            "opts": self.model._meta,
            "form": form,
            "approve": approve,
            "pending": pending,
            "decided": decided,
            "action": "approve_mentors" if approve else "decline_mentors",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/mentorapproval/decide.html", context)
