"""The staff groups, one per job, with the permissions that job asks for (docs/security.md).
Give a person a job in admin › Users by adding them to its group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Program editor": [
        "events.add_event", "events.change_event", "events.view_event",
        "events.add_room", "events.change_room", "events.delete_room", "events.view_room",
        "events.add_session", "events.change_session", "events.delete_session",
        "events.view_session", "events.view_registration",
        "events.view_lunchrotation", "events.view_lunchtable", "events.view_tablehost",
        "mentorship.view_speedmentoringslot",
    ],
    "Lunch coordinator": [
        "events.view_event", "events.view_session", "events.change_session",
        "events.view_registration",
        "events.add_lunchrotation", "events.change_lunchrotation",
        "events.delete_lunchrotation", "events.view_lunchrotation",
        "events.add_lunchtable", "events.change_lunchtable", "events.delete_lunchtable",
        "events.view_lunchtable",
        "events.add_tablehost", "events.change_tablehost", "events.delete_tablehost",
        "events.view_tablehost",
        "events.view_tableseat", "events.view_catering_needs",
    ],
    "Blood Buddies coordinator": [
        "events.view_event", "events.view_session",
        "mentorship.add_speedmentoringslot", "mentorship.change_speedmentoringslot",
        "mentorship.view_speedmentoringslot",
        "mentorship.view_mentoroffer", "mentorship.view_traineesignup",
        "mentorship.view_mentorpreference", "mentorship.view_meeting",
        "mentorship.view_conversationfeedback",
        "accounts.approve_mentor", "accounts.view_mentorapproval",
    ],
    "Communications": [
        "events.view_event", "events.view_session", "events.change_session",
        "events.view_registration",
        "notifications.view_notification", "notifications.change_notification",
        "notifications.view_announcement", "notifications.add_announcement",
    ],
}  # fmt: skip


def groups_create(apps, schema_editor):
    # Permissions are made after the last migration of a fresh database: make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for label in wanted:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def groups_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_first_run_pending"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0008_session_cancellation_room_capacity"),
        ("mentorship", "0004_mentor_approvals_for_existing_mentors"),
        ("notifications", "0003_text_limits"),
    ]

    operations = [migrations.RunPython(groups_create, groups_remove)]
