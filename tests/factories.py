import datetime as dt
import zoneinfo

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import CareerPath, CareerStage, MentorApproval, Profile, User
from events.models import (
    Event,
    LunchRotation,
    LunchTable,
    Registration,
    Room,
    Session,
    Standby,
    TableHost,
    TableSeat,
)
from feedback.models import SessionFeedback, SpeakerAccount
from listening.models import (
    BelongingGroup,
    GroupPlace,
    InterviewBooking,
    InterviewSlot,
    ListeningRequest,
    ReviewLogEntry,
)
from mentorship.models import (
    ConversationFeedback,
    DoorStandby,
    Meeting,
    MentorOffer,
    MentorPreference,
    SpeedMentoringSlot,
    TraineeSignup,
)
from notifications.models import Announcement, Notification, NotificationPreference

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


# --- accounts ------------------------------------------------------------------------------


class CareerPathFactory(factory.django.DjangoModelFactory):
    """A path of the taxonomy; the seeded ones are fetched with `career_path(slug)`."""

    class Meta:
        model = CareerPath
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"path-{n}")
    name = factory.Sequence(lambda n: f"Career path {n}")
    order = 100


class ProfileFactory(factory.django.DjangoModelFactory):
    """Every user has a profile from the start (UserFactory makes it): this one fills it in."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    career_stage = CareerStage.FELLOW
    institution = "Bayview University"

    @classmethod
    def _create(cls, model_class, *args, user, **kwargs):
        profile, _ = model_class.objects.get_or_create(user=user)
        for name, value in kwargs.items():
            setattr(profile, name, value)
        profile.save()
        return profile


# --- events --------------------------------------------------------------------------------


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; `registration_create` decides seats and waitlists."""

    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


class StandbyFactory(factory.django.DjangoModelFactory):
    """A person waiting at the door of a session; `walk_in_admit` decides who waits."""

    class Meta:
        model = Standby

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)


class LunchSessionFactory(SessionFactory):
    """A career lunch, 12:00–13:30 on the meeting's Saturday, seats by table."""

    title = "Career development lunch"
    kind = Session.Kind.CAREER_LUNCH
    registration_mode = Session.Mode.TABLES
    starts_at = dt.datetime(2030, 12, 7, 12, 0, tzinfo=NY)
    ends_at = dt.datetime(2030, 12, 7, 13, 30, tzinfo=NY)
    capacity = None


class LunchRotationFactory(factory.django.DjangoModelFactory):
    """Rounds of 20 minutes from the lunch's start, numbered from 1."""

    class Meta:
        model = LunchRotation

    session = factory.SubFactory(LunchSessionFactory)
    number = 1
    starts_at = factory.LazyAttribute(
        lambda r: r.session.starts_at + dt.timedelta(minutes=20 * (r.number - 1))
    )
    ends_at = factory.LazyAttribute(lambda r: r.starts_at + dt.timedelta(minutes=20))


class LunchTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LunchTable

    session = factory.SubFactory(LunchSessionFactory)
    number = factory.Sequence(lambda n: n + 1)
    career_path = factory.LazyFunction(lambda: career_path("industry"))
    title = factory.LazyAttribute(lambda t: f"Table talk {t.number}")
    seats = 2


class TableHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TableHost

    table = factory.SubFactory(LunchTableFactory)
    name = factory.Sequence(lambda n: f"Dr. Host {n}")
    role = "Attending"
    organisation = "Bayview University"
    bio = "Likes questions."


class TableSeatFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; `table_seat_take` decides seats and waitlists."""

    class Meta:
        model = TableSeat

    table = factory.SubFactory(LunchTableFactory)
    rotation = factory.SubFactory(
        LunchRotationFactory, session=factory.SelfAttribute("..table.session")
    )
    user = factory.SubFactory(UserFactory)
    status = TableSeat.Status.CONFIRMED


# --- mentorship ----------------------------------------------------------------------------


class SpeedMentoringSessionFactory(SessionFactory):
    title = factory.Sequence(lambda n: f"Blood Buddies {n}")
    kind = Session.Kind.SPEED_MENTORING
    registration_mode = Session.Mode.MATCHED
    starts_at = dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY)
    ends_at = dt.datetime(2030, 12, 6, 11, 0, tzinfo=NY)
    capacity = 60


class SpeedMentoringSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeedMentoringSlot

    session = factory.SubFactory(SpeedMentoringSessionFactory)
    rounds = 4
    minutes_per_round = 10
    tables = 8


class MentorOfferFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; `mentor_offer_save` applies the sign-up rules."""

    class Meta:
        model = MentorOffer

    slot = factory.SubFactory(SpeedMentoringSlotFactory)
    mentor = factory.SubFactory(UserFactory)
    capacity = 1


class TraineeSignupFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; `trainee_signup_save` applies the sign-up rules."""

    class Meta:
        model = TraineeSignup

    slot = factory.SubFactory(SpeedMentoringSlotFactory)
    trainee = factory.SubFactory(UserFactory)


class MentorPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorPreference

    signup = factory.SubFactory(TraineeSignupFactory)
    offer = factory.SubFactory(MentorOfferFactory, slot=factory.SelfAttribute("..signup.slot"))
    rank = 1


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    signup = factory.SubFactory(TraineeSignupFactory)
    slot = factory.SelfAttribute("signup.slot")
    offer = factory.SubFactory(MentorOfferFactory, slot=factory.SelfAttribute("..signup.slot"))
    round = 1
    table = 1


class DoorStandbyFactory(factory.django.DjangoModelFactory):
    """A row as the database holds it; `standby_add` applies the door's rules."""

    class Meta:
        model = DoorStandby

    slot = factory.SubFactory(SpeedMentoringSlotFactory)
    trainee = factory.SubFactory(UserFactory)
    arrived_at = factory.LazyFunction(timezone.now)


class ConversationFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationFeedback

    meeting = factory.SubFactory(MeetingFactory)
    author = factory.SelfAttribute("meeting.signup.trainee")
    rating = 4
    comment = "Clear advice on fellowship applications."


# --- notifications -------------------------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row as the database holds it; services write them with
    `notification_enqueue`."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "registration_confirmed"
    key = factory.Sequence(lambda n: f"test:{n}")


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    reminders_enabled = True


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    subject = "Room change for the lunch"
    body = "The lunch moves to the west hall."
    target = "Everyone registered"
    created_by = factory.SubFactory(UserFactory, is_staff=True)


class MentorApprovalFactory(factory.django.DjangoModelFactory):
    """A pending offer to mentor; `approve_mentor` records a coordinator's approval."""

    class Meta:
        model = MentorApproval
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


def career_path(slug: str) -> CareerPath:
    return CareerPath.objects.get(slug=slug)


def approve_mentor(user: User) -> MentorApproval:
    """The person as a coordinator approved them (no email): they enter matchings and read
    the guest lists of the tables they host."""
    approval, _ = MentorApproval.objects.update_or_create(
        user=user,
        defaults={"status": MentorApproval.Status.APPROVED, "decided_at": timezone.now()},
    )
    return approval


# --- listening -----------------------------------------------------------------------------


class ListeningRequestFactory(factory.django.DjangoModelFactory):
    """A request as the database holds it; the listening services apply the rules."""

    class Meta:
        model = ListeningRequest

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    formats = factory.LazyFunction(lambda: ["interview"])
    topics = factory.LazyFunction(lambda: ["gender"])
    consent = True
    consent_at = factory.LazyFunction(timezone.now)


class ReviewLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewLogEntry

    request = factory.SubFactory(ListeningRequestFactory)
    actor = factory.SubFactory(UserFactory)
    action = "accepted"


class InterviewSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewSlot

    event = factory.SubFactory(EventFactory)
    facilitator = factory.SubFactory(UserFactory)
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2030, 12, 5, 9, 0, tzinfo=NY) + dt.timedelta(minutes=20 * n)
    )
    minutes = 20
    meeting_url = "https://meet.example/interview"


class InterviewBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewBooking

    slot = factory.SubFactory(InterviewSlotFactory)
    event = factory.SelfAttribute("slot.event")
    user = factory.SubFactory(UserFactory)


class BelongingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BelongingGroup

    event = factory.SubFactory(EventFactory)
    topic = "gender"
    title = factory.Sequence(lambda n: f"Conversation on Belonging {n}")
    starts_at = dt.datetime(2030, 12, 6, 13, 0, tzinfo=NY)
    ends_at = dt.datetime(2030, 12, 6, 14, 0, tzinfo=NY)
    capacity = 8
    meeting_url = "https://meet.example/group"


class GroupPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupPlace

    group = factory.SubFactory(BelongingGroupFactory)
    user = factory.SubFactory(UserFactory)


# --- feedback ------------------------------------------------------------------------------


class SessionFeedbackFactory(factory.django.DjangoModelFactory):
    """A rating as the database holds it; `session_feedback_create` writes them (once per
    person and session, from someone checked in)."""

    class Meta:
        model = SessionFeedback

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    rating = 4
    comment = "Practical and well paced."


class SpeakerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerAccount

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
