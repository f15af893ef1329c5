"""The career lunch's pages, under its session: /events/<slug>/sessions/<id>/tables/... They
share the `events:` namespace (`events:lunch_grid`), composed in config/urls.py."""

from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import path

from . import views

LUNCH_ROUTES: list[tuple[str, Callable[..., HttpResponseBase], str]] = [
    ("", views.lunch_grid_view, "lunch_grid"),
    ("join/", views.lunch_join_view, "lunch_join"),
    ("<int:table_id>/rotations/<int:rotation_id>/take/", views.lunch_take_view, "lunch_take"),
    (
        "<int:table_id>/rotations/<int:rotation_id>/change/",
        views.lunch_change_view,
        "lunch_change",
    ),
    ("rotations/<int:rotation_id>/drop/", views.lunch_drop_view, "lunch_drop"),
    ("<int:table_id>/guests/", views.lunch_table_guests_view, "lunch_table_guests"),
    ("<int:table_id>/roster.csv", views.lunch_table_roster_csv_view, "lunch_table_roster"),
    ("overview/", views.lunch_overview_view, "lunch_overview"),
]

urlpatterns = [
    path(f"events/<slug:slug>/sessions/<int:pk>/tables/{route}", view, name=name)
    for route, view, name in LUNCH_ROUTES
]
