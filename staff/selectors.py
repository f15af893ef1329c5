"""Named reads for the staff pages."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from events.models import Registration, Session


@dataclass(frozen=True)
class CheckinCounts:
    checked_in: int
    expected: int


def checkin_session_get(*, session_id: int) -> Session:
    """The session staff check people into (any event, published or not): 404 if none."""
    return get_object_or_404(Session.objects.select_related("event", "room"), pk=session_id)


def checkin_registration_get(*, session: Session, registration_id: int) -> Registration:
    """A confirmed registration of this session; another session's or a waitlisted or
    cancelled one is a 404, so a forged id changes nothing."""
    return get_object_or_404(
        Registration.objects.select_related("user"),
        pk=registration_id,
        session=session,
        status=Registration.Status.CONFIRMED,
    )


def checkin_roster(*, session: Session, q: str = "") -> QuerySet[Registration]:
    """The session's confirmed people by name, narrowed by a name or email fragment."""
    rows = Registration.objects.filter(
        session=session, status=Registration.Status.CONFIRMED
    ).select_related("user", "checked_in_by")
    q = q.strip()
    if q:
        rows = rows.filter(Q(user__name__icontains=q) | Q(user__email__icontains=q))
    return rows.order_by("user__name", "user__email", "pk")


def checkin_counts(*, session: Session) -> CheckinCounts:
    counts = Registration.objects.filter(
        session=session, status=Registration.Status.CONFIRMED
    ).aggregate(
        expected=Count("pk"),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return CheckinCounts(checked_in=counts["checked_in"], expected=counts["expected"])
