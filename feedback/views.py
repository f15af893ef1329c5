"""Thin views: the page a feedback link opens (no login: the signed link is the key), the
staff report, and a speaker's or host's own sessions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from config.csv_safe import private_download
from events.models import Event
from events.selectors import event_get, event_get_current

from .forms import SessionFeedbackForm
from .selectors import (
    FeedbackTarget,
    feedback_report_for_event,
    feedback_report_for_reader,
    feedback_target_get,
)
from .services import session_feedback_create
from .tokens import MAX_AGE, FeedbackLinkExpired, FeedbackLinkInvalid, feedback_token_read

# Reading what attendees said is the job of those given the model's view permission (the
# "Program editor" group); is_staff alone is not enough. Asked before anything is looked up.
REPORT_PERMISSION = "feedback.view_sessionfeedback"


def _already(request: HttpRequest, target: FeedbackTarget) -> HttpResponse:
    return render(request, "feedback/already_sent.html", _page(target))


def _page(target: FeedbackTarget) -> dict:
    session = target.session
    return {
        "session": session,
        "event": session.event,
        "starts_at": session.local_start(),
        "ends_at": session.local_end(),
        "feedback": target.feedback,
    }


def _preselected(request: HttpRequest) -> int | None:
    """The rating the email's link chose; anything else preselects nothing."""
    value = request.GET.get("rating", "")
    return int(value) if value in {"1", "2", "3", "4", "5"} else None


# A GET never records anything: mail scanners open every link of a message. Only the form's
# POST (with its CSRF token) saves.
@require_http_methods(["GET", "POST"])
def feedback_respond_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        session_id, user_id = feedback_token_read(token=token)
    except FeedbackLinkExpired:
        return render(request, "feedback/link_expired.html", {"days": MAX_AGE.days}, status=410)
    except FeedbackLinkInvalid:
        raise Http404("No such feedback link.") from None
    target = feedback_target_get(session_id=session_id, user_id=user_id)
    if target.feedback is not None:
        return _already(request, target)
    if request.method == "POST":
        form = SessionFeedbackForm(request.POST)
        if form.is_valid():
            saved = session_feedback_create(
                session=target.session,
                user=target.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
            if saved is None:  # another tab sent it a moment ago
                return _already(request, target)
            return render(request, "feedback/thanks.html", {**_page(target), "feedback": saved})
        status = 400
    else:
        form = SessionFeedbackForm(initial={"rating": _preselected(request)})
        status = 200
    response = render(
        request, "feedback/respond.html", {**_page(target), "form": form}, status=status
    )
    return private_download(response)


def _event(request: HttpRequest) -> Event:
    """`?event=<slug>` when given (unknown or draft: 404), else the running or next event."""
    slug = request.GET.get("event", "").strip()
    if slug:
        return event_get(slug=slug[:50])
    event = event_get_current()
    if event is None:
        raise Http404("No published event yet.")
    return event


@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
@require_GET
def feedback_report_view(request: HttpRequest) -> HttpResponse:
    event = _event(request)
    report = feedback_report_for_event(event=event)
    response = render(request, "feedback/report.html", {"event": event, "report": report})
    return private_download(response)


@login_required
@require_GET
def feedback_mine_view(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    report = feedback_report_for_reader(user=request.user)
    response = render(request, "feedback/mine.html", {"report": report})
    return private_download(response)
