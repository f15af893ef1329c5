"""``manage.py load_demo_mentoring``: the demo's Blood Buddies slots (every speed-mentoring
session of ash-2019, so each one the agenda advertises can be signed up for), with the demo
mentor and the demo trainee (ranking them) signed up for the first. Run by ``load_demo``;
idempotent."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.defaultfilters import pluralize

from accounts.models import User
from events.models import Session
from mentorship.models import MentorOffer, TraineeSignup
from mentorship.services import mentor_offer_save, slot_ensure, trainee_signup_save

DEMO_SLOT_KEY = "palooza-buddies-01"


class Command(BaseCommand):
    help = "Sets up the demo Blood Buddies slots of ash-2019; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        sessions = list(
            Session.objects.filter(
                event__slug="ash-2019",
                kind=Session.Kind.SPEED_MENTORING,
                registration_mode=Session.Mode.MATCHED,
            ).order_by("starts_at", "pk")
        )
        mentor = User.objects.filter(email="mentor@example.org").first()
        trainee = User.objects.filter(email="trainee@example.org").first()
        if not sessions or mentor is None or trainee is None:
            self.stdout.write("Blood Buddies: demo event or accounts missing; skipped")
            return
        # 45 minutes: four rounds of ten; sign-up stays open until staff run the matching.
        slots = [
            slot_ensure(
                session=session,
                rounds=min(4, int((session.ends_at - session.starts_at).total_seconds()) // 600),
                minutes_per_round=10,
                tables=8,
            )[0]
            for session in sessions
        ]
        slot, session = slots[0], sessions[0]
        try:
            offer = MentorOffer.objects.filter(slot=slot, mentor=mentor).first()
            if offer is None:
                offer = mentor_offer_save(slot=slot, mentor=mentor, capacity=2)
            if not TraineeSignup.objects.filter(slot=slot, trainee=trainee).exists():
                trainee_signup_save(
                    slot=slot,
                    trainee=trainee,
                    interests=trainee.profile.interests.all(),
                    preferred=[offer],
                )
        except ValidationError as exc:  # e.g. staff already ran the matching
            self.stdout.write(f"Blood Buddies: sign-ups left as they are ({exc.messages[0]})")
        mentors, trainees = slot.offers.count(), slot.signups.count()
        self.stdout.write(
            f"Blood Buddies: {len(slots)} slot{pluralize(len(slots))}; “{session.title}”: "
            f"{mentors} mentor{pluralize(mentors)}, {trainees} trainee{pluralize(trainees)} "
            "signed up"
        )
