from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models

from config.admin_time import ZoneAdminMixin, moment_column
from config.admin_widgets import CheckboxList

from .models import CareerPath, Profile, User
from .services import profile_interests_forget, user_delete


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
