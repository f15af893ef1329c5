from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from events import urls as event_urls
from events import views as event_views
from events.lunch import urls as lunch_urls

from . import views
from .admin_beat import beat_for_superusers_only

admin.site.site_header = "Trainee Career Events — staff"
admin.site.site_title = "Trainee Career Events"
beat_for_superusers_only(admin.site)

urlpatterns = [
    path("", event_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Staff log in, out and change their password through the site's own (throttled) pages;
    # admin's URL names still resolve to these addresses, so its links and forms lead here.
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/logout/", allauth_views.logout, name="admin_logout"),
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("mentorship/", include("mentorship.urls")),
    path("listening/", include("listening.urls")),
    path("", include("feedback.urls")),  # /staff/feedback/, /feedback/…
    path("staff/", include("staff.urls")),
    # The lunch's pages are events pages (`events:lunch_grid`), in the lunch's own package.
    path("", include((event_urls.urlpatterns + lunch_urls.urlpatterns, event_urls.app_name))),
]
