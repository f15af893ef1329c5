"""The door staff's group (docs/security.md): check-in, walk-ins, the standby line and the
release of no-shows' seats ask for `events.change_registration`; the view permissions let
them find a session (and its id) in admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Door staff"
PERMISSIONS = [
    "events.view_event", "events.view_session",
    "events.view_registration", "events.change_registration",
]  # fmt: skip


def group_create(apps, schema_editor):
    # Permissions are made after the last migration of a fresh database: make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for label in PERMISSIONS:
        app_label, codename = label.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def group_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_staff_groups"),
        ("events", "0010_standby"),
    ]

    operations = [migrations.RunPython(group_create, group_remove)]
