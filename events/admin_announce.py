"""Staff announcements from the sessions list, in three plain form steps (no JavaScript):

1. compose (subject, message, who gets it);
2. preview: the exact email as its first recipient gets it (subject, HTML, plain text) and
   how many people get one; from here staff can send themselves a test, or go back and edit;
3. send: the confirmation of the preview, and the only irreversible step.

The composed message waits in the staff member's session between the steps, under a random
key that the preview page carries: the preview shows what will be sent, and sending claims
that key once (in the shared cache, so across web processes too): a double click or the back
button cannot send it twice.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape

from config.audit import audit_record
from notifications.forms import AnnouncementForm

from .models import Session
from .services.notices import (
    session_announce,
    session_announce_audience,
    session_announce_preview,
    session_announce_test,
)

DRAFTS = "announcement_drafts"
MAX_DRAFTS = 5  # a staff member's open previews; older ones are forgotten
SENT_KEY = "announcement-draft-sent:{}"
SENT_MEMORY = 7 * 24 * 3600  # seconds a used key is remembered (far longer than a session's life)
GONE = (
    "This announcement is no longer waiting to be sent: it was sent already, or its preview "
    "is too old. Nothing was sent now; check Announcements before writing it again."
)

# The preview frame shows the email as a mail client would: its inline styles apply, it
# runs no script, and a link in it opens in a new tab rather than inside the frame.
PREVIEW_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
)


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


# --- the action --------------------------------------------------------------------------


def announce(model_admin, request, queryset):
    step = request.POST.get("step", "")
    if step in {"edit", "test", "send"}:
        token = request.POST.get("draft", "")
        draft = _drafts(request).get(token)
        if draft is None or not _sessions(draft):
            model_admin.message_user(request, GONE, messages.WARNING)
            return None
        if step == "edit":
            _forget(request, token)
            form = AnnouncementForm(
                initial={
                    "subject": draft["subject"],
                    "body": draft["body"],
                    "include_confirmed": "confirmed" in draft["statuses"],
                    "include_waitlisted": "waitlisted" in draft["statuses"],
                }
            )
            return _compose_page(model_admin, request, _sessions(draft), form)
        if step == "test":
            return _send_test(model_admin, request, token, draft)
        return _send(model_admin, request, token, draft)

    applying = "apply" in request.POST
    sessions = list(queryset.select_related("event", "room").order_by("starts_at", "pk"))
    form = AnnouncementForm(request.POST if applying else None)
    if applying and form.is_valid():
        token = _remember(request, form, sessions)
        return _preview_page(model_admin, request, token, _drafts(request)[token])
    return _compose_page(model_admin, request, sessions, form)


def _send_test(model_admin, request, token: str, draft: dict):
    sessions = _sessions(draft)
    session_announce_test(
        session=_sample_session(sessions, draft),
        subject=draft["subject"],
        body=draft["body"],
        statuses=draft["statuses"],
        user=request.user,
    )
    model_admin.message_user(
        request,
        f"A test copy is on its way to {request.user.email} (subject starting “[Test]”). "
        "Nobody else has been sent anything.",
        messages.SUCCESS,
    )
    return _preview_page(model_admin, request, token, draft)


def _send(model_admin, request, token: str, draft: dict):
    _forget(request, token)
    if not cache.add(SENT_KEY.format(token), True, timeout=SENT_MEMORY):
        model_admin.message_user(request, GONE, messages.WARNING)  # a double click
        return None
    sent = 0
    for session in _sessions(draft):
        announcement = session_announce(
            session=session,
            subject=draft["subject"],
            body=draft["body"],
            statuses=draft["statuses"],
            created_by=request.user,
        )
        sent += announcement.recipient_count
        audit_record(
            user=request.user,
            obj=session,
            message=f"Announcement “{draft['subject']}” queued for "
            f"{people(announcement.recipient_count)}.",
        )
    model_admin.message_user(request, f"Announcement queued for {people(sent)}.", messages.SUCCESS)
    return None


# --- pages ---------------------------------------------------------------------------------


def _base_context(model_admin, request, sessions) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": "Send an announcement to registrants",
        "action": "announce",
        "opts": model_admin.model._meta,
        "sessions": sessions,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }


def _compose_page(model_admin, request, sessions, form):
    context = {**_base_context(model_admin, request, sessions), "form": form}
    return TemplateResponse(request, "admin/events/session/announce.html", context)


def _preview_page(model_admin, request, token: str, draft: dict):
    sessions = _sessions(draft)
    audiences = [
        (session, len(session_announce_audience(session=session, statuses=draft["statuses"])))
        for session in sessions
    ]
    total = sum(count for _, count in audiences)
    preview = _preview(request, draft, sessions)
    message = preview.message
    context = {
        **_base_context(model_admin, request, sessions),
        "draft": token,
        "audiences": [(session, people(count)) for session, count in audiences],
        "total": total,
        "total_people": people(total),
        "shown_for": preview.shown_for,
        "is_recipient": preview.recipients > 0,
        "subject": message.subject,
        "from_email": message.from_email,
        "text": message.body,
        "frame_url": reverse("admin:events_session_announce_email", kwargs={"token": token}),
        "several_sessions": len(sessions) > 1,
    }
    return TemplateResponse(request, "admin/events/session/announce_preview.html", context)


def announce_email_html(model_admin, request, token: str):
    """The preview's HTML part, on its own for the preview frame."""
    if not model_admin.has_change_permission(request):
        return HttpResponseForbidden()
    draft = _drafts(request).get(token)
    if draft is None or not _sessions(draft):
        return HttpResponse(GONE, content_type="text/plain; charset=utf-8", status=404)
    message = _preview(request, draft, _sessions(draft)).message
    html = next((body for body, kind in message.alternatives if kind == "text/html"), None)
    if html is None:
        html = f"<pre>{escape(message.body)}</pre>"
    html = html.replace("<head>", '<head><base target="_blank">', 1)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_FRAME_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "no-store"
    return response


# --- the draft between steps --------------------------------------------------------------


def _drafts(request) -> dict:
    return request.session.get(DRAFTS, {})


def _remember(request, form: AnnouncementForm, sessions: list[Session]) -> str:
    token = secrets.token_urlsafe(16)
    drafts = _drafts(request)
    drafts[token] = {
        "subject": form.cleaned_data["subject"],
        "body": form.cleaned_data["body"],
        "statuses": form.statuses(),
        "session_ids": [session.pk for session in sessions],
    }
    request.session[DRAFTS] = dict(list(drafts.items())[-MAX_DRAFTS:])
    return token


def _forget(request, token: str) -> None:
    drafts = _drafts(request)
    drafts.pop(token, None)
    request.session[DRAFTS] = drafts


def _sessions(draft: dict) -> list[Session]:
    return list(
        Session.objects.filter(pk__in=draft["session_ids"])
        .select_related("event", "room")
        .order_by("starts_at", "pk")
    )


def _sample_session(sessions: list[Session], draft: dict) -> Session:
    """The session whose first recipient the preview shows: the first that has one."""
    for session in sessions:
        if session_announce_audience(session=session, statuses=draft["statuses"]):
            return session
    return sessions[0]


def _preview(request, draft: dict, sessions: list[Session]):
    return session_announce_preview(
        session=_sample_session(sessions, draft),
        subject=draft["subject"],
        body=draft["body"],
        statuses=draft["statuses"],
        fallback_user=request.user,
    )
