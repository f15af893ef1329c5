from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from notifications.services import notification_enqueue_email

from .models import User
from .services import profile_ensure, profile_first_run_claim, profile_first_run_mark


def site_root(request) -> str:
    """Where account mail sends people: SITE_URL when it is set (the public address, like all
    mail), else the address the request came to (the site as it is served)."""
    if settings.SITE_URL_IS_SET or request is None:
        return settings.SITE_URL
    return f"{request.scheme}://{request.get_host()}"


def site_link(url, request, root: str):
    """A link allauth built from the request's host, moved to `root`."""
    if not isinstance(url, str) or request is None:
        return url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host():
        return url
    return root + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed login attempts. Wait a few minutes, then try again, or reset "
            "your password."
        ),
    }

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The failed-login limit counts per address typed. allauth adds the host name the
        request came in on, so each name the site answers to (localhost, 127.0.0.1, www…)
        would grant a fresh set of attempts."""
        login = credentials.get("email", credentials.get("username", ""))
        return f"login:{login.lower()}"

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = (form.cleaned_data.get("name") or "").strip()
        if commit:
            user.save()
            profile_ensure(user=user)
            profile_first_run_mark(user=user)
        return user

    def post_login(self, request, user, **kwargs):
        """The first login after sign-up goes through the short profile step first (once;
        it can be skipped), then on to where the person was going."""
        response = super().post_login(request, user, **kwargs)
        if isinstance(response, HttpResponseRedirect) and profile_first_run_claim(user=user):
            query = urlencode({"next": response.url})
            return HttpResponseRedirect(f"{reverse('accounts:welcome')}?{query}")
        return response

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mail (verification, password reset, "account already exists") goes
        through the outbox like every other email: rendered here with the site's own
        templates (templates/account/email/, in the layout of every other email), recorded
        as a row, sent at once (the person is waiting for the link) and retried by the
        dispatcher if the mail server is down.

        The site is named by its name, never by the host the request came in on, and links
        use SITE_URL when it is set."""
        request = allauth_context.request
        owner = context.get("user")
        if not isinstance(owner, User) or owner.pk is None:
            owner = User.objects.filter(email__iexact=email).first()
        root = site_root(request)
        ctx = {
            "request": request,
            "email": email,
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(root).netloc),
            "site_name": settings.SITE_NAME,
            "site_url": root,
            "name": owner.name if owner is not None else "",
        }
        ctx.update({key: site_link(value, request, root) for key, value in context.items()})
        message = self.render_mail(template_prefix, email, ctx)
        notification_enqueue_email(message=message, user=owner, deliver_now=True)
