from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import AccountDeleteForm, ProfileForm
from .selectors import profile_get_for_user
from .services import profile_ensure, profile_update, user_delete


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
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


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
