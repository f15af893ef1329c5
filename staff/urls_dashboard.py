from django.urls import path

from . import views_dashboard

urlpatterns: list = [
    path("dashboard/", views_dashboard.dashboard_view, name="dashboard"),
    path("dashboard.csv", views_dashboard.dashboard_csv_view, name="dashboard_csv"),
]
