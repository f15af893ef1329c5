"""Conversations on Belonging: joining an open group (capacity exact), reviewers assigning
accepted participants with a confirmation step, leaving, and the confirmation by SMTP."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from listening.models import BelongingGroup, GroupPlace
from listening.services.groups import group_join
from notifications.services import notifications_dispatch_due
from tests.concurrency import run_at_once
from tests.factories import GroupPlaceFactory, UserFactory, staff_with
from tests.listening.booking_world import accepted, group, listening_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

PAGE = "/listening/groups/"


def join_url(g) -> str:
    return reverse("listening:group_join", kwargs={"group_id": g.pk})


def places() -> list[tuple[int, int]]:
    return list(
        GroupPlace.objects.filter(status="active").order_by("pk").values_list("user_id", "group_id")
    )


def test_page_lists_open_groups_with_places_left_and_hides_assigned_ones(client):
    event = listening_event()
    person = accepted(event, formats=["group"], time_zone="America/Los_Angeles")
    open_group = group(event, title="Belonging in the clinic", capacity=3)
    GroupPlaceFactory(group=open_group)
    hidden = group(event, title="Assigned only", open_to_choice=False)
    client.force_login(person)

    page = client.get(PAGE).content.decode()

    assert "Belonging in the clinic" in page
    assert "2 places left" in page
    assert "Friday, December 6, 10:00–11:00 (America/Los_Angeles)" in page
    assert "13:00–14:00 event time (America/New_York)" in page
    assert hidden.title not in page
    assert open_group.meeting_url not in page


def test_joining_takes_a_place_and_shows_the_link(client):
    event = listening_event()
    person = accepted(event, formats=["group"])
    g = group(event)
    client.force_login(person)

    client.post(join_url(g))

    assert places() == [(person.pk, g.pk)]
    assert g.meeting_url in client.get(PAGE).content.decode()


def test_joining_a_full_group_is_refused(client):
    event = listening_event()
    g = group(event, capacity=1)
    GroupPlaceFactory(group=g)
    person = accepted(event, formats=["group"])
    client.force_login(person)

    response = client.post(join_url(g), follow=True)

    assert "Sorry, this conversation is full." in response.content.decode()
    assert GroupPlace.objects.filter(user=person).count() == 0


def test_joining_without_an_accepted_group_request_is_refused(client):
    event = listening_event()
    g = group(event)
    person = accepted(event, formats=["interview"])
    client.force_login(person)

    response = client.post(join_url(g), follow=True)

    assert "needs an accepted request for a group conversation" in response.content.decode()
    assert places() == []


def test_joining_a_group_reviewers_assign_is_refused(client):
    event = listening_event()
    g = group(event, open_to_choice=False)
    client.force_login(accepted(event, formats=["group"]))

    response = client.post(join_url(g), follow=True)

    assert "assigned by the reviewers" in response.content.decode()
    assert places() == []


def test_a_second_group_is_refused_until_the_first_is_left(client):
    event = listening_event()
    first, second = group(event), group(event)
    person = accepted(event, formats=["group"])
    client.force_login(person)
    client.post(join_url(first))

    refused = client.post(join_url(second), follow=True)
    client.post(reverse("listening:group_leave"))
    client.post(join_url(second))

    assert "already have a place in another" in refused.content.decode()
    assert places() == [(person.pk, second.pk)]


def test_leaving_after_the_cut_off_is_refused(client):
    event = listening_event()
    g = group(event)
    person = accepted(event, formats=["group"])
    client.force_login(person)
    client.post(join_url(g))
    soon = timezone.now() + dt.timedelta(hours=3)
    BelongingGroup.objects.filter(pk=g.pk).update(
        starts_at=soon, ends_at=soon + dt.timedelta(hours=1)
    )

    response = client.post(reverse("listening:group_leave"), follow=True)

    assert "until 24 hours before the conversation starts" in response.content.decode()
    assert places() == [(person.pk, g.pk)]


def test_a_missing_group_is_404(client):
    client.force_login(accepted(listening_event(), formats=["group"]))
    assert client.post("/listening/groups/999999/join/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_last_place_taken_by_ten_at_once_goes_to_exactly_one(postgres):
    event = listening_event()
    g = group(event, capacity=2)
    GroupPlaceFactory(group=g)
    people = [accepted(event, formats=["group"]) for _ in range(10)]

    results = run_at_once([lambda p=p: group_join(group_id=g.pk, user=p) for p in people])

    assert sum(isinstance(r, GroupPlace) for r in results) == 1
    assert GroupPlace.objects.filter(group=g, status="active").count() == 2


def test_reviewer_assigns_after_a_confirmation_step(client):
    event = listening_event()
    g = group(event, capacity=1, open_to_choice=False)
    first = accepted(event, formats=["group"], user=UserFactory(name="Ana First"))
    second = accepted(event, formats=["group"], user=UserFactory(name="Ben Second"))
    accepted(event, formats=["interview"], user=UserFactory(name="Ivy Interviewonly"))
    reviewer = staff_with("listening.review_requests")
    client.force_login(reviewer)
    changelist = reverse("admin:listening_belonginggroup_changelist")
    action = {"action": "assign_participants", "_selected_action": [g.pk]}

    confirm = client.post(changelist, action)
    done = client.post(
        changelist, {**action, "confirm": "1", "people": [first.pk, second.pk]}, follow=True
    )

    page = confirm.content.decode()
    assert "Ana First" in page and "Ben Second" in page
    assert "Ivy Interviewonly" not in page
    assert places() == [(first.pk, g.pk)]  # capacity 1: the second is told why
    text = done.content.decode()
    assert "1 placed in" in text
    assert "Sorry, this conversation is full." in text
    assert GroupPlace.objects.get(user=first).assigned_by == reviewer


def test_joining_sends_a_confirmation_with_the_calendar_file_through_smtp(client, mailbox):
    event = listening_event()
    person = accepted(event, formats=["group"])
    g = group(event, title="Belonging in research")
    client.force_login(person)

    client.post(join_url(g))
    notifications_dispatch_due()

    (message,) = [m["message"] for m in mailbox.messages]
    assert message["Subject"] == "Your place in a Conversation on Belonging"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert '"Belonging in research"' in body
    assert "Friday, December 6, 13:00–14:00 (America/New_York)" in body
    assert g.meeting_url in body
    (ics,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    text = ics.get_content()
    text = text.decode() if isinstance(text, bytes) else text
    assert "SUMMARY:Private conversation" in text
    assert "Belonging in research" not in text
