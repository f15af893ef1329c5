"""Reads for feedback: who is due a feedback request, the page a link opens, and ratings
aggregated per session and per kind (the same few queries for 5 sessions or 500). Nobody's
name ever leaves these aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404

from accounts.models import User
from events.models import Event, Registration, Session, TableHost, session_public_q
from notifications.models import Notification

from .models import RATING_MAX, RATING_MIN, SessionFeedback, SpeakerAccount

# Sessions whose attendees are asked. Blood Buddies keeps its own per-conversation feedback;
# listening sessions are private and never appear in any of this.
ASKED_KINDS = [
    kind
    for kind in Session.Kind.values
    if kind not in (Session.Kind.SPEED_MENTORING, Session.Kind.LISTENING)
]
# A session is asked about until this long after it ended (people checked in late included);
# after that no request goes out, so a restored backup or a long outage never mails old news.
REQUEST_WINDOW = timedelta(days=2)
REQUEST_KEY_PREFIX = "feedback"
RATINGS = range(RATING_MIN, RATING_MAX + 1)


def feedback_request_key(*, session_id: int, user_id: int) -> str:
    """The outbox key of one person's request for one session: one email, ever."""
    return f"{REQUEST_KEY_PREFIX}:{session_id}:{user_id}"


def _asked_sessions_q(path: str = "") -> Q:
    return session_public_q(path) & Q(
        **{f"{path}cancelled_at__isnull": True, f"{path}kind__in": ASKED_KINDS}
    )


def feedback_requests_due(*, now: datetime) -> QuerySet[Registration]:
    """Everyone checked in (and only them) at a published, uncancelled session of an asked
    kind that ended within the window, who has no request queued yet and gave no feedback.
    The outbox key is matched in the database, so a run that finds nothing new costs one
    query however many sessions ended."""
    key = Concat(
        Value(f"{REQUEST_KEY_PREFIX}:"),
        Cast("session_id", CharField()),
        Value(":"),
        Cast("user_id", CharField()),
        output_field=CharField(),
    )
    return (
        Registration.objects.confirmed()
        .filter(
            _asked_sessions_q("session__"),
            checked_in_at__isnull=False,
            session__ends_at__lte=now,
            session__ends_at__gt=now - REQUEST_WINDOW,
        )
        .annotate(request_key=key)
        .exclude(Exists(Notification.objects.filter(key=OuterRef("request_key"))))
        .exclude(
            Exists(
                SessionFeedback.objects.filter(session=OuterRef("session"), user=OuterRef("user"))
            )
        )
        .select_related("session__event", "session__room", "user")
        .order_by("session__ends_at", "session_id", "id")
    )


@dataclass(frozen=True)
class FeedbackTarget:
    session: Session
    user: User
    feedback: SessionFeedback | None  # what this person sent already, if anything


def feedback_target_get(*, session_id: int, user_id: int) -> FeedbackTarget:
    """The session and person a link names, only while the session is published, not
    cancelled, of an asked kind, and the person was checked in at it; else 404 (a draft is
    invisible, and a link never opens anything of anyone else)."""
    session = (
        Session.objects.filter(_asked_sessions_q(), pk=session_id)
        .select_related("event", "room")
        .first()
    )
    came = Registration.objects.confirmed().filter(
        session_id=session_id, user_id=user_id, checked_in_at__isnull=False
    )
    registration = came.select_related("user").first() if session is not None else None
    if session is None or registration is None:
        raise Http404("No such feedback link.")
    feedback = SessionFeedback.objects.filter(session=session, user_id=user_id).first()
    return FeedbackTarget(session=session, user=registration.user, feedback=feedback)


# --- aggregates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRatings:
    """One session's ratings; comments without names, newest first."""

    session_id: int
    title: str
    kind: str
    kind_label: str
    event_name: str
    timezone: str
    starts_at: datetime  # in the event's zone
    ends_at: datetime  # in the event's zone
    room: str
    checked_in: int
    count: int
    total: int
    distribution: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5
    comments: tuple[str, ...]

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def response_percent(self) -> int | None:
        """Answers as a share of the people checked in (None before anyone came)."""
        return round(100 * self.count / self.checked_in) if self.checked_in else None

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(rating, people, percent of this session's answers) for each rating, 5 first."""
        return [
            (rating, people, round(100 * people / self.count) if self.count else 0)
            for rating, people in reversed(list(zip(RATINGS, self.distribution, strict=True)))
        ]


@dataclass(frozen=True)
class KindRatings:
    kind: str
    label: str
    sessions: int
    count: int
    total: int

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass(frozen=True)
class FeedbackReport:
    sessions: list[SessionRatings]
    kinds: list[KindRatings]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sessions)

    @property
    def average(self) -> float | None:
        total = sum(s.total for s in self.sessions)
        return total / self.count if self.count else None


def _checked_in_count() -> Subquery:
    came = (
        Registration.objects.confirmed()
        .filter(session=OuterRef("pk"), checked_in_at__isnull=False)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(came, output_field=IntegerField())


def _report(sessions: QuerySet[Session]) -> FeedbackReport:
    """Two queries: the sessions with their counts, then the comments."""
    rows = list(
        sessions.select_related("event", "room")
        .annotate(
            fb_count=Count("feedback"),
            fb_total=Coalesce(Sum("feedback__rating"), 0),
            checked_in=Coalesce(_checked_in_count(), 0),
            **{f"fb_{n}": Count("feedback", filter=Q(feedback__rating=n)) for n in RATINGS},
        )
        .order_by("starts_at", "title", "pk")
    )
    comments: dict[int, list[str]] = {}
    for session_id, comment in (
        SessionFeedback.objects.filter(session__in=[s.pk for s in rows])
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .values_list("session_id", "comment")
    ):
        comments.setdefault(session_id, []).append(comment)
    labels = dict(Session.Kind.choices)
    ratings = [
        SessionRatings(
            session_id=s.pk,
            title=s.title,
            kind=s.kind,
            kind_label=labels.get(s.kind, s.kind),
            event_name=s.event.name,
            timezone=s.event.timezone,
            starts_at=s.local_start(),
            ends_at=s.local_end(),
            room=s.room.name if s.room is not None else "",
            checked_in=s.checked_in,
            count=s.fb_count,
            total=s.fb_total,
            distribution=tuple(getattr(s, f"fb_{n}") for n in RATINGS),
            comments=tuple(comments.get(s.pk, [])),
        )
        for s in rows
    ]
    kinds = []
    for kind in Session.Kind.values:
        of_kind = [r for r in ratings if r.kind == kind]
        if of_kind:
            kinds.append(
                KindRatings(
                    kind=kind,
                    label=labels[kind],
                    sessions=len(of_kind),
                    count=sum(r.count for r in of_kind),
                    total=sum(r.total for r in of_kind),
                )
            )
    return FeedbackReport(sessions=ratings, kinds=kinds)


def feedback_report_for_event(*, event: Event) -> FeedbackReport:
    """Staff: every published, uncancelled session of an asked kind in the event."""
    return _report(Session.objects.filter(_asked_sessions_q(), event=event))


def feedback_report_for_reader(*, user: User) -> FeedbackReport:
    """A speaker's or host's own sessions: those staff linked to their account as speaker
    (`SpeakerAccount`) and the lunches where they host a table (`TableHost.user`)."""
    own = Q(pk__in=SpeakerAccount.objects.filter(user=user).values("session")) | Q(
        pk__in=TableHost.objects.filter(user=user).values("table__session")
    )
    return _report(Session.objects.filter(_asked_sessions_q()).filter(own))
