"""Types shared by the apps' signatures."""

from django.contrib.auth.models import AnonymousUser

from .models import User

# `request.user`: a person signed in, or not (pages and their selectors answer both).
AnyUser = User | AnonymousUser
