from allauth.account import views as allauth_views
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import AccountDeleteForm, FirstRunForm, ProfileForm
from .selectors import mentor_approval_get, profile_get_for_user
from .services import profile_ensure, profile_first_run_save, profile_update, user_delete


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile_ensure(user=request.user)
    profile = profile_get_for_user(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "name"}
        profile_update(user=request.user, name=form.cleaned_data["name"], data=data)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    context = {
        "form": form,
        "profile": profile,
        "mentor_approval": mentor_approval_get(user=request.user),
    }
    return render(request, "accounts/profile_edit.html", context)


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def first_run(request):
    """The short, skippable profile step shown once after the first sign-in."""
    profile = profile_ensure(user=request.user)
    form = FirstRunForm(request.POST or None, instance=profile)
    home = reverse("home")
    if request.method == "POST" and form.is_valid():
        profile = profile_first_run_save(user=request.user, data=form.cleaned_data)
        messages.success(request, "Thank you: the agenda now shows what is for you.")
        wants_for_you = form.cleaned_data.get("career_stage") or form.cleaned_data.get("interests")
        target = _next_or(request, home)
        if target == home and wants_for_you:
            target = f"{home}?for_you=on"
        return redirect(target)
    context = {"form": form, "next": _next_or(request, home)}
    return render(request, "accounts/first_run.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_delete(user=user)
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's confirmation page, except that a GET changes nothing.

    allauth logs out whoever is logged in as another person as soon as the link is opened, so
    a page embedding someone's link as an image would log out everyone who loads it. Here the
    GET only shows the address and a Confirm button (saying that confirming ends the visitor's
    own session); the logout happens with the confirmation, on the POST.
    """

    def logout_other_user(self, confirmation) -> None:
        if self.request.method == "POST":
            super().logout_other_user(confirmation)

    def get_context_data(self, **kwargs) -> dict:
        ctx = super().get_context_data(**kwargs)
        visitor = self.request.user
        ctx["logs_out_visitor"] = bool(
            self.object
            and visitor.is_authenticated
            and visitor.pk != self.object.email_address.user_id
        )
        return ctx


confirm_email = ConfirmEmailView.as_view()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def admin_login(request):
    """Django admin's login page, replaced by the site's own login: one door for everyone,
    throttled by allauth in the shared cache (admin's form had no limit at all). A POST of
    admin's old form is not read; it is sent to the door like a GET.

    Admin keeps its own rule (active staff only): a person already logged in without it is
    told so here, instead of being sent round between the two login pages."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if admin.site.has_permission(request):
        return redirect(next_url)
    login_again = redirect_to_login(next_url, login_url=reverse("account_login"))["Location"]
    return render(
        request, "accounts/admin_no_access.html", {"login_again": login_again}, status=403
    )
