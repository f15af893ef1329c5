"""Blood Buddies pages: forms and their errors, who may open what, staff pages, my agenda and
query counts that do not grow with the slot."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from events.models import Registration
from mentorship import services as mentorship_services
from mentorship.models import Meeting, MentorOffer, TraineeSignup
from mentorship.services import schedule_draft, schedule_publish
from notifications.models import Notification
from notifications.services import notifications_dispatch_due
from tests.conftest import login_session_queries
from tests.factories import (
    ConversationFeedbackFactory,
    MeetingFactory,
    SpeedMentoringSlotFactory,
    UserFactory,
    staff_with,
)

from .conftest import at, make_mentor, make_slot, make_trainee, offer_for, signup_for, speed_session

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

AFTER_THE_SLOT = at(6, 12)


def url(name: str, slot=None, **kwargs) -> str:
    if slot is not None:
        kwargs["session_id"] = slot.session_id
    return reverse(f"mentorship:{name}", kwargs=kwargs)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def published(slot, *, mentors: int = 1, trainees: int = 1, capacity: int = 1):
    offers = [offer_for(slot, capacity=capacity) for _ in range(mentors)]
    signups = [signup_for(slot) for _ in range(trainees)]
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    return offers, signups


# --- the slot page and sign-up forms ----------------------------------------------------------


def test_slot_page_shows_the_mentors_profiles(client, slot):
    offer_for(slot, mentor=make_mentor("Dr. Grace Hopper", institution="Navy Lab"))

    response = client.get(url("slot_detail", slot))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Dr. Grace Hopper" in page and "Navy Lab" in page and "Bio of Dr. Grace Hopper" in page


def test_slot_page_shows_the_mentor_profiles_before_the_ranking_choices(slot):
    offer = offer_for(slot, mentor=make_mentor("Dr. Grace Hopper"))

    page = logged_in(make_trainee()).get(url("slot_detail", slot)).content.decode()

    assert page.index(f'id="mentor-{offer.pk}"') < page.index('name="rank_1"')


@pytest.mark.parametrize("stage", ["early_career", "mid_career", "senior"])
def test_slot_page_does_not_offer_faculty_to_take_part_as_a_trainee(slot, stage):
    mentor = make_mentor("Dr. Senior")
    mentor.profile.career_stage = stage
    mentor.profile.save()

    page = logged_in(mentor).get(url("slot_detail", slot)).content.decode()

    assert "Take part as a trainee" not in page and 'name="rank_1"' not in page
    assert "Sign up to mentor" in page


def test_slot_page_offers_a_trainee_to_take_part(slot):
    page = logged_in(make_trainee()).get(url("slot_detail", slot)).content.decode()

    assert "Take part as a trainee" in page and 'name="rank_1"' in page


def test_slot_page_counts_one_mentor_and_one_trainee_in_the_singular(slot):
    offer_for(slot)
    signup_for(slot)

    page = logged_in(make_trainee()).get(url("slot_detail", slot)).content.decode()

    assert "1 of 8 tables staffed · 1 trainee signed up" in page


def test_review_page_counts_one_mentor_and_one_trainee_in_the_singular(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    client = logged_in(superuser)

    message = client.post(url("review_match", slot), follow=True).content.decode()
    page = client.get(url("review", slot)).content.decode()

    assert "1 conversation for 1 trainee and 1 mentor" in message
    assert "1 mentor, 1 trainee" in page


def test_slot_page_for_a_session_without_slot_settings_says_not_open_yet(client, event):
    buddies_session = speed_session(event)

    response = client.get(f"/mentorship/slots/{buddies_session.pk}/")

    assert "has not opened yet" in response.content.decode()


def test_mentor_signs_up_in_the_browser(slot):
    mentor = make_mentor()

    response = logged_in(mentor).post(
        url("mentor_signup", slot), {"capacity": "2", "excluded_institutions": "Own Programme"}
    )

    assert response.status_code == 302
    offer = MentorOffer.objects.get(slot=slot, mentor=mentor)
    assert (offer.capacity, offer.excluded_list) == (2, ["Own Programme"])


@pytest.mark.parametrize("capacity", ["0", "4"])
def test_mentor_capacity_outside_1_to_3_is_a_form_error(slot, capacity):
    response = logged_in(make_mentor()).post(url("mentor_signup", slot), {"capacity": capacity})

    assert response.status_code == 400
    assert response.context["mentor_form"].errors["capacity"]
    assert not MentorOffer.objects.exists()


def test_mentor_withdraws_in_the_browser(slot):
    offer = offer_for(slot)

    logged_in(offer.mentor).post(url("mentor_withdraw", slot))

    offer.refresh_from_db()
    assert offer.status == "withdrawn"


def test_trainee_sees_a_ranked_mentor_who_withdrew_marked_as_withdrew(slot):
    leaving = offer_for(slot, mentor=make_mentor("Dr. Leaving"))
    signup = signup_for(slot, preferred=[leaving])

    logged_in(leaving.mentor).post(url("mentor_withdraw", slot))
    page = logged_in(signup.trainee).get(url("slot_detail", slot)).content.decode()

    assert 'Dr. Leaving — <span class="status clash">withdrew from this slot</span>' in page
    assert "Dr. Leaving withdrew from this slot: choose another mentor." in page


def test_trainee_re_ranks_after_a_mentor_withdrew(slot):
    leaving = offer_for(slot, mentor=make_mentor("Dr. Leaving"))
    staying = offer_for(slot, mentor=make_mentor("Dr. Staying"))
    signup = signup_for(slot, preferred=[leaving, staying])
    logged_in(leaving.mentor).post(url("mentor_withdraw", slot))
    client = logged_in(signup.trainee)

    client.post(url("trainee_signup", slot), {"rank_1": str(staying.pk)})

    page = client.get(url("slot_detail", slot)).content.decode()
    assert list(signup.preferences.values_list("offer_id", "rank")) == [(staying.pk, 1)]
    assert "withdrew" not in page


def test_trainee_is_emailed_when_a_mentor_they_ranked_withdraws(slot, mailbox):
    leaving = offer_for(slot, mentor=make_mentor("Dr. Leaving"))
    staying = offer_for(slot, mentor=make_mentor("Dr. Staying"))
    signup_for(slot, preferred=[staying, leaving], trainee=make_trainee(email="tia@example.org"))
    notifications_dispatch_due()  # the sign-up's own confirmation
    before = mailbox.count()

    logged_in(leaving.mentor).post(url("mentor_withdraw", slot))
    notifications_dispatch_due()

    (mail,) = mailbox.messages[before:]
    text = mail["message"].get_body(preferencelist=("plain",)).get_content()
    assert mail["to"] == ["tia@example.org"]
    assert mail["message"]["Subject"] == "Dr. Leaving has withdrawn from Blood Buddies 1"
    assert "Dr. Leaving, whom you ranked as choice 2, has withdrawn" in text
    assert "Your other choices stand: Dr. Staying." in text
    assert url("slot_detail", slot) in text


def test_trainee_signs_up_with_interests_and_ranked_mentors(slot):
    first, second = offer_for(slot), offer_for(slot)
    trainee = make_trainee()

    logged_in(trainee).post(
        url("trainee_signup", slot),
        {"interests": [], "rank_1": str(second.pk), "rank_2": "", "rank_3": str(first.pk)},
    )

    signup = TraineeSignup.objects.get(slot=slot, trainee=trainee)
    assert list(signup.preferences.values_list("offer_id", "rank")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]
    assert signup.registration.status == Registration.Status.CONFIRMED


def test_ranking_a_mentor_not_in_the_slot_is_a_form_error(event, slot):
    other = offer_for(make_slot(speed_session(event, starts_at=at(7, 10), ends_at=at(7, 11))))

    response = logged_in(make_trainee()).post(
        url("trainee_signup", slot), {"rank_1": str(other.pk)}
    )

    assert response.status_code == 400
    assert response.context["trainee_form"].errors["rank_1"] == [
        "Choose a mentor from this slot's list."
    ]
    assert not TraineeSignup.objects.exists()


def test_ranking_the_same_mentor_twice_is_a_form_error(slot):
    offer = offer_for(slot)

    response = logged_in(make_trainee()).post(
        url("trainee_signup", slot), {"rank_1": str(offer.pk), "rank_2": str(offer.pk)}
    )

    assert response.status_code == 400
    assert "Rank each mentor once." in response.context["trainee_form"].non_field_errors()


def test_sign_up_needs_a_login(client, slot):
    response = client.post(url("trainee_signup", slot), {})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sign_up_is_post_only(slot):
    response = logged_in(make_trainee()).get(url("trainee_signup", slot))

    assert response.status_code == 405


# --- a person's own pages ---------------------------------------------------------------------


def test_my_schedule_shows_time_table_and_partner(slot):
    offers, signups = published(slot)
    mentor = offers[0].mentor

    page = logged_in(signups[0].trainee).get(url("my_schedule", slot)).content.decode()

    assert mentor.get_full_name() in page and "10:00" in page and "Senior" in page


def test_another_persons_schedule_is_404(slot):
    published(slot)

    response = logged_in(make_trainee()).get(url("my_schedule", slot))

    assert response.status_code == 404


def test_my_schedule_before_publishing_is_404(slot):
    offer_for(slot)
    signup = signup_for(slot)
    schedule_draft(slot=slot)

    response = logged_in(signup.trainee).get(url("my_schedule", slot))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["conversation_detail", "conversation_stay", "conversation_feedback"]
)
def test_another_persons_conversation_is_404(slot, name):
    published(slot)
    meeting = Meeting.objects.get()
    stranger = make_trainee()

    with time_machine.travel(AFTER_THE_SLOT):
        stranger = logged_in(stranger)  # a login made in 2026 has expired by then
        if name == "conversation_detail":
            response = stranger.get(url(name, pk=meeting.pk))
        else:
            response = stranger.post(url(name, pk=meeting.pk), {"stay": "yes", "rating": "5"})

    assert response.status_code == 404
    meeting.refresh_from_db()
    assert not meeting.trainee_stays_in_touch and not meeting.feedback.exists()


def test_connections_show_the_email_only_after_both_say_yes(slot):
    offers, signups = published(slot)
    mentor, trainee = offers[0].mentor, signups[0].trainee
    meeting = Meeting.objects.get()

    with time_machine.travel(AFTER_THE_SLOT):
        trainee_client, mentor_client = logged_in(trainee), logged_in(mentor)
        trainee_client.post(url("conversation_stay", pk=meeting.pk), {"stay": "yes"})
        one_sided = trainee_client.get(url("connections")).content.decode()
        mentor_client.post(url("conversation_stay", pk=meeting.pk), {"stay": "yes"})
        mutual = trainee_client.get(url("connections")).content.decode()
        mentor_view = mentor_client.get(url("connections")).content.decode()

    assert mentor.email not in one_sided
    assert mentor.email in mutual
    assert trainee.email in mentor_view


def test_feedback_out_of_range_is_a_form_error(slot):
    published(slot)
    meeting = Meeting.objects.select_related("signup__trainee").get()

    with time_machine.travel(AFTER_THE_SLOT):
        response = logged_in(meeting.signup.trainee).post(
            url("conversation_feedback", pk=meeting.pk), {"rating": "6"}
        )

    assert response.status_code == 400
    assert not meeting.feedback.exists()


def test_my_agenda_shows_the_published_rounds_for_trainee_and_mentor(slot):
    offers, signups = published(slot)
    mentor, trainee = offers[0].mentor, signups[0].trainee

    trainee_page = logged_in(trainee).get(reverse("events:my_agenda")).content.decode()
    mentor_page = logged_in(mentor).get(reverse("events:my_agenda")).content.decode()

    assert (
        "Blood Buddies speed mentoring" in trainee_page and mentor.get_full_name() in trainee_page
    )
    assert "(you mentor)" in mentor_page and trainee.get_full_name() in mentor_page


# --- staff ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("review", "get"),
        ("review_match", "post"),
        ("review_publish", "post"),
        ("review_repair", "post"),
        ("review_absent", "post"),
    ],
)
def test_staff_pages_send_anonymous_visitors_to_the_login(client, slot, name, method):
    response = getattr(client, method)(url(name, slot))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Meeting.objects.count() == 0


# Being staff is not a permission: each page asks for the one of its job.
NO_PERMISSION = {
    "trainee": lambda: make_trainee(),
    "staff without permissions": lambda: UserFactory(is_staff=True),
    "staff who may only view slots": lambda: staff_with("mentorship.view_speedmentoringslot"),
}


@pytest.mark.parametrize("who", NO_PERMISSION)
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("review_match", "post"),
        ("review_discard", "post"),
        ("review_publish", "post"),
        ("review_repair", "post"),
        ("review_absent", "post"),
        ("review_absent_undo", "post"),
    ],
)
def test_staff_actions_refuse_people_without_the_change_permission(slot, who, name, method):
    offer_for(slot, mentor=make_mentor("Dr. Table One"))
    signup_for(slot, trainee=make_trainee("Tara Trainee"))

    response = getattr(logged_in(NO_PERMISSION[who]()), method)(url(name, slot))

    assert response.status_code == 403
    assert "You can’t open this page" in response.content.decode()
    assert Meeting.objects.count() == 0
    assert slot.__class__.objects.get(pk=slot.pk).matched_at is None


@pytest.mark.parametrize("who", ["trainee", "staff without permissions"])
def test_review_page_refuses_people_without_the_view_permission(slot, who):
    response = logged_in(NO_PERMISSION[who]()).get(url("review", slot))

    assert response.status_code == 403
    assert "You can’t open this page" in response.content.decode()


def test_review_page_with_only_the_view_permission_shows_no_action(slot):
    offer_for(slot, mentor=make_mentor("Dr. Table One"))

    response = logged_in(staff_with("mentorship.view_speedmentoringslot")).get(url("review", slot))

    assert response.status_code == 200
    page = response.content.decode()
    assert "/review/match/" not in page
    assert "Feedback per mentor" not in page


def test_matching_runs_for_staff_holding_the_change_permission(slot):
    offer_for(slot, mentor=make_mentor("Dr. Table One"))
    signup_for(slot, trainee=make_trainee("Tara Trainee"))
    superuser = staff_with(
        "mentorship.view_speedmentoringslot", "mentorship.change_speedmentoringslot"
    )

    response = logged_in(superuser).post(url("review_match", slot))

    assert response.status_code == 302
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("who", ["trainee", "staff without permissions"])
def test_feedback_summary_refuses_people_without_the_permission(who):
    response = logged_in(NO_PERMISSION[who]()).get(url("feedback_summary"))

    assert response.status_code == 403


def test_feedback_summary_opens_for_holders_of_the_feedback_view_permission():
    superuser = staff_with("mentorship.view_conversationfeedback")

    response = logged_in(superuser).get(url("feedback_summary"))

    assert response.status_code == 200


def test_staff_match_review_and_publish_in_the_browser(slot, superuser):
    offer_for(slot, mentor=make_mentor("Dr. Table One"))
    signup_for(slot, trainee=make_trainee("Tara Trainee"))
    client = logged_in(superuser)

    client.post(url("review_match", slot))
    page = client.get(url("review", slot)).content.decode()
    client.post(url("review_publish", slot))
    client.post(url("review_publish", slot))

    assert "Dr. Table One" in page and "Tara Trainee" in page
    assert Notification.objects.filter(kind="mentoring_schedule_published").count() == 2


def test_review_lists_unmatched_trainees_with_the_reason(slot, superuser):
    signup_for(slot, trainee=make_trainee("Lonely Trainee"))
    client = logged_in(superuser)

    client.post(url("review_match", slot))
    page = client.get(url("review", slot)).content.decode()

    assert "Lonely Trainee" in page and "no mentors signed up" in page


def test_staff_mark_absent_and_repair_in_the_browser(buddies_session, superuser):
    slot = make_slot(buddies_session, rounds=2)
    published(slot, mentors=4, trainees=2)
    dropped = Meeting.objects.select_related("offer__mentor").first().offer.mentor
    client = logged_in(superuser)

    client.post(url("review_absent", slot), {"user": dropped.pk})
    client.post(url("review_repair", slot))

    assert not Meeting.objects.filter(offer__mentor=dropped, status="scheduled").exists()
    assert Notification.objects.filter(kind="mentoring_schedule_changed").exists()


def test_admin_action_runs_the_matching(slot, superuser):
    offer_for(slot)
    signup_for(slot)
    changelist = reverse("admin:mentorship_speedmentoringslot_changelist")

    logged_in(superuser).post(changelist, {"action": "run_matching", "_selected_action": [slot.pk]})

    assert Meeting.objects.filter(slot=slot).count() == 1


# --- query counts -----------------------------------------------------------------------------


def build(slot, size: int):
    offers = [offer_for(slot, capacity=3) for _ in range(max(size // 6, 1))]
    signups = [signup_for(slot, preferred=offers[:2], interests=[]) for _ in range(size)]
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    return offers, signups


# exact at 6 and 36 signups: (login session), user, slot, offers (+expertise), signups
# (+interests), ranks, meetings, all offers, dropped
REVIEW_QUERIES = 10 + login_session_queries()
# exact at 6 and 36 signups: (login session), user, slot, my offer, my meetings (+interests,
# +expertise)
SCHEDULE_QUERIES = 6 + login_session_queries()


@pytest.mark.parametrize("size", [6, 36])
def test_review_page_queries_do_not_grow_with_the_slot(
    event, superuser, django_assert_num_queries, size
):
    slot = make_slot(speed_session(event), tables=12)
    build(slot, size)
    client = logged_in(superuser)

    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(url("review", slot))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [6, 36])
def test_my_schedule_queries_do_not_grow_with_the_slot(event, django_assert_num_queries, size):
    slot = make_slot(speed_session(event), tables=12)
    offers, _ = build(slot, size)
    client = logged_in(offers[0].mentor)

    with django_assert_num_queries(SCHEDULE_QUERIES):
        response = client.get(url("my_schedule", slot))

    assert response.status_code == 200


# --- pages render -----------------------------------------------------------------------------


def test_index_lists_the_slots_and_my_conversations(slot):
    _, signups = published(slot)

    page = logged_in(signups[0].trainee).get(url("index")).content.decode()

    assert "Blood Buddies 1" in page and "round 1" in page


def test_own_conversation_page_offers_stay_in_touch_and_feedback(slot):
    offers, signups = published(slot)
    meeting = Meeting.objects.get()

    with time_machine.travel(AFTER_THE_SLOT):
        page = logged_in(signups[0].trainee).get(url("conversation_detail", pk=meeting.pk))

    text = page.content.decode()
    assert offers[0].mentor.get_full_name() in text
    assert "Yes, I'd like to stay in touch" in text and "Save feedback" in text


def test_staff_see_feedback_per_mentor(slot, superuser):
    offers, signups = published(slot)
    meeting = Meeting.objects.get()
    with time_machine.travel(AFTER_THE_SLOT):
        logged_in(signups[0].trainee).post(
            url("conversation_feedback", pk=meeting.pk), {"rating": "4", "comment": "Helpful"}
        )

    page = logged_in(superuser).get(url("feedback_summary")).content.decode()

    assert offers[0].mentor.email in page and "4.0" in page and "Helpful" in page


def test_session_page_links_to_the_slot(client, slot):
    page = client.get(slot.session.get_absolute_url()).content.decode()

    assert url("slot_detail", slot) in page


def test_session_page_lists_the_slots_mentors_instead_of_the_speakers(client, event):
    buddies_session = speed_session(event, speakers=["Dr. Nadia Petrova"])
    slot = make_slot(buddies_session)
    offer_for(
        slot,
        mentor=make_mentor("Dr. Grace Hopper", institution="Navy Lab", expertise=["industry"]),
    )

    page = client.get(buddies_session.get_absolute_url()).content.decode()

    assert "Mentors in this slot" in page
    assert "Dr. Grace Hopper" in page and "Navy Lab" in page and "Industry" in page
    assert "Dr. Nadia Petrova" not in page and "Speakers" not in page


def test_session_page_lists_the_same_mentors_the_ranking_offers(slot):
    staying = offer_for(slot, mentor=make_mentor("Dr. Staying"))
    leaving = offer_for(slot, mentor=make_mentor("Dr. Leaving"))
    mentorship_services.mentor_offer_withdraw(slot=slot, mentor=leaving.mentor)
    client = logged_in(make_trainee())

    session_page = client.get(slot.session.get_absolute_url()).content.decode()
    slot_page = client.get(url("slot_detail", slot)).content.decode()

    ranking = re.search(r'<select name="rank_1".*?</select>', slot_page, flags=re.DOTALL).group(0)
    assert re.findall(r">(Dr\. \w+)</option>", ranking) == ["Dr. Staying"]
    assert staying.mentor.name in session_page and leaving.mentor.name not in session_page


@pytest.mark.parametrize("page", ["changelist", "add", "change"])
def test_admin_pages_render_for_staff(slot, superuser, page):
    name = f"admin:mentorship_speedmentoringslot_{page}"
    target = reverse(name, args=[slot.pk]) if page == "change" else reverse(name)

    response = logged_in(superuser).get(target)

    assert response.status_code == 200


def test_admin_refuses_rounds_that_do_not_fit_the_session(event, superuser):
    buddies_session = speed_session(event)  # 60 minutes

    response = logged_in(superuser).post(
        reverse("admin:mentorship_speedmentoringslot_add"),
        {
            "session": buddies_session.pk,
            "rounds": "7",
            "minutes_per_round": "10",
            "tables": "8",
            "offers-TOTAL_FORMS": "0",
            "offers-INITIAL_FORMS": "0",
            "signups-TOTAL_FORMS": "0",
            "signups-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "do not fit in the session" in response.content.decode()


# --- list pages: the same queries for a few rows and many -------------------------------------

HALF_AN_HOUR = dt.timedelta(minutes=30)
# event, its sessions, their slots, login session (none when cached), user, my registrations, then for my
# conversations: slots, offers, sign-ups, meetings
INDEX_QUERIES = 9 + login_session_queries()
CONNECTIONS_QUERIES = (
    4 + login_session_queries()
)  # user, meetings, trainees' interests, mentors' expertise
FEEDBACK_SUMMARY_QUERIES = 3 + login_session_queries()  # user, comments, mentors with their counts


def conversations(event, trainee, count: int, **meeting) -> list[Meeting]:
    """`count` published Blood Buddies sessions, each with one conversation of `trainee`."""
    made = []
    for n in range(count):
        starts_at = at(6, 8 + n % 10, 5 * (n // 10))
        buddies_session = speed_session(
            event, starts_at=starts_at, ends_at=starts_at + HALF_AN_HOUR
        )
        slot = SpeedMentoringSlotFactory(session=buddies_session, published_at=at(1, 9))
        made.append(MeetingFactory(signup__slot=slot, signup__trainee=trainee, **meeting))
    return made


@pytest.mark.parametrize("size", [2, 12])
def test_index_queries_do_not_grow_with_the_slots(event, django_assert_num_queries, size):
    trainee = make_trainee()
    conversations(event, trainee, size)
    speed_session(event, title="Blood Buddies, not set up yet")
    client = logged_in(trainee)

    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(url("index"))

    assert response.content.decode().count("round 1") == size


@pytest.mark.parametrize("size", [2, 12])
def test_connections_queries_do_not_grow_with_the_connections(
    event, django_assert_num_queries, size
):
    trainee = make_trainee()
    made = conversations(
        event, trainee, size, trainee_stays_in_touch=True, mentor_stays_in_touch=True
    )
    client = logged_in(trainee)

    with django_assert_num_queries(CONNECTIONS_QUERIES):
        response = client.get(url("connections"))

    page = response.content.decode()
    assert all(meeting.offer.mentor.email in page for meeting in made)


@pytest.mark.parametrize("size", [2, 12])
def test_feedback_summary_queries_do_not_grow_with_the_mentors(
    event, superuser, django_assert_num_queries, size
):
    for meeting in conversations(event, make_trainee(), size):
        ConversationFeedbackFactory(meeting=meeting, comment=f"Helpful talk {meeting.pk}")
    client = logged_in(superuser)

    with django_assert_num_queries(FEEDBACK_SUMMARY_QUERIES):
        response = client.get(url("feedback_summary"))

    assert response.content.decode().count("Helpful talk") == size
