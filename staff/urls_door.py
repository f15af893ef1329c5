from django.urls import path

from . import views_checkin_lunch as lunch
from . import views_checkin_rounds as rounds

# The door of the career lunch and of a Blood Buddies slot; `checkin/<id>/` sends a lunch or
# a slot here.
urlpatterns = [
    path("checkin/<int:session_id>/lunch/", lunch.checkin_lunch_view, name="checkin_lunch"),
    path(
        "checkin/<int:session_id>/lunch/seats/<int:seat_id>/",
        lunch.lunch_seat_mark_view,
        name="checkin_lunch_seat",
    ),
    path(
        "checkin/<int:session_id>/lunch/walk-in/",
        lunch.lunch_walk_in_view,
        name="checkin_lunch_walk_in",
    ),
    path("checkin/<int:session_id>/rounds/", rounds.checkin_rounds_view, name="checkin_rounds"),
    path(
        "checkin/<int:session_id>/rounds/mentors/<int:offer_id>/",
        rounds.rounds_mentor_mark_view,
        name="checkin_rounds_mentor",
    ),
    path(
        "checkin/<int:session_id>/rounds/trainees/<int:signup_id>/",
        rounds.rounds_trainee_mark_view,
        name="checkin_rounds_trainee",
    ),
    path(
        "checkin/<int:session_id>/rounds/trainees/<int:signup_id>/absent/",
        rounds.rounds_absent_view,
        name="checkin_rounds_absent",
    ),
    path(
        "checkin/<int:session_id>/rounds/standby/",
        rounds.rounds_standby_add_view,
        name="checkin_rounds_standby",
    ),
    path(
        "checkin/<int:session_id>/rounds/standby/<int:standby_id>/remove/",
        rounds.rounds_standby_remove_view,
        name="checkin_rounds_standby_remove",
    ),
]
