import datetime as dt
import zoneinfo

import factory
from allauth.account.models import EmailAddress

from accounts.models import CareerPath, CareerStage, MentorApproval, Profile, User
from events.models import Event, Room, Session

NY = zoneinfo.ZoneInfo("America/New_York")
PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Verified email by default (as after clicking the link); verified=False to skip."""
        if create:
            self.save()
            Profile.objects.get_or_create(user=self, defaults={"career_stage": CareerStage.FELLOW})
            if extracted is not False:
                EmailAddress.objects.create(
                    user=self, email=self.email, verified=True, primary=True
                )


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    name = factory.Sequence(lambda n: f"Annual meeting {n}")
    timezone = "America/New_York"
    city = "Orlando"
    starts_on = dt.date(2030, 12, 6)
    ends_on = dt.date(2030, 12, 9)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Room W{200 + n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    kind = Session.Kind.MICRO_LEARNING
    starts_at = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(minutes=30))
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))
    capacity = 20
    registration_mode = Session.Mode.OPEN


def career_path(slug: str) -> CareerPath:
    return CareerPath.objects.get(slug=slug)


def approve_mentor(user: User) -> MentorApproval:
    """The person as a coordinator approved them (no email): they enter matchings and read
    the guest lists of the tables they host."""
    from django.utils import timezone

    approval, _ = MentorApproval.objects.update_or_create(
        user=user,
        defaults={"status": MentorApproval.Status.APPROVED, "decided_at": timezone.now()},
    )
    return approval
