from django.urls import path

from . import views, views_now

# Apps built on events add their pages to this namespace in config/urls.py (the lunch).
app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.agenda, name="agenda"),
    path("events/<slug:slug>/now/", views_now.now_and_next, name="now"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "events/<slug:slug>/sessions/<int:pk>/calendar.ics",
        views.session_ics_download,
        name="session_ics",
    ),
    path(
        "events/<slug:slug>/sessions/<int:pk>/register/",
        views.session_register,
        name="session_register",
    ),
    path(
        "events/<slug:slug>/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"
    ),
    # The confirmation steps (GET) before the POSTs above give a seat away.
    path(
        "events/<slug:slug>/sessions/<int:pk>/cancel/confirm/",
        views.session_cancel_confirm,
        name="session_cancel_confirm",
    ),
    path(
        "events/<slug:slug>/sessions/<int:pk>/switch/",
        views.session_switch_confirm,
        name="session_switch_confirm",
    ),
    path("me/agenda/", views.my_agenda, name="my_agenda"),
    path("me/agenda.ics", views.my_agenda_ics, name="my_agenda_ics"),
    path("me/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
