import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone as dj_timezone

from accounts.models import CareerPath, CareerStage
from config.text import MaxCharsValidator, MultiLineField, OneLineField, validate_one_line


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. America/New_York).")


def default_reminder_offsets() -> list[int]:
    return [24 * 60, 60]


def validate_reminder_offsets(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 60 * 24 * 60 for v in value
    ):
        raise ValidationError(
            "A list of minutes before each session, e.g. [1440, 60] for 24 hours and 1 hour."
        )


def session_public_q(path: str = "") -> Q:
    """The one definition of what people may see outside admin: a published session of a
    published event. `path` reaches the session from another model ("session__",
    "slot__session__"), so every selector filters by the same rule."""
    return Q(**{f"{path}is_published": True, f"{path}event__is_published": True})


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        """Events people may see outside admin: published ones."""
        return self.filter(is_published=True)


class SessionQuerySet(models.QuerySet):
    def public(self) -> "SessionQuerySet":
        """Sessions people may see outside admin (`session_public_q`); drafts, and every
        session of a draft event, are left out."""
        return self.filter(session_public_q())


class PlaceQuerySet(models.QuerySet):
    """Registrations and table seats: a seat (confirmed), a waitlist place, or a cancelled
    place kept for history."""

    def active(self):
        """Seats and waitlist places: what a person holds (the unique constraints' rows)."""
        return self.exclude(status="cancelled")

    def confirmed(self):
        return self.filter(status="confirmed")

    def waitlisted(self):
        return self.filter(status="waitlisted")


SPEAKER_NAME_MAX_LENGTH = 150
SPEAKERS_MAX = 50


def validate_speakers(value) -> None:
    """At most 50 names, each one line of at most 150 characters."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("A list of names.", code="invalid")
    if len(value) > SPEAKERS_MAX:
        raise ValidationError(
            f"List at most {SPEAKERS_MAX} names (you typed {len(value)}).", code="too_many"
        )
    problems = []
    for name in value:
        try:
            validate_one_line(name)
            MaxCharsValidator(SPEAKER_NAME_MAX_LENGTH)(name)
        except ValidationError as exc:
            # No params: a name may hold a "%".
            problems.append(ValidationError(f"“{name[:40]}”: {exc.messages[0]}"))
    if problems:
        raise ValidationError(problems)


class Event(models.Model):
    """One annual meeting's trainee programme."""

    slug = models.SlugField(unique=True)
    name = OneLineField(max_length=200)
    timezone = OneLineField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    city = OneLineField(max_length=120, blank=True)
    venue = OneLineField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    description = MultiLineField(max_length=5000, blank=True)
    is_published = models.BooleanField(default=True)
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        blank=True,
        validators=[validate_reminder_offsets],
        help_text="Reminders before each item of a person's agenda, in minutes "
        "([1440, 60] = 24 hours and 1 hour before); [] sends none.",
    )
    no_show_release_minutes = models.PositiveSmallIntegerField(
        "release no-show seats after (minutes)",
        default=10,
        validators=[MaxValueValidator(240)],
        help_text="How many minutes after a session starts staff at the door may give the seats "
        "of confirmed people who have not checked in to the standby line (0 to 240).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:agenda", kwargs={"slug": self.slug})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = OneLineField(max_length=120)
    location = OneLineField(max_length=200, blank=True, help_text="Building, floor or directions.")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats the room holds; empty means not recorded."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="room_unique_per_event")
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    class Kind(models.TextChoices):
        MICRO_LEARNING = "micro_learning", "Micro-learning"
        BLOOD_DROP = "blood_drop", "Blood Drop"
        SPEED_MENTORING = "speed_mentoring", "Blood Buddies speed mentoring"
        CAREER_LUNCH = "career_lunch", "Career development lunch"
        DIDACTIC = "didactic", "Didactic session"
        RECEPTION = "reception", "Reception"
        LISTENING = "listening", "Listening session"

    class Mode(models.TextChoices):
        OPEN = "open", "Open registration"
        DROP_IN = "drop_in", "Drop-in"
        REQUEST = "request", "On request (staff review)"
        MATCHED = "matched", "Matched (speed mentoring)"
        TABLES = "tables", "Tables (career lunch)"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    key = OneLineField(
        max_length=80,
        blank=True,
        help_text="Stable identifier used by the CSV import; blank for hand-made sessions.",
    )
    title = OneLineField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats; empty means no limit."
    )
    registration_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.OPEN)
    audience = models.JSONField(
        default=list,
        blank=True,
        help_text="Career stages allowed to register; empty means everyone.",
    )
    career_paths = models.ManyToManyField(CareerPath, blank=True, related_name="sessions")
    speakers = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_speakers],
        help_text="Speakers or hosts, one name each.",
    )
    description = MultiLineField(max_length=5000, blank=True)
    is_published = models.BooleanField(default=True)
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Overrides the event's window."
    )
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Overrides the event's window."
    )
    # Bumped whenever the time or place changes, so calendar apps replace their copy (RFC 5545).
    sequence = models.PositiveIntegerField(default=0)
    # A cancelled session keeps its record (and its people's cancelled places) for history.
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = MultiLineField("reason for cancelling", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "room__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["event", "key"], condition=~Q(key=""), name="session_key_unique_per_event"
            ),
        ]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:session_detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session must end after it starts."})
        unknown = set(self.audience or []) - set(CareerStage.values)
        if unknown:
            raise ValidationError(
                {"audience": f"Unknown career stage(s): {', '.join(sorted(unknown))}."}
            )

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.event.tz)

    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.event.tz)

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(CareerStage.choices)
        return [labels.get(stage, stage) for stage in self.audience]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_seats_limit(self) -> bool:
        return self.registration_mode == self.Mode.OPEN and self.capacity is not None


class Registration(models.Model):
    """A person's place on a session: a seat, a waitlist place, or a cancelled one kept for history."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    class CancelReason(models.TextChoices):
        NO_SHOW = "no_show", "No-show: the seat went to the standby line at the door"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # Arrival order on the waitlist is (created_at, id); rows are inserted under the session lock.
    created_at = models.DateTimeField(auto_now_add=True)
    # At the door (staff check-in): when the person was marked attended, and by whom.
    checked_in_at = models.DateTimeField("checked in at", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="checked in by",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(
        "why it was cancelled", max_length=10, choices=CancelReason.choices, blank=True, default=""
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session} ({self.status})"


class Standby(models.Model):
    """A person at the door of a full session, waiting for a seat that a no-show leaves: the
    standby line, in arrival order (arrived_at, id). Kept after the outcome, for history."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SEATED = "seated", "Seated"
        LEFT = "left", "Left"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="standby")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="standby_places"
    )
    # Rows are inserted under the session lock, so arrival order is the order staff added them.
    arrived_at = models.DateTimeField(default=dj_timezone.now)
    added_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    outcome_at = models.DateTimeField(null=True, blank=True)
    # The seat they got when the outcome is "seated".
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "arrived_at", "id"]
        verbose_name = "standby place"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(outcome="waiting"),
                name="standby_one_waiting_per_person",
            ),
        ]
        indexes = [models.Index(fields=["session", "outcome", "arrived_at"])]

    def __str__(self) -> str:
        return f"{self.user} — standby for {self.session} ({self.outcome})"


# --- Career lunch: rotations, round tables, hosts and seats -----------------------------------


class LunchRotation(models.Model):
    """One round of a `tables` session (e.g. three rounds of 20 minutes); people move between
    tables at each round."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="lunch_rotations")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], name="lunchrotation_number_unique_per_session"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="lunchrotation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Rotation {self.number}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A rotation must end after it starts."})
        session = self.session if self.session_id else None
        if (
            session
            and self.starts_at
            and self.ends_at
            and (self.starts_at < session.starts_at or self.ends_at > session.ends_at)
        ):
            raise ValidationError("A rotation must lie within the lunch's start and end.")

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.session.event.tz)

    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.session.event.tz)


class LunchTable(models.Model):
    """A round table of a `tables` session, on one career path, with seats per rotation."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="lunch_tables")
    number = models.PositiveSmallIntegerField()
    career_path = models.ForeignKey(
        CareerPath, on_delete=models.PROTECT, related_name="lunch_tables"
    )
    title = OneLineField(max_length=200, blank=True)
    seats = models.PositiveSmallIntegerField(
        "seats per rotation", default=8, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], name="lunchtable_number_unique_per_session"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="lunchtable_has_seats"),
        ]

    def __str__(self) -> str:
        return f"Table {self.number} — {self.title or self.career_path}"


class TableHost(models.Model):
    """An expert hosting a table; linked to an account when the host should see the list."""

    table = models.ForeignKey(LunchTable, on_delete=models.CASCADE, related_name="hosts")
    name = OneLineField(max_length=150)
    role = OneLineField(max_length=150, blank=True)
    organisation = OneLineField("organization", max_length=200, blank=True)
    bio = MultiLineField("short bio", max_length=600, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_lunch_tables",
        limit_choices_to={"profile__is_mentor": True},
        help_text="The host's mentor account: lets them see their table's list.",
    )

    class Meta:
        ordering = ["table", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "user"],
                condition=Q(user__isnull=False),
                name="tablehost_account_once_per_table",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TableSeat(models.Model):
    """A person's pick of a table in one rotation: a seat, a waitlist place, or a cancelled pick
    kept for history. The database holds the two rules that must never break."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    rotation = models.ForeignKey(
        LunchRotation, on_delete=models.CASCADE, related_name="table_seats"
    )
    table = models.ForeignKey(LunchTable, on_delete=models.CASCADE, related_name="table_seats")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="table_seats")
    status = models.CharField(max_length=10, choices=Status.choices)
    # Arrival order on a cell's waitlist is (created_at, id); rows are inserted under the lunch lock.
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # At the door: the person sat down at this table in this rotation (people move between
    # tables, so presence is per seat; the lunch registration's mark follows the seats).
    checked_in_at = models.DateTimeField("checked in at", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="checked in by",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "user"],
                condition=~Q(status="cancelled"),
                name="tableseat_one_table_per_rotation",
            ),
            models.UniqueConstraint(
                fields=["table", "user"],
                condition=~Q(status="cancelled"),
                name="tableseat_same_table_once",
            ),
        ]
        indexes = [models.Index(fields=["table", "rotation", "status", "created_at"])]
        # No model permission says "may read people's dietary and accessibility needs": the
        # lunch's catering overview and per-table rosters ask for this one.
        permissions = [
            (
                "view_catering_needs",
                "Can see the lunch's catering overview and table rosters (dietary and "
                "accessibility needs)",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — table {self.table_id}, rotation {self.rotation_id} ({self.status})"
