from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import CareerPath, CareerStage, User
from accounts.services import profile_ensure

DEMO_CSV = Path(__file__).resolve().parents[2] / "demo" / "ash-2019.csv"

# role, email, password, name, staff, profile
DEMO_ACCOUNTS = [
    (
        "trainee", "trainee@example.org", "trainee-demo-2019", "Priya Raman", False,
        {"career_stage": CareerStage.FELLOW, "institution": "University of Central Florida",
         "interests": ["clinical-malignant", "translational"], "dietary_needs": "Vegetarian"},
    ),
    (
        "mentor", "mentor@example.org", "mentor-demo-2019", "Dr. Samuel Okoye", False,
        {"career_stage": CareerStage.SENIOR, "institution": "Lakeside Cancer Institute",
         "is_mentor": True, "interests": ["clinical-malignant"],
         "expertise": ["clinical-malignant", "phd-research", "translational"],
         "mentor_bio": "Physician-scientist in myeloid malignancies; has mentored 30 fellows into faculty posts."},
    ),
    (
        "staff", "staff@example.org", "staff-demo-2019", "Morgan Ellis", True,
        {"career_stage": "", "institution": "The Society"},
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = "Loads the demo meeting (ash-2019) and demo accounts; safe to run again."

    def handle(self, *args, **options):
        call_command(
            "import_agenda", "ash-2019", str(DEMO_CSV), create=True,
            name="ASH 2019 Trainee Career Programme", timezone="America/New_York", city="Orlando",
            stdout=self.stdout, stderr=self.stderr,
        )  # fmt: skip
        for role, email, password, name, is_staff, profile_data in DEMO_ACCOUNTS:
            self._account(email, password, name, is_staff, dict(profile_data))
            self.stdout.write(f"{role}: {email} / password {password}")

    @transaction.atomic
    def _account(self, email, password, name, is_staff, profile_data):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, name=name)
        if is_staff and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        profile = profile_ensure(user=user)
        interests = profile_data.pop("interests", [])
        expertise = profile_data.pop("expertise", [])
        for field, value in profile_data.items():
            setattr(profile, field, value)
        profile.save()
        profile.interests.set(CareerPath.objects.filter(slug__in=interests))
        profile.expertise.set(CareerPath.objects.filter(slug__in=expertise))
