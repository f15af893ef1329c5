"""Reads for the groups page: the groups open to a person, with places left, and their own."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import User

from ..models import BelongingGroup, Format, GroupPlace, ListeningRequest
from ..timefmt import when_both, zone_or
from .interviews import accepted_request_for_user, is_past_cutoff


def groups_with_places(*, event) -> list[BelongingGroup]:
    return list(
        BelongingGroup.objects.filter(event=event)
        .annotate(taken=Count("places", filter=Q(places__status="active")))
        .select_related("event")
        .order_by("starts_at", "pk")
    )


@dataclass
class GroupView:
    group: BelongingGroup
    when: str
    places_left: int
    can_join: bool


@dataclass
class GroupsPage:
    request: ListeningRequest | None
    place: GroupPlace | None = None
    place_when: str = ""
    can_leave: bool = False
    groups: list[GroupView] = field(default_factory=list)


def _when(group: BelongingGroup, request: ListeningRequest) -> str:
    minutes = int((group.ends_at - group.starts_at).total_seconds() // 60)
    tz = request.event.tz
    return when_both(group.starts_at, minutes, event_tz=tz, own_tz=zone_or(request.time_zone, tz))


def place_active(*, user: User, event) -> GroupPlace | None:
    return (
        GroupPlace.objects.filter(user=user, group__event=event, status="active")
        .select_related("group", "group__event")
        .first()
    )


def groups_page(*, user: User) -> GroupsPage:
    request = accepted_request_for_user(user=user, format=Format.GROUP)
    page = GroupsPage(request=request)
    if request is None:
        return page
    page.place = place_active(user=user, event=request.event)
    if page.place is not None:
        page.place_when = _when(page.place.group, request)
        page.can_leave = not is_past_cutoff(page.place.group.starts_at)
    for group in groups_with_places(event=request.event):
        left = max(group.capacity - getattr(group, "taken", 0), 0)
        if not group.open_to_choice and (page.place is None or page.place.group_id != group.pk):
            continue
        page.groups.append(
            GroupView(
                group=group,
                when=_when(group, request),
                places_left=left,
                can_join=page.place is None and left > 0 and not is_past_cutoff(group.starts_at),
            )
        )
    return page
