from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("<slug:slug>/", views.agenda, name="agenda"),
    path("<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session_detail"),
]
