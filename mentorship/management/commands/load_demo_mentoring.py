"""``manage.py load_demo_mentoring``: the demo's first Blood Buddies slot, with the demo mentor
signed up and the demo trainee signed up with preferences. Run by ``load_demo``; idempotent."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from events.models import Session
from mentorship.models import MentorOffer, TraineeSignup
from mentorship.services import mentor_offer_save, slot_ensure, trainee_signup_save

DEMO_SLOT_KEY = "palooza-buddies-01"


class Command(BaseCommand):
    help = "Sets up the demo Blood Buddies slot of ash-2019; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        session = (
            Session.objects.filter(event__slug="ash-2019", kind=Session.Kind.SPEED_MENTORING)
            .order_by("starts_at", "pk")
            .first()
        )
        mentor = User.objects.filter(email="mentor@example.org").first()
        trainee = User.objects.filter(email="trainee@example.org").first()
        if session is None or mentor is None or trainee is None:
            self.stdout.write("Blood Buddies: demo event or accounts missing; skipped")
            return
        # 45 minutes: four rounds of ten; sign-up stays open until staff run the matching.
        slot, _ = slot_ensure(session=session, rounds=4, minutes_per_round=10, tables=8)
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
        self.stdout.write(
            f"Blood Buddies: “{session.title}”, {slot.offers.count()} mentor(s), "
            f"{slot.signups.count()} trainee(s) signed up"
        )
