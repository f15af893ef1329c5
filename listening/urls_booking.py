from django.urls import path

from . import views_booking as views

urlpatterns: list = [
    path("interviews/", views.interviews, name="interviews"),
    path("interviews/<int:slot_id>/book/", views.interview_book, name="interview_book"),
    path("interviews/cancel/", views.interview_cancel, name="interview_cancel"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:group_id>/join/", views.group_join, name="group_join"),
    path("groups/leave/", views.group_leave, name="group_leave"),
    path("facilitator/", views.facilitator, name="facilitator"),
    path(
        "facilitator/bookings/<int:booking_id>/held/",
        views.facilitator_held,
        name="facilitator_held",
    ),
    path(
        "facilitator/bookings/<int:booking_id>/missed/",
        views.facilitator_missed,
        name="facilitator_missed",
    ),
]
