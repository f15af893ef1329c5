from django.urls import path, re_path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("profile/delete/", views.account_delete, name="delete"),
    path("welcome/", views.first_run, name="welcome"),
    # allauth's own address (this list is included first): a GET of the link changes nothing.
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", views.confirm_email, name="confirm_email"),
]
