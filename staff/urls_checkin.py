from django.urls import path

from . import views_checkin

urlpatterns = [
    path("checkin/<int:session_id>/", views_checkin.checkin_view, name="checkin"),
    path(
        "checkin/<int:session_id>/<int:registration_id>/",
        views_checkin.checkin_mark_view,
        name="checkin_mark",
    ),
]
