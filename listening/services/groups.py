"""Conversations on Belonging: a person joins a group open to choice, or a reviewer assigns
accepted participants; capacity is exact (the group row is locked while counting)."""

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from events.refusals import Refusal
from events.services.locking import LOCK_TIMEOUT, user_lock

from ..models import BelongingGroup, Format, GroupPlace, ListeningRequest
from ..refusals import Code
from ..selectors.interviews import is_past_cutoff
from . import booking_notices


def _group_lock(pk: int) -> BelongingGroup:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    return BelongingGroup.objects.select_for_update(of=("self",)).select_related("event").get(pk=pk)


def _place_take(*, group: BelongingGroup, user: User, assigned_by: User | None) -> GroupPlace:
    """Call with the group row locked, then the person's."""
    request = ListeningRequest.objects.filter(
        event=group.event, user=user, status=ListeningRequest.Status.ACCEPTED
    ).first()
    if request is None or Format.GROUP not in (request.formats or []):
        raise Refusal(
            "A place in a Conversation on Belonging needs an accepted request for a group "
            "conversation.",
            Code.NOT_ACCEPTED,
        )
    places = GroupPlace.objects.filter(group__event=group.event, user=user, status="active")
    if places.filter(group=group).exists():
        raise Refusal("You already have a place in this conversation.", Code.ALREADY_PLACED)
    if places.exists():
        raise Refusal(
            "You already have a place in another Conversation on Belonging; leave it first.",
            Code.ALREADY_PLACED,
        )
    if GroupPlace.objects.filter(group=group, status="active").count() >= group.capacity:
        raise Refusal("Sorry, this conversation is full.", Code.FULL)
    place = GroupPlace.objects.create(group=group, user=user, assigned_by=assigned_by)
    place.group = group
    booking_notices.place_confirmed(place)
    return place


@transaction.atomic
def group_join(*, group_id: int, user: User) -> GroupPlace:
    """The person takes a place in a group open to choice, until the cut-off."""
    group = _group_lock(group_id)
    user_lock(user)
    if not group.open_to_choice:
        raise Refusal("Places in this conversation are assigned by the reviewers.", Code.NOT_OPEN)
    if is_past_cutoff(group.starts_at):
        hours = settings.LISTENING_CHANGE_CUTOFF_HOURS
        raise Refusal(
            f"Places can be taken until {hours} hours before the conversation starts.",
            Code.CUTOFF,
        )
    return _place_take(group=group, user=user, assigned_by=None)


@transaction.atomic
def group_assign(
    *, group: BelongingGroup, users: list[User], reviewer: User
) -> tuple[list[GroupPlace], list[tuple[User, str]]]:
    """A reviewer places accepted participants in `group`: who got a place, and who did not
    with the reason (full, not accepted for groups, placed elsewhere)."""
    group = _group_lock(group.pk)
    placed, refused = [], []
    for user in sorted(users, key=lambda u: u.pk):  # user locks in one order
        user_lock(user)
        try:
            with transaction.atomic():
                placed.append(_place_take(group=group, user=user, assigned_by=reviewer))
        except Refusal as exc:
            refused.append((user, exc.messages[0]))
    return placed, refused


@transaction.atomic
def group_leave(*, place: GroupPlace, user: User) -> GroupPlace:
    place = (
        GroupPlace.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=place.pk, user=user)
    )
    if place.status != GroupPlace.Status.ACTIVE:
        raise Refusal("You have no place in this conversation.", Code.NOT_BOOKED)
    if is_past_cutoff(place.group.starts_at):
        hours = settings.LISTENING_CHANGE_CUTOFF_HOURS
        raise Refusal(
            f"A place can be given up until {hours} hours before the conversation starts.",
            Code.CUTOFF,
        )
    place.status = GroupPlace.Status.CANCELLED
    place.save(update_fields=["status"])
    booking_notices.place_cancelled(place)
    return place
