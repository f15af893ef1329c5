"""Reads for the door of a session (staff): the standby line and what a no-show release
would do. The release service and its confirmation page ask the same function, so the page
shows what the service then does."""

from dataclasses import dataclass

from .models import Registration, Session, Standby


@dataclass(frozen=True)
class ReleasePlan:
    released: list[Registration]  # confirmed and not checked in, by name
    seated: list[Standby]  # the first of the standby line, in arrival order, who get a seat
    waiting: int  # people on the standby line
    free_after: int  # seats free once the no-shows' seats are released

    @property
    def left_free(self) -> int:
        """Seats still free after the standby line is seated (no one else at the door)."""
        return self.free_after - len(self.seated)


def standby_line(*, session: Session) -> list[Standby]:
    """The people waiting at the door of the session, in arrival order."""
    return list(
        Standby.objects.filter(session=session, outcome=Standby.Outcome.WAITING)
        .select_related("user", "added_by")
        .order_by("arrived_at", "id")
    )


def standby_waiting_get(*, session: Session, user_id: int) -> Standby | None:
    return Standby.objects.filter(
        session=session, user_id=user_id, outcome=Standby.Outcome.WAITING
    ).first()


def standby_position(*, entry: Standby) -> int:
    """1 for the first in line."""
    return (
        Standby.objects.filter(
            session_id=entry.session_id,
            outcome=Standby.Outcome.WAITING,
            arrived_at__lte=entry.arrived_at,
        )
        .exclude(arrived_at=entry.arrived_at, id__gt=entry.pk)
        .count()
    )


def no_show_release_plan(*, session: Session, line: list[Standby] | None = None) -> ReleasePlan:
    """Who would lose their seat (confirmed, not checked in) and who on the standby line would
    get one, in arrival order, if staff released the no-shows' seats now. `line` is the
    standby line when the caller has read it already."""
    released = list(
        Registration.objects.confirmed()
        .filter(session=session, checked_in_at__isnull=True)
        .select_related("user")
        .order_by("user__name", "user__email", "pk")
    )
    confirmed = Registration.objects.confirmed().filter(session=session).count()
    capacity = session.capacity if session.has_seats_limit else None
    free_after = max(0, capacity - (confirmed - len(released))) if capacity is not None else 0
    if line is None:
        line = standby_line(session=session)
    return ReleasePlan(
        released=released, seated=line[:free_after], waiting=len(line), free_after=free_after
    )
