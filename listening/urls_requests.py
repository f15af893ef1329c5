from django.urls import path

from . import views_requests as views

urlpatterns: list = [
    path("", views.index, name="index"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
]
