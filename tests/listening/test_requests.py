"""A member's request to take part: the page, the form's rules, edit and withdraw, and the
reviewers' decisions (admin actions, the audit trail, one email each through real SMTP)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from listening.models import ListeningRequest, ReviewLogEntry
from listening.services.requests import listening_request_decide, listening_request_submit
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.factories import ListeningRequestFactory, UserFactory
from tests.listening.conftest import request_data
from tests.smtp import header

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scheduled_deliveries")]

INDEX = reverse("listening:index")
CHANGELIST = reverse("admin:listening_listeningrequest_changelist")


@pytest.fixture
def member(client, trainee):
    client.force_login(trainee)
    return trainee


def submit(event, user, **overrides) -> ListeningRequest:
    form = request_data(**overrides)
    data = {**form, "consent": form.get("consent") == "on"}
    return listening_request_submit(event=event, user=user, data=data)


def test_page_explains_the_three_phases_and_asks_an_anonymous_visitor_to_log_in(
    client, listening_event
):
    content = client.get(INDEX).content.decode()

    for phase in (
        "One-on-one interviews.",
        "Conversations on Belonging.",
        "Reflection and Action.",
    ):
        assert phase in content
    assert "Log in</a> or" in content
    assert 'name="consent"' not in content


def test_page_shows_the_form_with_the_days_in_the_event_zone_and_the_privacy_notice(
    client, member, listening_event
):
    content = client.get(INDEX).content.decode()

    assert "Friday, December 6, Morning (9:00–12:00)" in content
    assert "Sunday, December 8, Evening (17:00–20:00)" in content
    assert "Days and times in America/New_York time, the event's zone." in content
    assert "deleted 90 days after the event ends" in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_member_sends_a_request_and_sees_its_status(client, member, listening_event):
    response = client.post(INDEX, request_data(), follow=True)

    saved = ListeningRequest.objects.get(user=member)
    assert (saved.status, saved.formats, saved.topics, saved.topic_other) == (
        "submitted",
        ["interview", "group"],
        ["gender", "other"],
        "Parenthood in training",
    )
    assert saved.availability == ["2030-12-06:morning", "2030-12-07:evening"]
    assert (saved.time_zone, saved.note, saved.consent) == (
        "Europe/Berlin",
        "I prefer mornings.",
        True,
    )
    assert "Status: <strong>Submitted</strong>" in response.content.decode()
    assert list(saved.log.values_list("action", "actor")) == [("submitted", member.pk)]


def test_member_edits_a_waiting_request(client, member, listening_event):
    submit(listening_event, member)

    client.post(INDEX, request_data(formats=["group"], note=""))

    saved = ListeningRequest.objects.get(user=member)
    assert (saved.formats, saved.note, saved.status) == (["group"], "", "submitted")
    assert saved.log.first().action == "edited"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": None}, "consent", "We can only contact you with your consent"),
        ({"formats": ["interview", "panel"]}, "formats", "Select a valid choice. panel"),
        ({"topics": ["religion"]}, "topics", "Select a valid choice. religion"),
        ({"note": "x" * 2001}, "note", "2,000"),
        ({"topic_other": ""}, "topic_other", "which other topic"),
        ({"availability": ["2030-12-09:morning"]}, "availability", "Select a valid choice."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
        ({"formats": None}, "formats", "Choose the interview, a group conversation or both."),
    ],
)
def test_bad_request_is_refused_with_a_message_and_nothing_is_saved(
    client, member, listening_event, overrides, field, message
):
    response = client.post(INDEX, request_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ListeningRequest.objects.count() == 0
    assert ReviewLogEntry.objects.count() == 0


def test_the_service_refuses_what_a_forged_form_would_let_through(member, listening_event):
    with pytest.raises(ValidationError) as refused:
        listening_request_submit(
            event=listening_event,
            user=member,
            data={**request_data(formats=["panel"]), "consent": True},
        )

    assert "formats" in refused.value.message_dict
    assert ListeningRequest.objects.count() == 0


def test_member_withdraws_a_waiting_request_and_may_send_it_again(client, member, listening_event):
    submit(listening_event, member)

    client.post(reverse("listening:withdraw"))
    assert ListeningRequest.objects.get(user=member).status == "withdrawn"

    client.post(INDEX, request_data())
    assert ListeningRequest.objects.get(user=member).status == "submitted"


def test_a_decided_request_can_no_longer_be_edited_or_withdrawn(
    client, member, listening_event, reviewer
):
    request = submit(listening_event, member)
    listening_request_decide(request=request, accept=True, reviewer=reviewer)

    edited = client.post(INDEX, request_data(formats=["group"]), follow=True)
    withdrawn = client.post(reverse("listening:withdraw"), follow=True)

    request.refresh_from_db()
    assert (request.status, request.formats) == ("accepted", ["interview", "group"])
    assert "can no longer be changed" in edited.content.decode()
    assert "can no longer be withdrawn" in withdrawn.content.decode()
    assert 'name="consent"' not in edited.content.decode()


def test_withdraw_touches_only_the_persons_own_request(client, member, listening_event):
    someone = ListeningRequestFactory(event=listening_event)

    response = client.post(reverse("listening:withdraw"), follow=True)

    someone.refresh_from_db()
    assert someone.status == "submitted"
    assert "You have no request to withdraw." in response.content.decode()


def test_an_event_without_listening_sessions_is_not_found(client, member, event):
    assert client.get(INDEX).status_code == 404
    assert client.get(INDEX + f"?event={event.slug}").status_code == 404


def test_agenda_links_listening_items_to_the_request_page(client, listening_event):
    content = client.get(listening_event.get_absolute_url()).content.decode()

    assert f'href="/listening/?event={listening_event.slug}"' in content
    assert "Ask to take part in the listening sessions" in content


# --- review ------------------------------------------------------------------------------------


def test_acceptance_is_emailed_once_through_smtp_with_the_message(
    listening_event, reviewer, mailbox
):
    person = UserFactory(name="Ana Applicant")
    request = submit(listening_event, person)

    listening_request_decide(
        request=request, accept=True, message="Welcome — slots open Monday.", reviewer=reviewer
    )
    with pytest.raises(ValidationError, match="only submitted requests can be decided"):
        listening_request_decide(request=request, accept=False, reviewer=reviewer)
    notifications_dispatch_due()

    (message,) = [m["message"] for m in mailbox.messages]
    assert header(message, "To") == person.email
    assert header(message, "Subject") == "Your request for the listening sessions is accepted"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Ana Applicant," in body
    assert "accepted for: One-on-one interview, Conversation on Belonging (group)." in body
    assert "Welcome — slots open Monday." in body
    assert f"/listening/?event={listening_event.slug}" in body
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", reviewer)


def test_a_decline_is_emailed_through_smtp(listening_event, reviewer, mailbox):
    request = submit(listening_event, UserFactory())

    listening_request_decide(request=request, accept=False, reviewer=reviewer)
    notifications_dispatch_due()

    (message,) = [m["message"] for m in mailbox.messages]
    assert header(message, "Subject") == "Your request for the listening sessions"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "We are not able to offer you a place this time." in body


def test_reviewer_decides_in_bulk_after_a_confirmation_step(client, listening_event, reviewer):
    waiting = [submit(listening_event, UserFactory()) for _ in range(3)]
    withdrawn = ListeningRequestFactory(event=listening_event, status="withdrawn")
    client.force_login(reviewer)
    chosen = [str(r.pk) for r in [*waiting, withdrawn]]

    step = client.post(CHANGELIST, {"action": "accept_requests", ACTION_CHECKBOX_NAME: chosen})
    assert step.status_code == 200
    assert "You accept 3 requests." in step.content.decode()
    assert ListeningRequest.objects.filter(status="accepted").count() == 0

    client.post(
        CHANGELIST,
        {
            "action": "accept_requests",
            ACTION_CHECKBOX_NAME: chosen,
            "apply": "1",
            "decision": "accept",
            "message": "See you there.",
        },
    )

    assert sorted(ListeningRequest.objects.values_list("status", flat=True)) == [
        "accepted",
        "accepted",
        "accepted",
        "withdrawn",
    ]
    log = ReviewLogEntry.objects.filter(action="accepted")
    assert sorted(log.values_list("request_id", "actor_id", "detail")) == sorted(
        (r.pk, reviewer.pk, "See you there.") for r in waiting
    )
    assert Notification.objects.filter(kind="listening_accepted").count() == 3


def test_reviewer_filters_the_queue_by_status_format_and_topic(client, listening_event, reviewer):
    ListeningRequestFactory(event=listening_event, formats=["group"], topics=["ability"])
    ListeningRequestFactory(event=listening_event, formats=["interview"], topics=["gender"])
    ListeningRequestFactory(
        event=listening_event, formats=["group"], topics=["gender"], status="declined"
    )
    client.force_login(reviewer)

    def found(query: str) -> int:
        return client.get(f"{CHANGELIST}?{query}").context["cl"].result_count

    assert found("format=group") == 2
    assert found("format=group&topic=gender") == 1
    assert found("status__exact=submitted") == 2
    assert found("topic=sexual_orientation") == 0


def test_review_log_is_readable_by_reviewers_only(client, listening_event, reviewer, superuser):
    ListeningRequestFactory(event=listening_event)
    changelist = reverse("admin:listening_reviewlogentry_changelist")

    client.force_login(superuser)
    assert client.get(changelist).status_code == 403
    client.force_login(reviewer)
    assert client.get(changelist).status_code == 200
