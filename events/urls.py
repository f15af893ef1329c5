from django.urls import path

from . import lunch_views, views

app_name = "events"

# The career lunch, under its session: /events/<slug>/sessions/<id>/tables/...
LUNCH_ROUTES = [
    ("", lunch_views.lunch_grid_view, "lunch_grid"),
    ("join/", lunch_views.lunch_join_view, "lunch_join"),
    ("<int:table_id>/rotations/<int:rotation_id>/take/", lunch_views.lunch_take_view, "lunch_take"),
    (
        "<int:table_id>/rotations/<int:rotation_id>/change/",
        lunch_views.lunch_change_view,
        "lunch_change",
    ),
    ("rotations/<int:rotation_id>/drop/", lunch_views.lunch_drop_view, "lunch_drop"),
    ("<int:table_id>/guests/", lunch_views.lunch_table_guests_view, "lunch_table_guests"),
    ("<int:table_id>/roster.csv", lunch_views.lunch_table_roster_csv_view, "lunch_table_roster"),
    ("overview/", lunch_views.lunch_overview_view, "lunch_overview"),
]

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.agenda, name="agenda"),
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
    *[
        path(f"events/<slug:slug>/sessions/<int:pk>/tables/{route}", view, name=name)
        for route, view, name in LUNCH_ROUTES
    ],
    path("me/agenda/", views.my_agenda, name="my_agenda"),
    path("me/agenda.ics", views.my_agenda_ics, name="my_agenda_ics"),
    path("me/calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
