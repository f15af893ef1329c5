"""The staff area (Django admin): pages load for staff and are closed to everyone else."""

import pytest

from accounts.models import CareerStage, Profile, User
from events.models import Registration
from events.services import registration_create
from tests.factories import RoomFactory, SessionFactory, UserFactory


def set_profile(user, **fields):
    Profile.objects.filter(user=user).update(**fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/careerpath/",
        "/admin/events/event/",
        "/admin/events/event/add/",
        "/admin/events/room/",
        "/admin/events/session/",
        "/admin/events/session/add/",
    ],
)
def test_admin_page_loads_for_staff(staff_client, url):
    SessionFactory()

    response = staff_client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_user_change_page_loads_for_staff(staff_client):
    user = UserFactory()

    response = staff_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert response.status_code == 200
    assert user.email in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["event", "room", "session"])
def test_admin_event_change_pages_load_for_staff(staff_client, model):
    session = SessionFactory(title="Writing your first grant")
    obj = {"event": session.event, "room": session.room, "session": session}[model]

    response = staff_client.get(f"/admin/events/{model}/{obj.pk}/change/")

    assert response.status_code == 200
    assert str(obj) in response.content.decode()


@pytest.mark.django_db
def test_admin_users_changelist_filters_by_career_stage(staff_client):
    fellow = UserFactory(email="fellow@example.org")
    resident = UserFactory(email="resident@example.org")
    set_profile(fellow, career_stage=CareerStage.FELLOW)
    set_profile(resident, career_stage=CareerStage.RESIDENT)

    response = staff_client.get("/admin/accounts/user/?profile__career_stage=fellow")

    assert response.status_code == 200
    content = response.content.decode()
    assert "fellow@example.org" in content
    assert "resident@example.org" not in content


@pytest.mark.django_db
def test_admin_users_changelist_filters_mentors(staff_client):
    mentor = UserFactory(email="mentor@example.org")
    UserFactory(email="trainee@example.org")
    set_profile(mentor, is_mentor=True, mentor_bio="Senior hematologist.")

    response = staff_client.get("/admin/accounts/user/?profile__is_mentor__exact=1")

    assert response.status_code == 200
    content = response.content.decode()
    assert "mentor@example.org" in content
    assert "trainee@example.org" not in content


@pytest.mark.django_db
def test_admin_sessions_changelist_lists_sessions_of_many_rooms(staff_client):
    room = RoomFactory(name="Room W204")
    SessionFactory(title="Blood Drop: wellness", event=room.event, room=room)

    response = staff_client.get("/admin/events/session/")

    content = response.content.decode()
    assert "Blood Drop: wellness" in content
    assert "Room W204" in content


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "trainee"])
def test_admin_redirects_non_staff_to_admin_login(client, who):
    if who == "trainee":
        client.force_login(UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_add_user_creates_account_with_password_and_profile(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.fellow@example.org",
            "name": "New Fellow",
            "usable_password": "true",
            "password1": "plasma-cell-lantern-42",
            "password2": "plasma-cell-lantern-42",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-0-career_stage": "resident",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.fellow@example.org")
    assert (user.name, user.is_staff) == ("New Fellow", False)
    assert user.check_password("plasma-cell-lantern-42")
    assert user.profile.career_stage == "resident"


@pytest.fixture
def seat_holder_and_waiting():
    """A full one-seat session: the holder's seat, and someone waiting for it."""
    session = SessionFactory(capacity=1)
    holder = UserFactory(email="holder@example.org")
    registration_create(session=session, user=holder)
    waiting = registration_create(session=session, user=UserFactory())
    return holder, waiting


@pytest.mark.django_db
def test_admin_deleting_a_user_gives_their_seat_to_the_waitlist(
    staff_client, seat_holder_and_waiting
):
    holder, waiting = seat_holder_and_waiting

    response = staff_client.post(f"/admin/accounts/user/{holder.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=holder.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


@pytest.mark.django_db
def test_admin_bulk_deleting_users_gives_their_seats_to_the_waitlist(
    staff_client, seat_holder_and_waiting
):
    holder, waiting = seat_holder_and_waiting

    response = staff_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [holder.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=holder.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
