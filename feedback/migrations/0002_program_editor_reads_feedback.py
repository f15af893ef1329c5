"""The program editor's job includes reading what attendees said about the program (the
staff page /staff/feedback/) and linking speakers to their accounts (docs/feedback.md)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Program editor"
PERMISSIONS = [
    "view_sessionfeedback",
    "add_speakeraccount", "change_speakeraccount", "delete_speakeraccount",
    "view_speakeraccount",
]  # fmt: skip


def grant(apps, schema_editor):
    # Permissions are made after the last migration of a fresh database: make them now.
    app_config = apps.get_app_config("feedback")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="feedback", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("accounts", "0006_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
