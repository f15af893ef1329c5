"""After the slot: a person's conversations, connections, and feedback per mentor."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from events.models import session_public_q

from ..models import ConversationFeedback, Meeting, MentorOffer
from .rounds import meetings_qs, partner_of

SCHEDULED = Meeting.Status.SCHEDULED


# --- after the slot ---------------------------------------------------------------------------


def meeting_get_for_user(*, pk: int, user: User) -> Meeting:
    """One of the person's own conversations in a published schedule; 404 for anyone else's,
    and for one whose session went back to draft."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        meetings_qs().select_related("slot__session__event", "slot__session__room"),
        Q(signup__trainee=user) | Q(offer__mentor=user),
        session_public_q("slot__session__"),
        pk=pk,
        slot__published_at__isnull=False,
        status=SCHEDULED,
    )


def feedback_by(*, meeting: Meeting, user: User) -> ConversationFeedback | None:
    return ConversationFeedback.objects.filter(meeting=meeting, author=user).first()


@dataclass
class Connection:
    name: str
    email: str
    role: str  # the other person's role
    stage: str
    topics: list[str]
    meeting: Meeting


def connections_for_user(*, user: User) -> list[Connection]:
    """People the person met and both asked to stay in touch with; nobody else. A meeting
    whose session went back to draft is left out until it is published again."""
    meetings = (
        meetings_qs()
        .select_related("slot__session__event")
        .filter(Q(signup__trainee=user) | Q(offer__mentor=user))
        .filter(
            session_public_q("slot__session__"),
            slot__published_at__isnull=False,
            status=SCHEDULED,
            trainee_stays_in_touch=True,
            mentor_stays_in_touch=True,
        )
        .order_by("slot__session__starts_at", "round")
    )
    out = []
    for meeting in meetings:
        as_mentor = meeting.offer.mentor_id == user.pk
        other = meeting.signup.trainee if as_mentor else meeting.offer.mentor
        partner = partner_of(meeting, as_mentor=as_mentor)
        out.append(
            Connection(
                name=partner.name,
                email=other.email,
                role="trainee" if as_mentor else "mentor",
                stage=partner.stage,
                topics=partner.topics,
                meeting=meeting,
            )
        )
    return out


def conversations_for_user(*, user: User) -> list[Meeting]:
    """The person's conversations in published schedules of sessions people may see (for
    stay-in-touch and feedback)."""
    return list(
        Meeting.objects.select_related("slot__session__event", "signup__trainee", "offer__mentor")
        .filter(Q(signup__trainee=user) | Q(offer__mentor=user))
        .filter(
            session_public_q("slot__session__"), slot__published_at__isnull=False, status=SCHEDULED
        )
        .order_by("slot__session__starts_at", "round")
    )


@dataclass
class MentorFeedbackRow:
    mentor_name: str
    mentor_email: str
    conversations: int
    ratings: int
    average: float | None
    stay_in_touch: int
    comments: list[str]


def mentor_feedback_summary() -> list[MentorFeedbackRow]:
    """Trainees' ratings per mentor over every published slot (staff only); two queries."""
    by_trainee = Q(meetings__feedback__author_id=F("meetings__signup__trainee_id"))
    mentors = (
        MentorOffer.objects.filter(slot__published_at__isnull=False)
        .values("mentor_id", "mentor__name", "mentor__email")
        .annotate(
            conversations=Count("meetings", filter=Q(meetings__status=SCHEDULED), distinct=True),
            ratings=Count("meetings__feedback", filter=by_trainee, distinct=True),
            average=Avg("meetings__feedback__rating", filter=by_trainee),
            stay=Count(
                "meetings",
                filter=Q(meetings__status=SCHEDULED, meetings__trainee_stays_in_touch=True),
                distinct=True,
            ),
        )
        .order_by("mentor__name", "mentor_id")
    )
    comments: dict[int, list[str]] = defaultdict(list)
    for mentor_id, comment in (
        ConversationFeedback.objects.filter(author_id=F("meeting__signup__trainee_id"))
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("meeting__offer__mentor_id", "comment")
    ):
        comments[mentor_id].append(comment)
    return [
        MentorFeedbackRow(
            mentor_name=row["mentor__name"] or row["mentor__email"],
            mentor_email=row["mentor__email"],
            conversations=row["conversations"],
            ratings=row["ratings"],
            average=row["average"],
            stay_in_touch=row["stay"],
            comments=comments[row["mentor_id"]],
        )
        for row in mentors
    ]
