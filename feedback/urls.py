from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("staff/feedback/", views.feedback_report_view, name="report"),
    path("feedback/mine/", views.feedback_mine_view, name="mine"),
    path("feedback/<str:token>/", views.feedback_respond_view, name="respond"),
]
