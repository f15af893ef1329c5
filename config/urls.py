from django.contrib import admin
from django.urls import include, path

from events import views as event_views

from . import views

admin.site.site_header = "Trainee Career Events — staff"
admin.site.site_title = "Trainee Career Events"

urlpatterns = [
    path("", event_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("mentorship/", include("mentorship.urls")),
    path("", include("events.urls")),
]
