"""The "cancel sessions" admin action: a confirmation page that asks for the reason and says
how many people will be told, then `session_cancel` for each chosen session."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from config.audit import audit_record
from config.text import MultiLineField

from .models import Registration, Session
from .services import session_cancel

REASON_MAX = Session._meta.get_field("cancel_reason").max_length


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to everyone registered)",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="For example: “The speaker cannot travel to the meeting.”",
        validators=MultiLineField(max_length=REASON_MAX).validators,
    )


def cancel_sessions(model_admin, request, queryset):
    chosen = list(
        queryset.select_related("event")
        .annotate(
            people=Count(
                "registrations",
                filter=~Q(registrations__status=Registration.Status.CANCELLED),
            )
        )
        .order_by("starts_at", "pk")
    )
    applying = "apply" in request.POST
    form = CancelForm(request.POST if applying else None)
    if applying and form.is_valid():
        for session in chosen:
            try:
                released = session_cancel(session=session, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                model_admin.message_user(request, exc.messages[0], messages.ERROR)
                continue
            told = len({registration.user_id for registration in released})
            audit_record(
                user=request.user,
                obj=session,
                message=f"Cancelled: {form.cleaned_data['reason']} ({told} told by email).",
            )
            model_admin.message_user(
                request,
                f"Cancelled “{session.title}”: {told} "
                f"{'person was' if told == 1 else 'people were'} told by email.",
                messages.SUCCESS,
            )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Cancel sessions",
        "opts": model_admin.model._meta,
        "form": form,
        "sessions": chosen,
        "action": "cancel_sessions",
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/events/session/cancel.html", context)
