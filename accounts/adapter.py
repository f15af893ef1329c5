from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from notifications.services import notification_enqueue_email

from .models import User
from .services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = (form.cleaned_data.get("name") or "").strip()
        if commit:
            user.save()
            profile_ensure(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mail (verification, password reset, "account already exists") goes
        through the outbox like every other email: rendered here by allauth's templates,
        recorded as a row, sent at once (the person is waiting for the link) and retried by
        the dispatcher if the mail server is down."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        owner = ctx.get("user")
        if not isinstance(owner, User) or owner.pk is None:
            owner = User.objects.filter(email__iexact=email).first()
        notification_enqueue_email(message=message, user=owner, deliver_now=True)
