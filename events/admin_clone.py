"""Cloning an event to next year from admin: a form (new slug, name and first day), then a
confirmation of what is copied, then the copy (events/services/clone.py)."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from .admin_actions import action_page, one_event
from .models import Event
from .services.clone import event_clone


class EventCloneForm(forms.Form):
    slug = forms.SlugField(max_length=50, help_text="The new event's address: /events/<slug>/.")
    name = forms.CharField(max_length=200)
    starts_on = forms.DateField(
        label="First day", help_text="YYYY-MM-DD; every session moves by the same days."
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Event.objects.filter(slug=slug).exists():
            raise ValidationError(f"An event with the slug “{slug}” exists already.")
        return slug


def _next_year(text: str, year: int) -> str:
    return re.sub(str(year), str(year + 1), text) if str(year) in text else f"{text} {year + 1}"


def _initial(event: Event) -> dict:
    year = event.starts_on.year
    try:
        starts_on = event.starts_on.replace(year=year + 1)
    except ValueError:  # February 29
        starts_on = date(year + 1, 2, 28)
    return {
        "slug": _next_year(event.slug, year).replace(" ", "-"),
        "name": _next_year(event.name, year),
        "starts_on": starts_on,
    }


@admin.action(description="Clone to next year (as drafts)…", permissions=["clone"])
def event_clone_action(modeladmin, request, queryset):
    event = one_event(modeladmin, request, queryset)
    if event is None:
        return None
    step = request.POST.get("step", "")
    form = EventCloneForm(request.POST if step else None, initial=_initial(event))
    page = {
        "template": "admin/events/event/clone.html",
        "title": f"Clone “{event}”",
        "action": "event_clone_action",
        "events": [event],
        "event": event,
        "rooms": event.rooms.count(),
        "sessions": event.sessions.count(),
    }
    if not step or not form.is_valid():
        return action_page(modeladmin, request, form=form, step="confirm", **page)
    if step == "confirm":
        return action_page(modeladmin, request, form=form, step="apply", confirming=True, **page)
    try:
        copy = event_clone(source=event, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        modeladmin.message_user(request, "; ".join(exc.messages), messages.ERROR)
        return None
    modeladmin.message_user(
        request,
        f"“{copy}” is made, as a draft with its sessions as drafts. "
        f"Check it, then publish: {reverse('admin:events_event_change', args=[copy.pk])}",
        messages.SUCCESS,
    )
    return None
