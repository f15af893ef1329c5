from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import MENTOR_PENDING, is_approved_mentor
from events.refusals import refusal_message
from events.rules import session_is_public
from events.selectors import event_get_current, sessions_annotate_for_user

from . import selectors, services
from .forms import FeedbackForm, MentorOfferForm, PersonForm, StayInTouchForm, TraineeSignupForm
from .text import counted


def index(request):
    event = event_get_current()
    sessions = selectors.slot_sessions_for_index(event=event)
    # The person's standing in each slot, as the agenda cards tell it (events/hooks.py).
    sessions_annotate_for_user(sessions=sessions, user=request.user)
    context = {"event": event, "sessions": sessions}
    if request.user.is_authenticated:
        context["conversations"] = selectors.conversations_for_user(user=request.user)
    return render(request, "mentorship/index.html", context)


def _act(request, call, success) -> None:
    """Runs one service call: a refused rule becomes an error message, else the message that
    `success` gives (a text, or `result -> (level, text)`)."""
    try:
        result = call()
    except ValidationError as exc:
        refusal_message(request, exc, level=messages.ERROR)
        return
    level, text = success(result) if callable(success) else (messages.SUCCESS, success)
    messages.add_message(request, level, text)


def _slot_url(slot) -> str:
    return reverse("mentorship:slot_detail", kwargs={"session_id": slot.session_id})


def _render_slot(request, slot, *, mentor_form=None, trainee_form=None, status=200):
    page = selectors.slot_page(slot=slot, user=request.user)
    if mentor_form is None:
        offer = page.my_offer if page.i_mentor else None
        mentor_form = MentorOfferForm(
            initial={
                "capacity": offer.capacity if offer else 1,
                "excluded_institutions": offer.excluded_institutions if offer else "",
            }
        )
    if trainee_form is None:
        initial = {}
        if page.my_signup is not None:
            initial["interests"] = list(page.my_signup.interests.all())
        elif (profile := getattr(request.user, "profile", None)) is not None:
            initial["interests"] = list(profile.interests.all())
        for ranked in page.my_ranking:
            if not ranked.withdrew:
                initial[f"rank_{ranked.rank}"] = str(ranked.offer.pk)
        trainee_form = TraineeSignupForm(
            offers=page.offers,
            initial=initial,
            withdrawn={r.rank: r.offer.mentor.get_full_name() for r in page.withdrawn_ranked},
        )
    context = {
        "slot": slot,
        "session": slot.session,
        "event": slot.session.event,
        "page": page,
        "mentor_form": mentor_form,
        "trainee_form": trainee_form,
    }
    return render(request, "mentorship/slot_detail.html", context, status=status)


def slot_detail(request, session_id: int):
    try:
        slot = selectors.slot_get(session_id=session_id)
    except Http404:
        session = selectors.session_without_slot(session_id=session_id)
        if session is None:
            raise
        return render(request, "mentorship/slot_not_ready.html", {"session": session})
    return _render_slot(request, slot)


@login_required
@require_POST
def mentor_signup(request, session_id: int):
    slot = selectors.slot_get(session_id=session_id)
    form = MentorOfferForm(request.POST)
    if not form.is_valid():
        return _render_slot(request, slot, mentor_form=form, status=400)
    _act(
        request,
        lambda: services.mentor_offer_save(slot=slot, mentor=request.user, **form.cleaned_data),
        lambda offer: (
            (messages.SUCCESS, "You are signed up to mentor in this slot. Thank you!")
            if is_approved_mentor(request.user)
            else (messages.INFO, f"{MENTOR_PENDING} We hold your table until then.")
        ),
    )
    return redirect(_slot_url(slot))


@login_required
@require_POST
def mentor_withdraw(request, session_id: int):
    slot = selectors.slot_get(session_id=session_id)
    _act(
        request,
        lambda: services.mentor_offer_withdraw(slot=slot, mentor=request.user),
        "You have withdrawn from this slot.",
    )
    return redirect(_slot_url(slot))


@login_required
@require_POST
def trainee_signup(request, session_id: int):
    slot = selectors.slot_get(session_id=session_id)
    offers = list(selectors.offers_active(slot=slot))
    form = TraineeSignupForm(request.POST, offers=offers)
    if not form.is_valid():
        return _render_slot(request, slot, trainee_form=form, status=400)
    _act(
        request,
        lambda: services.trainee_signup_save(
            slot=slot,
            trainee=request.user,
            interests=form.cleaned_data["interests"],
            preferred=form.cleaned_data["preferred"],
        ),
        "You are signed up; your choices are saved.",
    )
    return redirect(_slot_url(slot))


@login_required
@require_POST
def trainee_withdraw(request, session_id: int):
    slot = selectors.slot_get(session_id=session_id)
    _act(
        request,
        lambda: services.trainee_signup_withdraw(slot=slot, trainee=request.user),
        "You have withdrawn; the slot is off your agenda.",
    )
    return redirect(_slot_url(slot))


@login_required
def my_schedule(request, session_id: int):
    slot = selectors.slot_get(session_id=session_id)
    schedule = selectors.schedule_for_user(slot=slot, user=request.user)
    return render(
        request,
        "mentorship/my_schedule.html",
        {"slot": slot, "session": slot.session, "schedule": schedule},
    )


# --- after the slot ---------------------------------------------------------------------------


@login_required
def conversation_detail(request, pk: int, *, feedback_form=None, status=200):
    meeting = selectors.meeting_get_for_user(pk=pk, user=request.user)
    as_mentor = meeting.offer.mentor_id == request.user.pk
    feedback = selectors.feedback_by(meeting=meeting, user=request.user)
    if feedback_form is None:
        initial = {"rating": feedback.rating, "comment": feedback.comment} if feedback else {}
        feedback_form = FeedbackForm(initial=initial)
    context = {
        "meeting": meeting,
        "session": meeting.slot.session,
        "as_mentor": as_mentor,
        "partner": selectors.partner_of(meeting, as_mentor=as_mentor),
        "my_yes": meeting.mentor_stays_in_touch if as_mentor else meeting.trainee_stays_in_touch,
        "feedback": feedback,
        "feedback_form": feedback_form,
        "is_over": timezone.now() >= meeting.slot.session.ends_at,
    }
    return render(request, "mentorship/conversation_detail.html", context, status=status)


@login_required
@require_POST
def conversation_stay(request, pk: int):
    meeting = selectors.meeting_get_for_user(pk=pk, user=request.user)
    form = StayInTouchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That request was not understood; nothing changed.")
        return redirect("mentorship:conversation_detail", pk=pk)
    stay = form.cleaned_data["stay"]

    def told(updated) -> tuple[int, str]:
        if not stay:
            return messages.SUCCESS, "Noted: nothing is shared."
        if updated.is_connected:
            return messages.SUCCESS, "You both said yes: see My connections."
        return messages.SUCCESS, "Noted. If they say yes too, you will both see each other's email."

    _act(
        request,
        lambda: services.meeting_stay_in_touch_set(meeting=meeting, user=request.user, value=stay),
        told,
    )
    return redirect("mentorship:conversation_detail", pk=pk)


@login_required
@require_POST
def conversation_feedback(request, pk: int):
    meeting = selectors.meeting_get_for_user(pk=pk, user=request.user)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return conversation_detail(request, pk, feedback_form=form, status=400)
    _act(
        request,
        lambda: services.meeting_feedback_save(
            meeting=meeting, user=request.user, **form.cleaned_data
        ),
        "Thank you for your feedback.",
    )
    return redirect("mentorship:conversation_detail", pk=pk)


@login_required
def connections(request):
    return render(
        request,
        "mentorship/connections.html",
        {"connections": selectors.connections_for_user(user=request.user)},
    )


# --- staff ------------------------------------------------------------------------------------


# Each staff page asks for the permission of its job, never for is_staff alone: reading a
# slot's schedule is viewing the slot; matching, publishing, absences and repair change it
# (and email people). The permission is asked before the slot is looked up, so the 403 tells
# nothing about which slots exist.
SLOT_VIEW = "mentorship.view_speedmentoringslot"
SLOT_CHANGE = "mentorship.change_speedmentoringslot"


def _staff_page(permission: str):
    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def _review_url(slot) -> str:
    return reverse("mentorship:review", kwargs={"session_id": slot.session_id})


@_staff_page(SLOT_VIEW)
def review(request, session_id: int):
    slot = selectors.slot_get_for_staff(session_id=session_id)
    context = {
        "slot": slot,
        "session": slot.session,
        "review": selectors.schedule_review(slot=slot),
        # absences, until the slot ends
        "can_undo": timezone.now() < slot.session.ends_at and request.user.has_perm(SLOT_CHANGE),
        "is_draft": not session_is_public(slot.session),
    }
    return render(request, "mentorship/review.html", context)


@_staff_page(SLOT_CHANGE)
@require_POST
def review_match(request, session_id: int):
    slot = selectors.slot_get_for_staff(session_id=session_id)
    _act(
        request,
        lambda: services.schedule_draft(slot=slot),
        lambda result: (
            messages.SUCCESS,
            f"Draft schedule: {counted(result.meetings, 'conversation')} for "
            f"{counted(result.trainees, 'trainee')} and {counted(result.mentors, 'mentor')} "
            f"(score {result.total_score}); "
            f"{counted(result.unmatched_trainees, 'trainee has')} free rounds. "
            "Review, then publish.",
        ),
    )
    return redirect(_review_url(slot))


@_staff_page(SLOT_CHANGE)
@require_POST
def review_discard(request, session_id: int):
    slot = selectors.slot_get_for_staff(session_id=session_id)
    _act(
        request,
        lambda: services.schedule_draft_discard(slot=slot),
        "Draft discarded; sign-up is open again until the deadline.",
    )
    return redirect(_review_url(slot))


def _person_id(request) -> int | None:
    form = PersonForm(request.POST if request.method == "POST" else request.GET)
    return form.cleaned_data["user"] if form.is_valid() else None


def _confirm(request, slot, template: str, **context):
    context = {"slot": slot, "session": slot.session, **context}
    return render(request, f"mentorship/{template}", context)


@_staff_page(SLOT_CHANGE)
@require_http_methods(["GET", "POST"])
def review_publish(request, session_id: int):
    """GET: what publishing will do (who is emailed), with the button; POST: publish."""
    slot = selectors.slot_get_for_staff(session_id=session_id)
    if request.method == "GET":
        if slot.published_at is not None:
            messages.info(request, "The schedule is already published.")
            return redirect(_review_url(slot))
        if slot.matched_at is None:
            messages.error(request, "Run the matching first.")
            return redirect(_review_url(slot))
        try:
            services.schedule_check_session_public(slot)
        except ValidationError as exc:
            refusal_message(request, exc, level=messages.ERROR)
            return redirect(_review_url(slot))
        review = selectors.schedule_review(slot=slot)
        # The people publishing emails: every mentor and trainee taking part.
        people = len(review.offers) + len(review.signups)
        return _confirm(request, slot, "review_publish_confirm.html", review=review, people=people)
    _act(
        request,
        lambda: services.schedule_publish(slot=slot, by=request.user),
        lambda emailed: (
            (
                messages.SUCCESS,
                f"Published; {counted(emailed, 'person gets', 'people get')} their schedule "
                "by email.",
            )
            if emailed
            else (messages.INFO, "Already published; nobody was emailed again.")
        ),
    )
    return redirect(_review_url(slot))


@_staff_page(SLOT_CHANGE)
@require_http_methods(["GET", "POST"])
def review_absent(request, session_id: int):
    """GET: whose conversations marking the person absent cancels, with the button; POST:
    mark them absent."""
    slot = selectors.slot_get_for_staff(session_id=session_id)
    user_id = _person_id(request)
    preview = selectors.absence_preview(slot=slot, user_id=user_id) if user_id else None
    if preview is None:
        messages.error(request, "Choose a person who takes part in this slot.")
        return redirect(_review_url(slot))
    if request.method == "GET":
        if slot.published_at is None:
            messages.error(
                request, "Before publishing, withdraw the person and run the matching again."
            )
            return redirect(_review_url(slot))
        return _confirm(request, slot, "review_absent_confirm.html", preview=preview)
    name = preview.place.name
    _act(
        request,
        lambda: services.participant_mark_absent(slot=slot, user=preview.place.user),
        lambda cancelled: (
            messages.SUCCESS,
            f"{name} is marked absent; "
            f"{counted(cancelled, 'conversation is', 'conversations are')} cancelled. "
            "Repair to re-fill them.",
        ),
    )
    return redirect(_review_url(slot))


@_staff_page(SLOT_CHANGE)
@require_http_methods(["GET", "POST"])
def review_absent_undo(request, session_id: int):
    """GET: which conversations come back and who is emailed, with the button; POST: undo."""
    slot = selectors.slot_get_for_staff(session_id=session_id)
    user_id = _person_id(request)
    plan = selectors.absence_undo_plan(slot=slot, user_id=user_id) if user_id else None
    if plan is None:
        messages.error(request, "Choose a person who is marked absent in this slot.")
        return redirect(_review_url(slot))
    if request.method == "GET":
        if timezone.now() >= slot.session.ends_at:
            messages.error(request, "The slot is over; absences stay as they are.")
            return redirect(_review_url(slot))
        return _confirm(request, slot, "review_absent_undo_confirm.html", plan=plan)
    name = plan.place.name
    _act(
        request,
        lambda: services.participant_absence_undo(slot=slot, user=plan.place.user),
        lambda result: (
            messages.SUCCESS,
            f"{name} takes part again: {counted(result.restored, 'conversation')} back"
            + (f", {result.lost} could not come back" if result.lost else "")
            + f"; {counted(result.notified, 'person is', 'people are')} emailed.",
        ),
    )
    return redirect(_review_url(slot))


@_staff_page(SLOT_CHANGE)
@require_POST
def review_repair(request, session_id: int):
    slot = selectors.slot_get_for_staff(session_id=session_id)
    _act(
        request,
        lambda: services.schedule_repair(slot=slot, by=request.user),
        lambda result: (
            (
                messages.SUCCESS,
                f"Repaired: {result.added} of "
                f"{counted(result.cancelled, 'cancelled conversation')} re-filled; "
                f"{counted(result.notified, 'person is')} told of their new rounds.",
            )
            if result.cancelled
            else (messages.INFO, "Nothing to repair.")
        ),
    )
    return redirect(_review_url(slot))


@_staff_page("mentorship.view_conversationfeedback")
def feedback_summary(request):
    return render(
        request,
        "mentorship/feedback_summary.html",
        {"rows": selectors.mentor_feedback_summary()},
    )
