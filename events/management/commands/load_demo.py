from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from accounts.models import CareerPath, CareerStage, User
from accounts.services import (
    career_paths_ensure,
    mentor_approval_decide,
    mentor_approval_request,
    profile_ensure,
)
from events.lunch.services import lunch_rotations_generate, lunch_table_ensure
from events.models import Session

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
    # Listening sessions: the reviewer holds only listening.review_requests (not the demo
    # staff's group); the facilitator is an ordinary account named on slots and groups.
    (
        "reviewer", "reviewer@example.org", "reviewer-demo-2019", "Jordan Whitfield", True,
        {"career_stage": "", "institution": "The Society",
         "permissions": [("listening", "review_requests")]},
    ),
    (
        "facilitator", "facilitator@example.org", "facilitator-demo-2019", "Renata Solberg",
        False, {"career_stage": "", "institution": "Independent facilitator"},
    ),
]  # fmt: skip


# The demo staff account works the program without being a superuser: a group holding every
# permission of the program's apps (events, the lunch, Blood Buddies, the outbox) and the
# right to look people up.
DEMO_STAFF_GROUP = "Demo staff"
DEMO_STAFF_PERMISSIONS = (
    Q(content_type__app_label__in=["events", "mentorship", "notifications"])
    | Q(content_type__app_label="accounts", codename__startswith="view_")
    | Q(content_type__app_label="accounts", codename="approve_mentor")
)

DEMO_LUNCH_KEY = "trainee-lunch-2019"
DEMO_MENTOR_HOST = "Dr. Samuel Okoye"  # the demo mentor account hosts this table

# career path, title, hosts (name, role, organization, short bio); invented people
DEMO_LUNCH_TABLES = [
    ("clinical-malignant", "Leukemia and lymphoma practice", [
        (DEMO_MENTOR_HOST, "Professor of Medicine", "Lakeside Cancer Institute",
         "Physician-scientist in myeloid malignancies."),
        ("Dr. Caroline Ashford", "Attending hematologist", "Bayview University Hospital",
         "Runs a lymphoma clinic and the fellowship's clinic curriculum."),
    ]),
    ("clinical-malignant", "Myeloma and transplant", [
        ("Dr. Emeka Obi", "Transplant physician", "Northfield Medical Center",
         "Cellular therapy and myeloma; mentors first-year fellows."),
    ]),
    ("clinical-non-malignant", "Thrombosis and hemostasis", [
        ("Dr. Lena Hoffmann", "Associate professor", "Riverside University",
         "Anticoagulation and bleeding disorders clinics."),
    ]),
    ("clinical-non-malignant", "Sickle cell disease and hemoglobinopathies", [
        ("Dr. Ricardo Salazar", "Clinic director", "Children's Hospital of the Gulf",
         "Pediatric-to-adult transition care for sickle cell disease."),
    ]),
    ("medical-education", "Teaching and program leadership", [
        ("Dr. Sunita Kapoor", "Fellowship program director", "Eastgate School of Medicine",
         "Designs curricula and coaches new clinician-educators."),
    ]),
    ("systems-based", "Quality, value and hospital hematology", [
        ("Dr. William Tran", "Medical director, hematology service line",
         "Metro Health System", "Consultative hematology and quality improvement."),
    ]),
    ("private-practice", "Community oncology and hematology", [
        ("Dr. Angela Brooks", "Partner", "Sunshine Hematology Oncology Associates",
         "Twenty years in a community practice; building a group practice."),
    ]),
    ("government", "Public health and regulation", [
        ("Dr. Marcus Lee", "Medical officer", "National Health Agency",
         "Reviews blood products; earlier a transfusion medicine fellow."),
    ]),
    ("industry", "Drug development and medical affairs", [
        ("Dr. Hana Sato", "Clinical development lead", "Meridian Therapeutics",
         "Leads early-phase trials in benign hematology."),
    ]),
    ("phd-research", "Running a laboratory", [
        ("Dr. Olivia Grant", "Principal investigator", "Institute for Blood Research",
         "Stem cell biology; on funding, hiring and the first lab."),
    ]),
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Loads the demo meeting (ash-2019) and demo accounts; safe to run again. Accounts that "
        "already exist are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-enabled",
            action="store_true",
            help="Load only when the DEMO setting is on (as `make run` does): by default with "
            "no DATABASE_URL, on a real database only with DEMO=1.",
        )

    def handle(self, *args, **options):
        if options["if_enabled"] and not settings.DEMO:
            self.stdout.write(
                "Demo: not loaded (DEMO is off, as it is by default when DATABASE_URL names a "
                "database of your own; DEMO=1 loads the demo meeting and its demo accounts)"
            )
            return
        career_paths_ensure()  # the demo program refers to the whole taxonomy
        call_command(
            "import_agenda", "ash-2019", str(DEMO_CSV), create=True,
            name="ASH 2019 Trainee Career Program", timezone="America/New_York", city="Orlando",
            stdout=self.stdout, stderr=self.stderr,
        )  # fmt: skip
        for role, email, password, name, is_staff, profile_data in DEMO_ACCOUNTS:
            self.stdout.write(
                f"{role}: " + self._account(email, password, name, is_staff, dict(profile_data))
            )
        self._lunch()
        # Blood Buddies lives in the mentorship app (which builds on events): its own command.
        call_command("load_demo_mentoring", stdout=self.stdout, stderr=self.stderr)
        # Listening sessions likewise: interview slots and groups (listening app).
        call_command("load_demo_listening", stdout=self.stdout, stderr=self.stderr)

    @transaction.atomic
    def _lunch(self):
        """Rotations, tables and hosts of the career lunch; a second run creates nothing."""
        lunch = Session.objects.get(event__slug="ash-2019", key=DEMO_LUNCH_KEY)
        if not lunch.lunch_rotations.exists():
            lunch_rotations_generate(session=lunch, count=3, minutes=25)
        mentor = User.objects.get(email="mentor@example.org")
        paths = {path.slug: path for path in CareerPath.objects.all()}
        created = 0
        for number, (slug, title, hosts) in enumerate(DEMO_LUNCH_TABLES, start=1):
            hosts = [
                {"name": name, "role": role, "organisation": org, "bio": bio}
                | ({"user": mentor} if name == DEMO_MENTOR_HOST else {})
                for name, role, org, bio in hosts
            ]
            _, is_new = lunch_table_ensure(
                session=lunch, number=number, career_path=paths[slug], title=title, seats=8,
                hosts=hosts,
            )  # fmt: skip
            created += is_new
        self.stdout.write(
            f"Career lunch: {lunch.lunch_rotations.count()} rotations, "
            f"{len(DEMO_LUNCH_TABLES)} tables ({created} created)"
        )

    @transaction.atomic
    def _account(self, email, password, name, is_staff, profile_data) -> str:
        """Creates a demo account; returns the line that tells how to log in with it.

        An account with the address already there is never touched: no new password, no
        rights, no profile changes. It may be the demo's own account from an earlier run,
        changed since, or a real account that happens to use the address."""
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            if user.has_usable_password() and user.check_password(password):
                return f"{email} / password {password} (already there; left as it is)"
            return f"{email} is an existing account with login details of its own; left as it is"
        user = User.objects.create_user(email=email, password=password, name=name)
        permissions = profile_data.pop("permissions", None)
        if is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            if permissions is None:
                user.groups.add(self._staff_group())
        for app_label, codename in permissions or []:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        profile = profile_ensure(user=user)
        interests = profile_data.pop("interests", [])
        expertise = profile_data.pop("expertise", [])
        for field, value in profile_data.items():
            setattr(profile, field, value)
        profile.save()
        profile.interests.set(CareerPath.objects.filter(slug__in=interests))
        profile.expertise.set(CareerPath.objects.filter(slug__in=expertise))
        if profile.is_mentor:
            # The demo mentor is approved so the demo works; no email for a made-up address.
            mentor_approval_decide(
                approval=mentor_approval_request(user=user),
                approve=True,
                note="Demo mentor account.",
                decided_by=None,
                notify=False,
            )
        return f"{email} / password {password}"

    def _staff_group(self) -> Group:
        """The demo staff's permissions; a group of that name made by someone else keeps its
        own (loading the demo never widens anyone's rights)."""
        group, created = Group.objects.get_or_create(name=DEMO_STAFF_GROUP)
        if created:
            group.permissions.set(Permission.objects.filter(DEMO_STAFF_PERMISSIONS))
        return group
