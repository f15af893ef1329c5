from django.urls import path

from . import views_checkin, views_door

urlpatterns = [
    path("checkin/<int:session_id>/", views_checkin.checkin_view, name="checkin"),
    path(
        "checkin/<int:session_id>/<int:registration_id>/",
        views_checkin.checkin_mark_view,
        name="checkin_mark",
    ),
    path("checkin/<int:session_id>/walk-in/", views_door.walk_in_view, name="checkin_walk_in"),
    path(
        "checkin/<int:session_id>/standby/left/",
        views_door.standby_left_view,
        name="checkin_standby_left",
    ),
    path("checkin/<int:session_id>/release/", views_door.release_view, name="checkin_release"),
]
