from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import NotificationSettingsForm
from .selectors import notification_preference_get
from .services import reminders_set, unsubscribe_user_id


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    preference = notification_preference_get(user=request.user)
    # An unticked checkbox posts nothing: bind on the method, not on the POST being non-empty.
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, instance=preference)
    if request.method == "POST" and form.is_valid():
        assert request.user.is_authenticated  # login_required
        reminders_set(user=request.user, enabled=form.cleaned_data["reminders_enabled"])
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# RFC 8058: a mail client's one-click unsubscribe is a POST without cookies or a CSRF token;
# the signed token in the URL is the authorisation. The GET page never changes anything.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user_id = unsubscribe_user_id(token=token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        reminders_set(user=user, enabled=False)
        return render(request, "notifications/unsubscribe_done.html", {"email": user.email})
    return render(request, "notifications/unsubscribe_confirm.html", {"email": user.email})
