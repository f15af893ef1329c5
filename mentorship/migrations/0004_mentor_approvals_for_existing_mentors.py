"""Mentor approval (accounts.MentorApproval) starts from the data already there: a mentor who
already has matched Blood Buddies conversations was vetted in practice and is approved; every
other person who ticked "I volunteer as a mentor" or offered a table is pending, so a
coordinator decides on them before they enter a matching or read a guest list."""

from django.db import migrations
from django.utils import timezone

NOTE = "Approved when mentor approval was introduced: already had matched Blood Buddies conversations."


def forwards(apps, schema_editor):
    MentorApproval = apps.get_model("accounts", "MentorApproval")
    Profile = apps.get_model("accounts", "Profile")
    MentorOffer = apps.get_model("mentorship", "MentorOffer")
    Meeting = apps.get_model("mentorship", "Meeting")

    mentors = set(Profile.objects.filter(is_mentor=True).values_list("user_id", flat=True))
    mentors |= set(MentorOffer.objects.values_list("mentor_id", flat=True))
    matched = set(Meeting.objects.values_list("offer__mentor_id", flat=True))
    known = set(MentorApproval.objects.values_list("user_id", flat=True))
    now = timezone.now()
    MentorApproval.objects.bulk_create(
        MentorApproval(user_id=user_id, status="approved", note=NOTE, decided_at=now)
        if user_id in matched
        else MentorApproval(user_id=user_id, status="pending")
        for user_id in sorted(mentors - known)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_mentor_approval"),
        ("mentorship", "0003_text_limits"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
