"""A slot's state and the person's standing in it, told the same way on the agenda card, the
session page, the slot page and /mentorship/."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mentorship.services import schedule_draft, schedule_publish
from tests.factories import UserFactory

from .conftest import at, make_mentor, make_slot, make_trainee, offer_for, signup_for, speed_session

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("scheduled_deliveries"),
]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def card(page: str, buddies_session) -> str:
    """The agenda card (or /mentorship/ item) of `session`, as HTML."""
    match = re.search(
        rf'id="session-{buddies_session.pk}"[^>]*>(.*?)</(?:article|li)>', page, flags=re.DOTALL
    )
    assert match, f"no card for session {buddies_session.pk}"
    return match.group(1)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def agenda(client, event) -> str:
    return client.get(event.get_absolute_url()).content.decode()


def publish(slot):
    schedule_draft(slot=slot)
    schedule_publish(slot=slot)


# --- after publishing --------------------------------------------------------------------------


def test_agenda_card_after_publishing_tells_the_trainee_their_rounds_are_published(event, slot):
    offer_for(slot)
    signup = signup_for(slot)
    publish(slot)

    shown = text(card(agenda(logged_in(signup.trainee), event), slot.session))

    assert "Your rounds are published" in shown
    assert "once staff publish" not in shown


def test_agenda_card_after_publishing_links_the_trainees_schedule(event, slot):
    offer_for(slot)
    signup = signup_for(slot)
    publish(slot)

    html = card(agenda(logged_in(signup.trainee), event), slot.session)

    assert f'href="{reverse("mentorship:my_schedule", args=[slot.session_id])}"' in html


def test_session_page_after_publishing_tells_the_trainee_their_rounds_are_published(slot):
    offer_for(slot)
    signup = signup_for(slot)
    publish(slot)

    page = logged_in(signup.trainee).get(slot.session.get_absolute_url()).content.decode()

    assert "Your rounds are published" in page and "once staff publish" not in page


def test_agenda_card_after_publishing_tells_the_mentor_their_table_is_published(event, slot):
    offer = offer_for(slot)
    signup_for(slot)
    publish(slot)

    shown = text(card(agenda(logged_in(offer.mentor), event), slot.session))

    assert "You mentor in this slot: your table and trainees are published" in shown


def test_anonymous_agenda_cached_before_publishing_tells_the_published_state_after(
    client, event, slot, django_capture_on_commit_callbacks
):
    offer_for(slot)
    signup_for(slot)
    schedule_draft(slot=slot)
    staff = UserFactory(is_staff=True, is_superuser=True)
    before = text(card(agenda(client, event), slot.session))

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(staff).post(reverse("mentorship:review_publish", args=[slot.session_id]))
    after = text(card(agenda(client, event), slot.session))

    assert "Sign-up has closed; staff are matching mentors and trainees." in before
    assert "Sign-up has closed: the schedule is published." in after


def test_a_personal_status_is_never_served_to_someone_else(event, slot):
    offer_for(slot)
    signup = signup_for(slot)
    publish(slot)
    logged_in(signup.trainee).get(event.get_absolute_url())

    other = text(card(agenda(logged_in(make_trainee()), event), slot.session))

    assert "Your rounds are published" not in other
    assert "Sign-up has closed: the schedule is published." in other


# --- every slot told truthfully ----------------------------------------------------------------


def test_agenda_card_of_a_slot_staff_have_not_set_up_says_sign_up_has_not_opened(client, event):
    buddies_session = speed_session(event, title="Blood Buddies 2")

    shown = card(agenda(client, event), buddies_session)

    assert "Sign-up has not opened yet." in text(shown)
    assert "rank mentors" not in shown


def test_agenda_card_of_an_open_slot_offers_sign_up_and_ranking(client, event, slot):
    shown = card(agenda(client, event), slot.session)

    assert "Sign up and rank mentors" in text(shown)
    assert reverse("mentorship:slot_detail", args=[slot.session_id]) in shown


def test_agenda_card_offers_a_senior_mentor_to_mentor_not_to_rank(event, slot):
    html = card(agenda(logged_in(make_mentor()), event), slot.session)

    links = re.findall(r"<a [^>]*>(.*?)<span", html)
    assert links[-1] == "Sign up to mentor"


def test_agenda_card_before_the_trainees_window_tells_when_ranking_opens(client, event):
    buddies_session = speed_session(event, registration_opens_at=at(1, 9))
    slot = make_slot(buddies_session)

    with time_machine.travel(at(1, 8)):
        shown = text(card(agenda(client, event), slot.session))

    assert (
        "Mentors sign up now; trainees sign up and rank mentors from December 1, 2030 at 09:00 "
        "(America/New_York)." in shown
    )
    assert "Sign up and rank mentors" not in shown


def test_slot_page_tells_the_same_state_as_the_agenda_card(client, event):
    buddies_session = speed_session(event, registration_opens_at=at(1, 9))
    slot = make_slot(buddies_session)

    with time_machine.travel(at(1, 8)):
        on_card = text(card(agenda(client, event), slot.session))
        on_page = text(
            client.get(reverse("mentorship:slot_detail", args=[slot.session_id])).content.decode()
        )

    assert "trainees sign up and rank mentors from December 1, 2030 at 09:00" in on_card
    assert "trainees sign up and rank mentors from December 1, 2030 at 09:00" in on_page


def test_mentorship_index_lists_every_slot_of_the_current_event_with_its_state(client, event):
    first = make_slot(
        speed_session(event, title="Blood Buddies 1", starts_at=at(6, 9), ends_at=at(6, 10))
    )
    published = make_slot(speed_session(event, title="Blood Buddies 2"))
    offer_for(published)
    signup_for(published)
    publish(published)
    later = speed_session(event, title="Blood Buddies 3", starts_at=at(6, 13), ends_at=at(6, 14))

    page = client.get(reverse("mentorship:index")).content.decode()

    assert "Sign up and rank mentors" in text(card(page, first.session))
    assert "Sign-up has closed: the schedule is published." in text(card(page, published.session))
    assert "Sign-up has not opened yet." in text(card(page, later))


def test_mentorship_index_tells_the_trainee_their_own_standing(event, slot):
    offer_for(slot)
    signup = signup_for(slot)
    publish(slot)

    page = logged_in(signup.trainee).get(reverse("mentorship:index")).content.decode()

    assert "Your rounds are published" in text(card(page, slot.session))


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_logged_in_agenda_queries_do_not_grow_with_blood_buddies_slots(
    event, django_assert_max_num_queries, size
):
    trainee = make_trainee()
    mentor = make_mentor()
    for n in range(size):
        slot = make_slot(
            speed_session(event, title=f"Blood Buddies {n}", starts_at=at(6, 8), ends_at=at(6, 9))
        )
        offer_for(slot, mentor=mentor) if n % 2 else None
    client = logged_in(trainee)

    # 8 for any agenda (tests/events) + slots, my offers, my sign-ups, my profile
    with django_assert_max_num_queries(12):
        response = client.get(event.get_absolute_url())

    assert response.content.decode().count("Sign up and rank mentors") == size
