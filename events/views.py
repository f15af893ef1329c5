import gzip
import hashlib
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.services import calendar_token_rotate, profile_ensure

from .agenda_page import (
    SKELETON_SLOTS,
    frame_fill,
    frame_pieces,
    skeleton_fill,
    skeleton_make,
)
from .agenda_selectors import agenda_arrange, sessions_search
from .calendar import agenda_ics, session_ics
from .forms import FILTER_NAMES, AgendaFilterForm, RegisterForm
from .hooks import agenda_items_annotate, agenda_sections, session_page_sections
from .http import cached_page_response
from .models import Registration
from .refusals import Code, refusal_message
from .rules import event_has_ended, registration_stake, session_started_reason
from .selectors import (
    agenda_group,
    cancel_preview,
    event_get,
    event_get_current,
    event_list_published,
    registrations_annotate_clashes,
    registrations_cancelled_with_session,
    registrations_for_user,
    session_annotate_state,
    session_get,
    session_get_for_action,
    session_list_for_agenda,
    sessions_annotate_for_user,
    sessions_with_room,
    switch_preview,
    user_get_by_calendar_token,
    waitlist_position,
)
from .services import ClashError, registration_cancel, registration_create, registration_switch
from .services.cache import (
    agenda_cache_version,
    agenda_cached,
    agenda_cached_parts,
    agenda_clock,
    agenda_event_clock,
    agenda_event_id,
    agenda_event_id_remember,
    agenda_page_get,
    agenda_page_key,
    agenda_page_put,
    agenda_skeleton_get,
    agenda_skeleton_key,
    agenda_skeleton_put,
)


def home(request):
    event = event_get_current()
    if event is None:
        return render(request, "events/home_empty.html")
    return _agenda(request, event)


def event_list(request):
    """Every published event: running and upcoming ones first, then past ones."""
    return render(request, "events/event_list.html", {"events": event_list_published()})


def agenda(request, slug: str):
    event_id = agenda_event_id(slug)
    if event_id is not None and request.user.is_authenticated and _is_personal_fast(request):
        version = agenda_cache_version(event_id)
        query = AgendaFilterForm.raw_filter_query(request.GET)
        skeleton = agenda_skeleton_get(
            agenda_skeleton_key(event_id, version, path=request.path, query=query)
        )
        if skeleton is not None and skeleton.is_current(timezone.now()):
            return _agenda_personal_page(request, skeleton)
    if event_id is not None and _is_cacheable(request):
        key = _page_key(
            request, event_id, agenda_cache_version(event_id), clock=agenda_event_clock(event_id)
        )
        page = agenda_page_get(key)
        if page is not None:
            return cached_page_response(request, page)
    event = event_get(slug=slug)
    agenda_event_id_remember(slug, event.pk, dates=(event.tz, event.starts_on, event.ends_on))
    return _agenda(request, event)


def _attach_card_heads(event, version: int, sessions) -> None:
    """The part of each agenda card that is the same for everyone (title, time, room, tags)
    is rendered once per event version; only the seats and the person's own status and
    buttons are rendered per request."""
    by_id = {session.pk: session for session in sessions}
    heads = agenda_cached_parts(
        event.pk,
        version,
        "heads",
        list(by_id),
        lambda pk: render_to_string("events/_session_card_head.html", {"session": by_id[pk]}),
    )
    for session in sessions:
        session.card_head = heads[session.pk]


def _agenda_form(request, event, version: int) -> AgendaFilterForm:
    """The filters the page applies and shows: the known, valid ones only (kept on the
    request, which needs them for the cache key and again to render)."""
    form = getattr(request, "_agenda_form", None)
    if form is None:
        # The event's own dates: no query, and a day outside them is not a filter.
        days = [
            event.starts_on + timedelta(days=n)
            for n in range((event.ends_on - event.starts_on).days + 1)
        ]
        form = request._agenda_form = AgendaFilterForm.normalised(request.GET, days=days)
    return form


def _pairs(query: str) -> list[tuple[str, str]]:
    return [(name, value) for name, values in QueryDict(query).lists() for value in values]


def _day_tabs(form, days, *, one_day: bool) -> dict:
    """Day tabs: on the whole agenda, links to the days on the page (shown one at a time
    by CSS, no script); on an agenda filtered to one day, links to the other days' pages."""
    if one_day:
        tabs = [(d, "?" + form.filter_query(day=d.isoformat())) for d in form.days]
        return {"tabs": tabs, "all_days_href": "?" + form.filter_query(day=None)}
    tabs = [(d.day, f"#day-{d.day:%Y%m%d}") for d in days]
    return {"tabs": tabs, "all_days_href": "#all-days"}


def _is_personal_fast(request) -> bool:
    """The logged-in agenda is filled into the shared skeleton unless it is narrowed by what
    the skeleton cannot know ahead: a search, "For you" alone, or free places now."""
    return not (request.GET.get("q") or request.GET.get("has_seats") or request.GET.get("for_you"))


def _agenda_page(request, event, body) -> HttpResponse:
    context = {"event": event, "agenda_body": body, "has_ended": event_has_ended(event)}
    return render(request, "events/agenda.html", context)


def _agenda_body(request, event, version: int, *, skeleton: bool = False):
    """The agenda's body for the person of `request`; with `skeleton`, the part every
    logged-in person shares (events/agenda_page.py), to be filled per request."""
    form = _agenda_form(request, event, version)
    filters = form.filters()
    term, for_you, view = form.search_term(), form.is_for_you(), form.view_mode()
    # Free places change with the clock (a session starts) and with table seats at the lunch,
    # which do not bump the version: that filter is applied afresh on each request.
    has_seats = filters.pop("has_seats", False)
    digest = hashlib.sha256(repr(sorted(filters.items())).encode()).hexdigest()[:16]
    sessions = agenda_cached(
        event.pk,
        version,
        f"sessions:{digest}",
        lambda: session_list_for_agenda(event=event, **filters),
    )
    sessions = sessions_search(sessions=sessions, term=term)
    for session in sessions:
        session_annotate_state(session)  # window labels depend on the clock, not the version
    if has_seats:
        sessions = sessions_with_room(sessions=sessions)
    if not skeleton:
        sessions_annotate_for_user(sessions=sessions, user=request.user)
    # Card heads for every session the person may see, before "For you" narrows the list.
    _attach_card_heads(event, version, sessions)
    arranged = agenda_arrange(
        sessions=sessions,
        event=event,
        user=AnonymousUser() if skeleton else request.user,
        for_you=for_you,
        view=view,
    )
    context = {
        "event": event,
        "form": form,
        "is_filtered": bool(filters) or has_seats,
        "is_narrowed": bool(filters) or has_seats or bool(term) or for_you,
        "term": term,
        "for_you": for_you,
        "interests": arranged.interests,
        "picks": arranged.picks,
        "view": view,
        "list_query": form.filter_query(view=None),
        "grid_query": form.filter_query(view="grid"),
        "for_you_query": form.filter_query(for_you=None if for_you else True),
        "search_hidden": _pairs(form.filter_query(q=None)),
        "filter_hidden": _pairs(form.filter_query(**dict.fromkeys(FILTER_NAMES))),
        **_day_tabs(form, arranged.days, one_day="day" in filters),
        "local_now": arranged.local_now,
        "days": arranged.days,
        "session_count": arranged.session_count,
    }
    if not skeleton:
        return render_to_string("events/_agenda_body.html", context, request=request)
    context["agenda_skeleton"] = SKELETON_SLOTS
    return skeleton_make(
        body=render_to_string("events/_agenda_body.html", context, request=request),
        sessions=sessions,
        event=event,
        for_you_query=context["for_you_query"],
    )


def _is_cacheable(request) -> bool:
    # The anonymous page is the same for everyone: the whole page is cached until the next
    # committed change to the event, unless a flash message must be shown (len() reads the
    # messages without marking them as shown), or it lists only sessions with free places
    # (which the clock and the lunch's table seats change without a new version), or it is a
    # search (any text could be typed: searches are filtered from the cached sessions instead,
    # so they cannot fill the cache).
    return (
        not request.user.is_authenticated
        and not request.GET.get("has_seats")
        and not request.GET.get("q")
        and not len(messages.get_messages(request))
    )


def _page_key(
    request, event_id: int, version: int, query: str | None = None, *, clock: str = ""
) -> str:
    """Without `query` (before the event is read) the filters are taken as they came; a key
    with an invalid value then simply finds nothing."""
    if query is None:
        query = AgendaFilterForm.raw_filter_query(request.GET)
    return agenda_page_key(event_id, version, path=request.path, query=query, clock=clock)


def _agenda_personal(request, event, version: int) -> HttpResponse | None:
    """The logged-in agenda from the shared skeleton (built here when missing or out of
    date); None when this page is not one the skeleton serves."""
    form = _agenda_form(request, event, version)
    if form.search_term() or form.is_for_you() or form.filters().get("has_seats"):
        return None
    key = agenda_skeleton_key(event.pk, version, path=request.path, query=form.filter_query())
    skeleton = agenda_skeleton_get(key)
    if skeleton is None or not skeleton.is_current(timezone.now()):
        skeleton = _agenda_body(request, event, version, skeleton=True)
        agenda_skeleton_put(key, skeleton)
    return _agenda_personal_page(request, skeleton)


def _agenda_personal_page(request, skeleton) -> HttpResponse:
    body = skeleton_fill(request, skeleton)
    if len(messages.get_messages(request)):  # shown once: rendered whole, as any page
        return _agenda_page(request, skeleton.event, body)
    return HttpResponse(frame_fill(request, frame_pieces(request, skeleton), body))


def _agenda(request, event):
    version = agenda_cache_version(event.pk)
    if request.user.is_authenticated and _is_personal_fast(request):
        response = _agenda_personal(request, event, version)
        if response is not None:
            return response
    cacheable = _is_cacheable(request)
    key = _page_key(
        request,
        event.pk,
        version,
        _agenda_form(request, event, version).filter_query(),
        clock=agenda_clock(event.tz, event.starts_on, event.ends_on),
    )
    page = agenda_page_get(key) if cacheable else None
    if page is None:
        response = _agenda_page(request, event, _agenda_body(request, event, version))
        if not cacheable:
            return response
        page = (response.content, gzip.compress(response.content, compresslevel=6))
        agenda_page_put(key, page)
    return cached_page_response(request, page)


def session_detail(request, slug: str, pk: int):
    event = event_get(slug=slug)
    session = session_get(event=event, pk=pk)
    sessions_annotate_for_user(sessions=[session], user=request.user)
    context = {
        "event": event,
        "session": session,
        # Blocks other apps add (the mentors of a Blood Buddies slot), see events/hooks.py.
        "page_sections": session_page_sections(session=session, user=request.user),
    }
    return render(request, "events/session_detail.html", context)


@require_GET
def session_ics_download(request, slug: str, pk: int):
    """ "Add to calendar" of one session: an .ics file of that session alone."""
    event = event_get(slug=slug)
    session = session_get(event=event, pk=pk)
    response = HttpResponse(
        session_ics(session=session), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


def _back(request, session):
    target = request.POST.get("next", "")
    # A path on this site only: redirect() would read anything else as a URL pattern name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect(session.get_absolute_url())


@require_POST
def session_register(request, slug: str, pk: int):
    session = session_get_for_action(slug=slug, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(session.get_absolute_url())
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That request was not understood; nothing changed.")
        return _back(request, session)
    replace = form.cleaned_data.get("replace")
    try:
        if replace is not None:
            replace_session = session_get_for_action(slug=slug, pk=replace)
            registration = registration_switch(
                session=session, replace=replace_session, user=request.user
            )
            messages.success(
                request,
                f"Switched: you gave up “{replace_session.title}” and have a seat in “{session.title}”.",
            )
            return _back(request, session)
        registration = registration_create(session=session, user=request.user)
    except ClashError as exc:
        refusal_message(request, exc, then="You can switch to this session on its page.")
        return redirect(session.get_absolute_url())
    except ValidationError as exc:
        refusal_message(request, exc)
        return _back(request, session)
    if registration.status == Registration.Status.WAITLISTED:
        position = waitlist_position(registration=registration)
        messages.info(
            request,
            f"“{session.title}” is full: you are number {position} on the waitlist. We'll email you if a seat opens.",
        )
    elif session.capacity is None:
        messages.success(request, f"“{session.title}” is on your agenda.")
    else:
        messages.success(request, f"You have a seat in “{session.title}”.")
    return _back(request, session)


@require_POST
def session_cancel(request, slug: str, pk: int):
    session = session_get_for_action(slug=slug, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(session.get_absolute_url())
    try:
        registration = registration_cancel(session=session, user=request.user)
    except ValidationError as exc:
        if exc.code == Code.STARTED:
            refusal_message(request, exc)
            return _back(request, session)
        # Someone else's registration is never reachable here: only the person's own is looked up.
        raise Http404(exc.messages[0]) from exc
    done = {
        "seat": f"Your seat in “{session.title}” is cancelled.",
        "waitlist": f"You left the waitlist of “{session.title}”.",
        "item": f"“{session.title}” is no longer on your agenda.",
    }
    messages.success(request, done[registration.gave_up])
    return _back(request, session)


def _safe_next(request, fallback: str) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_GET
def session_cancel_confirm(request, slug: str, pk: int):
    """The step before giving up a seat or a waitlist place: what will happen, one button."""
    session = session_get_for_action(slug=slug, pk=pk)
    try:
        preview = cancel_preview(session=session, user=request.user)
    except ValidationError as exc:
        refusal_message(request, exc)
        return redirect(session.get_absolute_url())
    context = {
        "event": session.event,
        "session": session,
        "gave_up": preview.stake,
        "position": preview.position,
        "waiting": preview.waiting,
        "next": _safe_next(request, session.get_absolute_url()),
    }
    return render(request, "events/session_cancel_confirm.html", context)


@login_required
@require_GET
def session_switch_confirm(request, slug: str, pk: int):
    """The step before a switch: which seat is given up, which one is taken."""
    session = session_get_for_action(slug=slug, pk=pk)
    form = RegisterForm(request.GET)
    if not form.is_valid() or form.cleaned_data.get("replace") is None:
        messages.error(request, "That request was not understood; nothing changed.")
        return redirect(session.get_absolute_url())
    replace = session_get_for_action(slug=slug, pk=form.cleaned_data["replace"])
    try:
        waiting = switch_preview(session=session, replace=replace, user=request.user)
    except ValidationError as exc:
        refusal_message(request, exc)
        return redirect(session.get_absolute_url())
    context = {
        "event": session.event,
        "session": session,
        "replace": replace,
        "waiting": waiting,
        "next": _safe_next(request, session.get_absolute_url()),
    }
    return render(request, "events/session_switch_confirm.html", context)


@login_required
def my_agenda(request):
    profile = profile_ensure(user=request.user)
    registrations = registrations_for_user(user=request.user)
    # What apps built on events show under their items (the person's lunch tables).
    agenda_items_annotate(registrations=registrations)
    for registration in registrations:
        # From its start a session's registrations are history: no cancel button.
        registration.started_reason = session_started_reason(registration.session)
        registration.stake = registration_stake(registration)
    registrations_annotate_clashes(registrations=registrations)
    feed_path = reverse("events:calendar_feed", kwargs={"token": profile.calendar_token})
    feed_url = request.build_absolute_uri(feed_path)
    context = {
        "days": agenda_group(sessions=registrations),
        "count": len(registrations),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        # Blocks other apps add (the Blood Buddies rounds), see events/hooks.py.
        "agenda_sections": agenda_sections(
            user=request.user, profile=profile, registrations=registrations
        ),
    }
    return render(request, "events/my_agenda.html", context)


def _ics_response(user, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(
        agenda_ics(
            registrations=registrations_for_user(user=user),
            cancelled=registrations_cancelled_with_session(user=user),
            user=user,
        ),
        content_type="text/calendar; charset=utf-8",
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@never_cache
def my_agenda_ics(request):
    return _ics_response(request.user, filename="my-agenda.ics")


@require_GET
@never_cache
def calendar_feed(request, token: str):
    user = user_get_by_calendar_token(token=token)
    if user is None:
        raise Http404  # the same answer for a wrong, revoked or never-issued token
    return _ics_response(user)


@login_required
@require_POST
def calendar_revoke(request):
    calendar_token_rotate(user=request.user)
    messages.success(
        request, "Your old calendar link no longer works. Subscribe again with the new one below."
    )
    return redirect("events:my_agenda")
