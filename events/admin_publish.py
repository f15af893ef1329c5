"""Publishing from admin: sessions one by one or several at once, or an event with all its
draft sessions, each after a confirmation page. Publishing sends no email."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q

from .admin_actions import action_page
from .models import Registration
from .services.publishing import event_publish, session_publish_set


def _count(n: int, what: str) -> str:
    return f"1 {what}" if n == 1 else f"{n} {what}s"


def _set(modeladmin, request, queryset, *, is_published: bool, action: str, title: str):
    sessions = list(
        queryset.select_related("event", "room")
        .annotate(
            holders=Count(
                "registrations",
                filter=~Q(registrations__status=Registration.Status.CANCELLED),
            )
        )
        .order_by("starts_at", "pk")
    )
    if "apply" not in request.POST:
        return action_page(
            modeladmin,
            request,
            template="admin/events/session/publish.html",
            title=title,
            action=action,
            sessions=sessions,
            is_published=is_published,
            holders=sum(s.holders for s in sessions if s.is_published != is_published),
        )
    changed = sum(
        session_publish_set(session=session, is_published=is_published, by=request.user)
        for session in sessions
    )
    done = "published" if is_published else "taken back to draft"
    modeladmin.message_user(
        request, f"{_count(changed, 'session')} {done}; nobody was emailed.", messages.SUCCESS
    )
    return None


@admin.action(description="Publish…", permissions=["program"])
def sessions_publish_action(modeladmin, request, queryset):
    return _set(modeladmin, request, queryset, is_published=True,
                action="sessions_publish_action", title="Publish sessions")  # fmt: skip


@admin.action(description="Take back to draft…", permissions=["program"])
def sessions_unpublish_action(modeladmin, request, queryset):
    return _set(modeladmin, request, queryset, is_published=False,
                action="sessions_unpublish_action", title="Take sessions back to draft")  # fmt: skip


@admin.action(description="Publish the event and all its draft sessions…", permissions=["program"])
def event_publish_action(modeladmin, request, queryset):
    events = list(
        queryset.annotate(drafts=Count("sessions", filter=Q(sessions__is_published=False)))
    )
    if "apply" not in request.POST:
        return action_page(
            modeladmin,
            request,
            template="admin/events/event/publish.html",
            title="Publish events and all their sessions",
            action="event_publish_action",
            events=events,
        )
    for event in events:
        count = event_publish(event=event, by=request.user)
        modeladmin.message_user(
            request,
            f"“{event}” is published with {_count(count, 'draft session')} published now; "
            "nobody was emailed.",
            messages.SUCCESS,
        )
    return None
