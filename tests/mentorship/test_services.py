"""Blood Buddies services through the database: sign-up rules, preferences, matching,
publishing, repairs, connections and feedback."""

from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError
from icalendar import Calendar

from events.calendar import agenda_ics
from events.models import Registration
from events.selectors import registrations_for_user
from events.services import ClashError, registration_cancel, registration_create
from mentorship import matching
from mentorship.models import (
    ConversationFeedback,
    Meeting,
    MentorOffer,
    MentorPreference,
    TraineeSignup,
)
from mentorship.scoring import is_forbidden, pair_score
from mentorship.selectors import (
    REASON_MET_ALL,
    REASON_NO_MENTORS,
    REASON_NONE_ELIGIBLE,
    connections_for_user,
    mentor_feedback_summary,
    schedule_review,
)
from mentorship.services import (
    meeting_feedback_save,
    meeting_stay_in_touch_set,
    mentor_offer_save,
    mentor_offer_withdraw,
    participant_mark_absent,
    schedule_draft,
    schedule_publish,
    schedule_repair,
    trainee_signup_save,
    trainee_signup_withdraw,
)
from notifications.models import Notification
from tests.factories import SessionFactory, UserFactory

from .conftest import (
    at,
    make_mentor,
    make_slot,
    make_trainee,
    offer_for,
    paths,
    signup_for,
    speed_session,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]

SCHEDULED = Meeting.Status.SCHEDULED
AFTER_THE_SLOT = at(6, 12)


def scheduled(slot) -> list[Meeting]:
    return list(
        Meeting.objects.filter(slot=slot, status=SCHEDULED).select_related("signup", "offer")
    )


def as_tuples(meetings) -> set[tuple[int, int, int, int]]:
    return {(m.round, m.table, m.signup_id, m.offer_id) for m in meetings}


def published_keys() -> set[str]:
    return set(Notification.objects.values_list("key", flat=True))


# --- scores and forbidden pairs (pure) --------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "shared", "expected"),
    [(1, 0, 50), (2, 1, 45), (5, 0, 10), (None, 2, 10), (None, 0, 0)],
)
def test_pair_score_adds_rank_points_and_shared_paths(rank, shared, expected):
    assert pair_score(rank=rank, shared_paths=shared) == expected


@pytest.mark.parametrize(
    ("trainee", "mentor", "excludes", "expected"),
    [
        ("Lakeside Cancer Institute", "  lakeside  cancer INSTITUTE ", [], True),
        ("", "", [], False),
        ("Bayview University", "Lakeside", ["bayview university"], True),
        ("Bayview University", "Lakeside", ["Other Place"], False),
    ],
)
def test_forbidden_pairs_are_same_or_excluded_institution(trainee, mentor, excludes, expected):
    assert (
        is_forbidden(
            trainee_institution=trainee, mentor_institution=mentor, mentor_excludes=excludes
        )
        is expected
    )


# --- mentors ----------------------------------------------------------------------------------


def test_mentor_offer_save_signs_the_mentor_up_with_capacity(slot):
    mentor = make_mentor("Dr. Ada")

    offer = mentor_offer_save(slot=slot, mentor=mentor, capacity=3, excluded_institutions="X")

    assert (offer.status, offer.capacity, offer.excluded_list) == ("active", 3, ["X"])


@pytest.mark.parametrize("capacity", [0, 4])
def test_mentor_offer_save_refuses_capacity_outside_1_to_3(slot, capacity):
    with pytest.raises(ValidationError) as exc:
        mentor_offer_save(slot=slot, mentor=make_mentor(), capacity=capacity)

    assert exc.value.code == "capacity"
    assert not MentorOffer.objects.exists()


def test_mentor_offer_save_refuses_an_account_without_the_mentor_flag(slot):
    with pytest.raises(ValidationError) as exc:
        mentor_offer_save(slot=slot, mentor=make_trainee(), capacity=1)

    assert exc.value.code == "not_mentor"


def test_mentor_offer_save_refuses_when_every_table_is_staffed(buddies_session):
    slot = make_slot(buddies_session, tables=1)
    offer_for(slot)

    with pytest.raises(ValidationError) as exc:
        offer_for(slot)

    assert exc.value.code == "full"


def test_mentor_offer_withdraw_before_the_deadline_keeps_the_trainees_rankings(slot):
    offer = offer_for(slot)
    signup = signup_for(slot, preferred=[offer])

    mentor_offer_withdraw(slot=slot, mentor=offer.mentor)

    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert list(MentorPreference.objects.filter(signup=signup).values_list("offer", "rank")) == [
        (offer.pk, 1)
    ]


def test_mentor_offer_withdraw_tells_each_trainee_who_ranked_them_once(slot):
    offer = offer_for(slot)
    ranked = [signup_for(slot, preferred=[offer]) for _ in range(2)]
    signup_for(slot)  # did not rank them

    mentor_offer_withdraw(slot=slot, mentor=offer.mentor)
    offer_for(slot, mentor=offer.mentor)
    mentor_offer_withdraw(slot=slot, mentor=offer.mentor)

    told = Notification.objects.filter(kind="mentoring_mentor_withdrew")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(s.trainee_id for s in ranked)


def test_schedule_draft_never_uses_a_withdrawn_mentor_a_trainee_ranked(slot):
    leaving, staying = offer_for(slot), offer_for(slot)
    signup_for(slot, preferred=[leaving, staying])
    mentor_offer_withdraw(slot=slot, mentor=leaving.mentor)

    schedule_draft(slot=slot)

    assert {m.offer_id for m in scheduled(slot)} == {staying.pk}


def test_mentor_offer_withdraw_after_the_deadline_is_refused(buddies_session):
    slot = make_slot(buddies_session, signup_closes_at=at(5, 12))
    with time_machine.travel(at(5, 9)):
        offer = offer_for(slot)

    with time_machine.travel(at(5, 13)), pytest.raises(ValidationError) as exc:
        mentor_offer_withdraw(slot=slot, mentor=offer.mentor)

    assert exc.value.code == "closed"
    offer.refresh_from_db()
    assert offer.status == "active"


# --- trainees ---------------------------------------------------------------------------------


def test_trainee_signup_save_puts_the_slot_on_the_agenda_with_ranked_mentors(slot):
    first, second = offer_for(slot), offer_for(slot)
    trainee = make_trainee(interests=["translational"])

    signup = trainee_signup_save(
        slot=slot, trainee=trainee, interests=paths("translational"), preferred=[second, first]
    )

    assert signup.registration.status == Registration.Status.CONFIRMED
    assert signup.registration.session == slot.session
    assert list(signup.preferences.values_list("offer_id", "rank")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]


@pytest.mark.parametrize("stage", ["early_career", "mid_career", "senior"])
def test_trainee_signup_save_refuses_faculty_and_writes_nothing(slot, stage):
    person = make_trainee()
    person.profile.career_stage = stage
    person.profile.save()

    with pytest.raises(ValidationError) as exc:
        signup_for(slot, trainee=person)

    assert exc.value.code == "not_trainee"
    assert not Registration.objects.filter(user=person).exists()


def test_trainee_signup_save_refuses_a_clash_and_writes_nothing(event, slot):
    trainee = make_trainee()
    other = SessionFactory(event=event, starts_at=at(6, 10, 30), ends_at=at(6, 11, 30))
    registration_create(session=other, user=trainee)

    with pytest.raises(ClashError):
        signup_for(slot, trainee)

    assert not TraineeSignup.objects.exists()
    assert not Registration.objects.filter(session=slot.session).exists()


def test_trainee_signup_save_refuses_a_mentor_of_another_slot(event, slot):
    other_slot = make_slot(speed_session(event, starts_at=at(7, 10), ends_at=at(7, 11)))
    elsewhere = offer_for(other_slot)

    with pytest.raises(ValidationError) as exc:
        signup_for(slot, preferred=[elsewhere])

    assert exc.value.code == "not_in_slot"
    assert not TraineeSignup.objects.exists()


def test_trainee_signup_save_refuses_more_than_five_ranked_mentors(slot):
    offers = [offer_for(slot) for _ in range(6)]

    with pytest.raises(ValidationError) as exc:
        signup_for(slot, preferred=offers)

    assert exc.value.code == "too_many"


def test_trainee_signup_save_after_the_deadline_is_refused(buddies_session):
    slot = make_slot(buddies_session, signup_closes_at=at(5, 12))

    with time_machine.travel(at(5, 13)), pytest.raises(ValidationError) as exc:
        signup_for(slot)

    assert exc.value.code == "closed"


def test_trainee_signup_save_when_the_session_is_full_is_refused(event):
    slot = make_slot(speed_session(event, capacity=1))
    signup_for(slot)

    with pytest.raises(ValidationError) as exc:
        signup_for(slot)

    assert exc.value.code == "full"


def test_trainee_signup_withdraw_cancels_the_agenda_item(slot):
    signup = signup_for(slot)

    trainee_signup_withdraw(slot=slot, trainee=signup.trainee)

    signup.registration.refresh_from_db()
    assert signup.registration.status == Registration.Status.CANCELLED


# --- matching ---------------------------------------------------------------------------------


def build_slot(slot, *, mentors: int, trainees: int, capacity: int = 2):
    offers = [offer_for(slot, capacity=capacity, institution=f"Inst {n}") for n in range(mentors)]
    signups = [
        signup_for(slot, institution=f"Trainee Inst {n}", preferred=offers[n % mentors :][:2])
        for n in range(trainees)
    ]
    return offers, signups


def assert_valid(slot, meetings):
    capacity = dict(MentorOffer.objects.filter(slot=slot).values_list("pk", "capacity"))
    per_trainee_round = Counter((m.signup_id, m.round) for m in meetings)
    per_mentor_round = Counter((m.offer_id, m.round) for m in meetings)
    pairs = Counter((m.signup_id, m.offer_id) for m in meetings)
    assert max(per_trainee_round.values(), default=1) == 1
    assert all(n <= capacity[offer] for (offer, _), n in per_mentor_round.items())
    assert max(pairs.values(), default=1) == 1
    assert all(1 <= m.round <= slot.rounds for m in meetings)


def test_schedule_draft_from_the_database_is_valid_and_optimal(slot):
    build_slot(slot, mentors=3, trainees=7)

    result = schedule_draft(slot=slot)

    meetings = scheduled(slot)
    assert_valid(slot, meetings)
    # 3 mentors x 2 seats x 4 rounds = 24 seats, but a trainee meets each mentor once: 7 x 3.
    assert result.meetings == len(meetings) == 21
    tables = {m.offer_id: m.table for m in meetings}
    assert sorted(tables.values()) == [1, 2, 3]


def test_schedule_draft_matches_the_pure_solver_count_and_score(slot):
    offers, signups = build_slot(slot, mentors=2, trainees=9, capacity=3)
    expected = matching.solve(
        matching.Problem(
            rounds=4,
            trainees=tuple(str(s.pk) for s in signups),
            mentors={str(o.pk): 3 for o in offers},
            scores={
                (str(p.signup_id), str(p.offer_id)): pair_score(rank=p.rank, shared_paths=0)
                for p in MentorPreference.objects.all()
            },
        )
    )

    result = schedule_draft(slot=slot)

    assert (result.meetings, result.total_score) == (expected.count, expected.total_score)


def test_schedule_draft_never_pairs_the_same_or_an_excluded_institution(slot):
    same = offer_for(slot, institution="Bayview University")
    excluding = offer_for(slot, institution="Elsewhere", excluded="Northfield College")
    free = offer_for(slot, institution="Third Place")
    bayview = signup_for(slot, institution="bayview university ")
    northfield = signup_for(slot, institution="Northfield College")

    schedule_draft(slot=slot)

    pairs = {(m.signup_id, m.offer_id) for m in scheduled(slot)}
    assert (bayview.pk, same.pk) not in pairs
    assert (northfield.pk, excluding.pk) not in pairs
    assert {(bayview.pk, free.pk), (northfield.pk, same.pk)} <= pairs


def test_schedule_draft_before_the_deadline_is_refused(buddies_session):
    slot = make_slot(buddies_session, signup_closes_at=at(5, 12))

    with time_machine.travel(at(5, 11)), pytest.raises(ValidationError) as exc:
        schedule_draft(slot=slot)

    assert exc.value.code == "too_early"


def test_schedule_draft_without_mentors_lists_every_trainee_unmatched_with_why(slot):
    signups = [signup_for(slot) for _ in range(3)]

    result = schedule_draft(slot=slot)

    slot.refresh_from_db()
    review = schedule_review(slot=slot)
    assert result.meetings == 0
    assert {(u.signup.pk, tuple(u.rounds), u.reason) for u in review.unmatched} == {
        (s.pk, (1, 2, 3, 4), REASON_NO_MENTORS) for s in signups
    }


def test_schedule_review_gives_the_reason_for_free_rounds(slot):
    offer_for(slot, institution="Bayview")
    blocked = signup_for(slot, institution="Bayview")
    met_all = signup_for(slot, institution="Elsewhere")

    schedule_draft(slot=slot)

    slot.refresh_from_db()
    reasons = {u.signup.pk: u.reason for u in schedule_review(slot=slot).unmatched}
    assert reasons == {blocked.pk: REASON_NONE_ELIGIBLE, met_all.pk: REASON_MET_ALL}


def test_schedule_draft_closes_sign_up(slot):
    schedule_draft(slot=slot)

    with pytest.raises(ValidationError) as exc:
        signup_for(slot)

    assert exc.value.code == "closed"


# --- publishing -------------------------------------------------------------------------------


def test_schedule_publish_emails_each_participant_once(slot):
    offers, signups = build_slot(slot, mentors=2, trainees=3)
    schedule_draft(slot=slot)

    schedule_publish(slot=slot)

    people = [o.mentor_id for o in offers] + [s.trainee_id for s in signups]
    rows = Notification.objects.filter(kind="mentoring_schedule_published")
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(people)
    assert published_keys() >= {f"bb:{slot.pk}:published:{user}" for user in people}


def test_schedule_publish_twice_sends_no_second_email(slot):
    build_slot(slot, mentors=1, trainees=2)
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    before = Notification.objects.count()

    emailed = schedule_publish(slot=slot)

    assert (emailed, Notification.objects.count()) == (0, before)


def test_schedule_publish_without_a_draft_is_refused(slot):
    with pytest.raises(ValidationError) as exc:
        schedule_publish(slot=slot)

    assert exc.value.code == "not_matched"


def test_published_email_lists_the_persons_rounds(slot):
    offer = offer_for(slot, name="Dr. Mentor Person")
    signup = signup_for(slot)
    schedule_draft(slot=slot)

    schedule_publish(slot=slot)

    published = Notification.objects.filter(kind="mentoring_schedule_published")
    row = published.get(user=signup.trainee)
    assert row.context["rounds"][0]["partners"][0]["name"] == "Dr. Mentor Person"
    assert "Round 1, 10:00–10:10, table 1: Dr. Mentor Person" in row.context["rounds_text"]
    assert published.get(user=offer.mentor).context["role"] == "mentor"


# --- repair -----------------------------------------------------------------------------------


def published_slot(slot, *, mentors: int, trainees: int, capacity: int = 1):
    offers, signups = build_slot(slot, mentors=mentors, trainees=trainees, capacity=capacity)
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    return offers, signups


def test_repair_after_a_mentor_drops_refills_only_the_affected_conversations(buddies_session):
    # 2 rounds, 6 one-seat mentors, 3 trainees: half the mentors are free in each round.
    slot = make_slot(buddies_session, rounds=2)
    published_slot(slot, mentors=6, trainees=3)
    before = scheduled(slot)
    dropped = before[0].offer
    lost = [m for m in before if m.offer_id == dropped.pk]

    participant_mark_absent(slot=slot, user=dropped.mentor)
    result = schedule_repair(slot=slot)

    after = scheduled(slot)
    new = [m for m in after if m.pk not in {b.pk for b in before}]
    assert_valid(slot, after)
    assert {m.pk for m in before} - {m.pk for m in lost} <= {m.pk for m in after}
    assert (result.cancelled, result.added) == (len(lost), len(lost))
    assert sorted((m.round, m.signup_id) for m in new) == sorted(
        (m.round, m.signup_id) for m in lost
    )


def test_repair_notifies_only_people_whose_rounds_changed(buddies_session):
    slot = make_slot(buddies_session, rounds=2)
    offers, signups = published_slot(slot, mentors=6, trainees=3)
    before = scheduled(slot)
    dropped = before[0].offer
    affected = {m.signup.trainee_id for m in before if m.offer_id == dropped.pk}

    participant_mark_absent(slot=slot, user=dropped.mentor)
    schedule_repair(slot=slot)

    new_mentors = {m.offer.mentor_id for m in scheduled(slot) if m.pk not in {b.pk for b in before}}
    changed = set(
        Notification.objects.filter(kind="mentoring_schedule_changed").values_list(
            "user_id", flat=True
        )
    )
    everyone = {o.mentor_id for o in offers} | {s.trainee_id for s in signups}
    assert changed == affected | new_mentors
    assert dropped.mentor_id not in changed
    assert everyone - changed - {dropped.mentor_id}  # some people were left alone, untold


def test_repair_after_a_trainee_drops_gives_the_seat_to_a_free_trainee(slot):
    # One mentor, 1 seat, 4 rounds and 5 trainees: one trainee waits with no conversation.
    _, signups = published_slot(slot, mentors=1, trainees=5)
    met = {m.signup_id for m in scheduled(slot)}
    waiting = next(s for s in signups if s.pk not in met)
    dropped = next(s for s in signups if s.pk in met)
    dropped_round = next(m.round for m in scheduled(slot) if m.signup_id == dropped.pk)

    participant_mark_absent(slot=slot, user=dropped.trainee)
    schedule_repair(slot=slot)

    refill = Meeting.objects.get(slot=slot, status=SCHEDULED, round=dropped_round)
    assert refill.signup_id == waiting.pk


def test_repair_with_nothing_cancelled_changes_nothing(slot):
    published_slot(slot, mentors=2, trainees=3)
    before = as_tuples(scheduled(slot)), Notification.objects.count()

    result = schedule_repair(slot=slot)

    assert (result.cancelled, result.notified) == (0, 0)
    assert (as_tuples(scheduled(slot)), Notification.objects.count()) == before


def test_repair_treats_a_trainee_who_cancelled_from_my_agenda_as_dropped(slot):
    _, signups = published_slot(slot, mentors=1, trainees=2)
    leaver = signups[0]
    registration_cancel(session=slot.session, user=leaver.trainee)

    result = schedule_repair(slot=slot)

    assert result.cancelled > 0
    assert not Meeting.objects.filter(signup=leaver, status=SCHEDULED).exists()


def test_mark_absent_before_publishing_is_refused(slot):
    offers, _ = build_slot(slot, mentors=1, trainees=1)
    schedule_draft(slot=slot)

    with pytest.raises(ValidationError) as exc:
        participant_mark_absent(slot=slot, user=offers[0].mentor)

    assert exc.value.code == "not_published"


# --- my agenda and the calendar ---------------------------------------------------------------


def test_calendar_feed_describes_the_trainees_rounds_and_adds_the_mentors_table(slot):
    offer = offer_for(slot, name="Dr. Mentor Person")
    signup = signup_for(slot, name="Tina Trainee")
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)

    trainee_feed = Calendar.from_ical(
        agenda_ics(registrations=registrations_for_user(user=signup.trainee), user=signup.trainee)
    )
    mentor_feed = Calendar.from_ical(
        agenda_ics(registrations=registrations_for_user(user=offer.mentor), user=offer.mentor)
    )

    (trainee_item,) = trainee_feed.walk("VEVENT")
    assert "table 1: Dr. Mentor Person" in str(trainee_item["DESCRIPTION"])
    (mentor_item,) = mentor_feed.walk("VEVENT")
    assert str(mentor_item["SUMMARY"]) == "Blood Buddies 1 (mentor)"
    assert "Tina Trainee" in str(mentor_item["DESCRIPTION"])


def test_calendar_feed_before_publishing_has_no_rounds(slot):
    offer_for(slot)
    signup = signup_for(slot)
    schedule_draft(slot=slot)

    feed = agenda_ics(
        registrations=registrations_for_user(user=signup.trainee), user=signup.trainee
    )

    assert b"your rounds" not in feed


# --- after the slot ---------------------------------------------------------------------------


def one_meeting(slot) -> Meeting:
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    return Meeting.objects.select_related("signup__trainee", "offer__mentor").get(slot=slot)


def test_connection_needs_both_to_say_yes(slot):
    meeting = one_meeting(slot)
    trainee, mentor = meeting.signup.trainee, meeting.offer.mentor

    with time_machine.travel(AFTER_THE_SLOT):
        meeting_stay_in_touch_set(meeting=meeting, user=trainee, value=True)
        one_sided = connections_for_user(user=trainee), connections_for_user(user=mentor)
        meeting_stay_in_touch_set(meeting=meeting, user=mentor, value=True)

    assert one_sided == ([], [])
    assert [c.email for c in connections_for_user(user=trainee)] == [mentor.email]
    assert [c.email for c in connections_for_user(user=mentor)] == [trainee.email]


def test_stay_in_touch_before_the_slot_ends_is_refused(slot):
    meeting = one_meeting(slot)

    with time_machine.travel(at(6, 10, 30)), pytest.raises(ValidationError) as exc:
        meeting_stay_in_touch_set(meeting=meeting, user=meeting.signup.trainee, value=True)

    assert exc.value.code == "too_early"


def test_stay_in_touch_on_someone_elses_conversation_is_refused(slot):
    meeting = one_meeting(slot)

    with time_machine.travel(AFTER_THE_SLOT), pytest.raises(ValidationError) as exc:
        meeting_stay_in_touch_set(meeting=meeting, user=UserFactory(), value=True)

    assert exc.value.code == "not_yours"


def test_feedback_is_aggregated_per_mentor(slot):
    offer = offer_for(slot, capacity=1)
    first, second = signup_for(slot), signup_for(slot)
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)
    meetings = {m.signup_id: m for m in Meeting.objects.filter(slot=slot)}

    with time_machine.travel(AFTER_THE_SLOT):
        meeting_feedback_save(
            meeting=meetings[first.pk], user=first.trainee, rating=5, comment="Great"
        )
        meeting_feedback_save(meeting=meetings[second.pk], user=second.trainee, rating=2)
        meeting_feedback_save(meeting=meetings[first.pk], user=offer.mentor, rating=1)

    (row,) = mentor_feedback_summary()
    assert (row.mentor_email, row.conversations, row.ratings, row.average, row.comments) == (
        offer.mentor.email,
        2,
        2,
        3.5,
        ["Great"],
    )


def test_feedback_twice_keeps_one_answer(slot):
    meeting = one_meeting(slot)

    with time_machine.travel(AFTER_THE_SLOT):
        meeting_feedback_save(meeting=meeting, user=meeting.signup.trainee, rating=3)
        meeting_feedback_save(meeting=meeting, user=meeting.signup.trainee, rating=4)

    assert list(ConversationFeedback.objects.values_list("rating", flat=True)) == [4]
