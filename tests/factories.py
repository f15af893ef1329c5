import datetime as dt
import zoneinfo

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission

from accounts.models import CareerPath, CareerStage, Profile, User
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


def staff_with(*permissions: str, **kwargs) -> User:
    """A staff account holding exactly `permissions` ("app_label.codename"), no more."""
    user = UserFactory(is_staff=True, **kwargs)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # a fresh object: no stale permission cache


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
