"""The demo meeting's listening sessions: three days of interview slots with two invented
facilitators and two Conversations on Belonging. Safe to run again (`load_demo` calls it)."""

import contextlib
import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from events.models import Event
from events.refusals import Refusal
from listening.models import BelongingGroup, Topic
from listening.services.interviews import interview_slots_generate

DAYS = [dt.date(2019, 12, 7), dt.date(2019, 12, 8), dt.date(2019, 12, 9)]
# email, name, window (event time), meeting link; invented people, no password (they sign
# in through "forgot password" if ever needed; the demo facilitator login is printed by
# load_demo when it creates facilitator@example.org with a password first).
FACILITATORS = [
    ("facilitator@example.org", "Renata Solberg", (dt.time(9), dt.time(12)), "renata"),
    ("dana.whitcombe@example.org", "Dana Whitcombe", (dt.time(13), dt.time(16)), "dana"),
]
LEADERS = [
    ("nkechi.adeyemi@example.org", "Dr. Nkechi Adeyemi"),
    ("andres.montoya@example.org", "Dr. Andrés Montoya"),
]
GROUPS = [
    # title, topic, day, start, end, leader index, facilitator index
    ("Belonging in the clinic", Topic.RACE_ETHNICITY, DAYS[0], dt.time(14), dt.time(15, 30), 0, 0),
    ("Belonging in the lab", Topic.GENDER, DAYS[1], dt.time(13), dt.time(14, 30), 1, 1),
]  # fmt: skip


def _person(email: str, name: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    return user or User.objects.create_user(email=email, password=None, name=name)


class Command(BaseCommand):
    help = "Loads the demo meeting's interview slots and Conversations on Belonging."

    @transaction.atomic
    def handle(self, *args, **options):
        event = Event.objects.get(slug="ash-2019")
        made = 0
        facilitators = []
        for email, name, (start, end), link in FACILITATORS:
            facilitator = _person(email, name)
            facilitators.append(facilitator)
            for day in DAYS:
                # A second run finds every slot there already: nothing to add.
                with contextlib.suppress(Refusal):
                    made += len(
                        interview_slots_generate(
                            event=event, facilitator=facilitator, day=day, start=start, end=end,
                            minutes=20, meeting_url=f"https://meet.example.org/listening-{link}",
                        )
                    )  # fmt: skip
        leaders = [_person(email, name) for email, name in LEADERS]
        for title, topic, day, start, end, leader, facilitator in GROUPS:
            tz = event.tz
            group, _ = BelongingGroup.objects.get_or_create(
                event=event,
                title=title,
                defaults={
                    "topic": topic,
                    "starts_at": dt.datetime.combine(day, start, tzinfo=tz),
                    "ends_at": dt.datetime.combine(day, end, tzinfo=tz),
                    "capacity": 8,
                    "meeting_url": f"https://meet.example.org/belonging-{len(title)}",
                },
            )
            group.facilitators.add(leaders[leader], facilitators[facilitator])
        slots = event.interview_slots.count()
        self.stdout.write(
            f"Listening sessions: {slots} interview slots ({made} created) with "
            f"{len(FACILITATORS)} facilitators, {len(GROUPS)} Conversations on Belonging"
        )
