from allauth.account.adapter import DefaultAccountAdapter

from .services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = (form.cleaned_data.get("name") or "").strip()
        if commit:
            user.save()
            profile_ensure(user=user)
        return user
