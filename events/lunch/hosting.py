"""The lunch on a person's agenda and calendar: a guest's tables under the lunch item, and a
host's duty (the tables they host, `TableHost.user`, the lunch's rotations in the event's
zone, the room). Plugged in through events/hooks.py, from `LunchConfig.ready()`."""

from django.conf import settings
from django.urls import reverse

from accounts.models import Profile, User
from accounts.selectors import is_approved_mentor
from events.hooks import AgendaSection, CalendarAdditions, CalendarItem

from .selectors import (
    HostDuty,
    lunch_host_duties_for_user,
    lunch_picks_for_registrations,
    lunch_tables_text,
    rotation_when,
)


def lunch_registration_notes(*, registrations: list) -> dict[int, list[str]]:
    """The person's tables per rotation, for the lunch's calendar item and its reminders."""
    tz_of = {r.pk: r.session.event.tz for r in registrations}
    return {
        registration_id: [lunch_tables_text(picks, tz_of[registration_id])]
        for registration_id, picks in lunch_picks_for_registrations(
            registrations=registrations
        ).items()
    }


def lunch_agenda_items(*, registrations: list) -> None:
    """Under the lunch on "my agenda": the person's tables and a link to change them."""
    picks = lunch_picks_for_registrations(registrations=registrations)
    for registration in registrations:
        if registration.pk in picks:
            registration.lunch_picks = picks[registration.pk]
            registration.detail_template = "events/_lunch_picks.html"


def lunch_host_section(
    *, user: User, profile: Profile | None, registrations: list
) -> AgendaSection | None:
    """No query for people who are not mentors: hosts are picked among mentors' accounts."""
    if profile is None or not profile.is_mentor:
        return None
    duties = lunch_host_duties_for_user(user=user)
    if not duties:
        return None
    return AgendaSection(
        template="events/_lunch_hosting.html",
        # Who is coming is trainees' data: shown to hosts a coordinator approved as mentors.
        context={"duties": duties, "sees_guests": is_approved_mentor(user)},
        starts_at=duties[0].session.starts_at,
    )


def _guests_url(duty: HostDuty, table) -> str:
    session = duty.session
    return settings.SITE_URL + reverse(
        "events:lunch_table_guests",
        kwargs={"slug": session.event.slug, "pk": session.pk, "table_id": table.pk},
    )


def host_duty_text(duty: HostDuty, *, sees_guests: bool = True) -> str:
    tz = duty.session.event.tz
    lines = []
    for table in duty.tables:
        title = f": {table.title}" if table.title else ""
        lines.append(f"You host Table {table.number}{title} ({table.career_path.name}).")
        if sees_guests:
            lines.append(f"Who is coming: {_guests_url(duty, table)}")
    if duty.rotations:
        lines.append("Guests move between tables at each rotation:")
        lines += [f"Rotation {r.number}, {rotation_when(r, tz)}" for r in duty.rotations]
    return "\n".join(lines)


def lunch_host_calendar(*, user: User, registrations: list) -> CalendarAdditions:
    extra = CalendarAdditions()
    duties = lunch_host_duties_for_user(user=user)
    sees_guests = bool(duties) and is_approved_mentor(user)
    for duty in duties:
        session = duty.session
        numbers = ", ".join(str(table.number) for table in duty.tables)
        label = "table" if len(duty.tables) == 1 else "tables"
        extra.items.append(
            CalendarItem(
                uid=f"lunch-host-{session.pk}-{user.pk}",
                session=session,
                summary=f"{session.title} (host, {label} {numbers})",
                description=host_duty_text(duty, sees_guests=sees_guests),
                sequence=session.sequence,
                last_modified=session.updated_at,
            )
        )
    return extra
