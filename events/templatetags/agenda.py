"""Formats a session's seats, the person's status and its actions: a one-POST button to
register, links to the confirmation step before a seat is given up or switched.

Written in Python rather than as an included template: the agenda renders this block for
every session on the page, and the template engine made it the page's main cost (a
200-session agenda spent ~100 ms here). It formats only what the selectors put on the
session (`seat_label`, `my_registration`, `my_position`, `clash_with`, `closed_reason`,
`started_reason`, `audience_note`) and never queries.
"""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from events.hooks import mode_links
from events.rules import registration_stake

register = template.Library()


def _hidden_fields(context, session) -> SafeString:
    # Once per request: masking the CSRF token is costly, and any masked copy is valid.
    csrf_field, next_path = hidden_fields_for(context["request"])
    return format_html(
        '{}<input type="hidden" name="next" value="{}#session-{}">',
        csrf_field,
        next_path,
        session.pk,
    )


_PK = 987654321  # stands for the session id in URLs reversed once per request


def _url(context, name: str, session) -> str:
    """reverse() is costly at 200 calls a page: reverse once per (name, event), then format."""
    request = context["request"]
    patterns = request.__dict__.setdefault("_agenda_url_patterns", {})
    key = (name, session.event.slug)
    if key not in patterns:
        patterns[key] = reverse(name, kwargs={"slug": session.event.slug, "pk": _PK}).replace(
            str(_PK), "{}"
        )
    return patterns[key].format(session.pk)


def _hidden_title(session) -> SafeString:
    return format_html('<span class="visually-hidden"> — {}</span>', session.title)


def _status(session, registration) -> SafeString:
    if registration and registration.status == "confirmed":
        if session.registration_mode == "matched":
            label = "You're signed up; your rounds come once staff publish the schedule"
        elif session.capacity and session.registration_mode in ("open", "drop_in"):
            label = "You have a seat"
        else:
            label = "On your agenda"
        return format_html('<p class="status confirmed">✓ {}</p>', label)
    if registration and registration.status == "waitlisted":
        clash = ""
        if session.clash_with:
            clash = format_html(
                "; a seat would clash with “{}”, so you are skipped until that changes",
                session.clash_with.title,
            )
        return format_html(
            '<p class="status waitlisted">Waitlisted — you are #{}{}</p>',
            session.my_position,
            clash,
        )
    if session.clash_with:
        return format_html(
            '<p class="status clash">Clashes with “<a href="{}">{}</a>”</p>',
            session.clash_with.get_absolute_url(),
            session.clash_with.title,
        )
    return SafeString("")


CANCEL_LABELS = {
    "seat": "Cancel my seat",
    "waitlist": "Leave the waitlist",
    "item": "Remove from my agenda",
}


def _back_here(context, session) -> str:
    """Where a confirmation step returns to: this page, at this session's card."""
    return f"{context['request'].get_full_path()}#session-{session.pk}"


def _button_link(url: str, label: str, session, *, secondary: bool = False) -> SafeString:
    """A GET link styled as a button: it opens a confirmation step, so it works without
    JavaScript and nothing changes until the person confirms there."""
    return format_html(
        '<p class="actions-row"><a class="button{}" href="{}">{}{}</a></p>',
        " secondary" if secondary else "",
        url,
        label,
        _hidden_title(session),
    )


def _note(session, note) -> SafeString:
    """What an app built on events says about its session (events/hooks.py): the person's own
    standing, else a clash; the state for everyone; where to act."""
    parts = []
    if note.mine:
        parts.append(
            format_html('<p class="status confirmed">✓ {}</p>', note.mine)
            if note.mine_is_ok
            else format_html('<p class="status clash">{}</p>', note.mine)
        )
    elif session.clash_with:
        parts.append(_status(session, None))
    if note.state:
        parts.append(format_html('<p class="closed">{}</p>', note.state))
    if note.link_url:
        parts.append(_link(note.link_url, note.link_text, session))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html


def _seat_actions(context, session, registration) -> SafeString:
    user = context["request"].user
    if session.started_reason:
        # From its start a session's registrations are its history (rules.py): no button.
        return format_html('<p class="closed">{}</p>', session.started_reason)
    if not user.is_authenticated:
        login = reverse("account_login") + "?" + urlencode({"next": session.get_absolute_url()})
        return format_html('<p class="actions-row"><a href="{}">Log in to register</a></p>', login)
    if registration:
        label = CANCEL_LABELS[registration_stake(registration)]
        url = _url(context, "events:session_cancel_confirm", session)
        query = urlencode({"next": _back_here(context, session)})
        return _button_link(f"{url}?{query}", label, session, secondary=True)
    if session.closed_reason:
        return format_html('<p class="closed">{}</p>', session.closed_reason)
    if session.audience_note:
        return format_html('<p class="closed">{}</p>', session.audience_note)
    if session.clash_with and session.seats_left != 0:
        url = _url(context, "events:session_switch_confirm", session)
        query = urlencode({"replace": session.clash_with.pk, "next": _back_here(context, session)})
        return _button_link(f"{url}?{query}", "Switch to this session", session)
    if session.seats_left == 0:
        label = "Join the waitlist"
    elif session.registration_mode == "drop_in":
        label = "Add to my agenda"
    else:
        label = "Register"
    return format_html(
        '<form method="post" action="{}" class="actions-row">{}<button type="submit">{}{}</button></form>',
        _url(context, "events:session_register", session),
        _hidden_fields(context, session),
        label,
        _hidden_title(session),
    )


INFORMATION_ONLY = (
    "Information only: there is nothing to book here. These are private, virtual "
    "conversations. To take part, send a request on the listening sessions page; "
    "reviewers read each request and email the details to those accepted."
)


def _link(url: str, text: str, session) -> SafeString:
    return format_html(
        '<p class="actions-row"><a href="{}">{}{}</a></p>', url, text, _hidden_title(session)
    )


@register.simple_tag(takes_context=True)
def session_actions(context, session) -> SafeString:
    """Seats left, the person's status and the buttons for one session."""
    if session.cancelled_at is not None:  # nothing to take or give up: the record says why
        return format_html(
            '<p class="closed cancelled"><strong>Cancelled.</strong> {}</p>', session.cancel_reason
        )
    registration = getattr(session, "my_registration", None)
    parts = []
    if session.seat_label:
        waiting = (
            format_html(" · {} waiting", session.waitlist_count) if session.waitlist_count else ""
        )
        parts.append(
            format_html(
                '<p class="seats{}">{}{}</p>',
                " full" if session.seats_left == 0 else "",
                session.seat_label
                if not registration
                else session.seat_label.replace(" — join the waitlist", ""),
                waiting,
            )
        )
    note = getattr(session, "note", None)
    parts.append(_status(session, registration) if note is None else _note(session, note))
    mode = session.registration_mode
    if mode in ("open", "drop_in"):
        parts.append(_seat_actions(context, session, registration))
    elif session.started_reason and not registration:
        parts.append(format_html('<p class="closed">{}</p>', session.started_reason))
    elif mode == "request":
        # No seat and no clash until people can ask to take part (rules.SEATLESS_MODES).
        parts.append(format_html('<p class="info-only">{}</p>', INFORMATION_ONLY))
    elif mode == "matched" and note is None:
        text = (
            "Your interests, mentors and rounds"
            if registration
            else "Speed mentoring: sign up and rank mentors"
        )
        parts.append(
            _link(
                reverse("mentorship:slot_detail", kwargs={"session_id": session.pk}), text, session
            )
        )
    elif mode in mode_links:  # an app's own page (the lunch's grid), see events/hooks.py
        link = mode_links[mode]
        text = link.text_mine if registration else link.text_other
        parts.append(_link(_url(context, link.url_name, session), text, session))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html


def _card(context, session) -> SafeString:
    match = getattr(session, "for_you", None)
    classes = f"session-card kind-{session.kind}"
    reason = SafeString("")
    if context["request"].user.is_authenticated and match is not None:
        if not match.is_open:
            classes += " is-dimmed"  # not open to the person's stage: shown, not hidden
        elif match.score:
            classes += " is-for-you"
            reason = format_html('<p class="for-you-reason">For you: {}</p>', match.reason)
    return format_html(
        '<article class="{}" id="session-{}">{}{}<div class="card-foot">{}</div></article>\n',
        classes,
        session.pk,
        session.card_head,
        reason,
        session_actions(context, session),
    )


def card_slot(pk: int | str) -> str:
    """Where a card goes in the logged-in agenda's shared skeleton (events/agenda_page.py): a
    NUL can never come out of escaped text, so no title can fake a slot."""
    return f"\x00{pk}\x00"


def card_html(context, session) -> SafeString:
    """One whole card as the page shows it to the person in `context`."""
    return _card(context, session)


def hidden_fields_for(request) -> tuple[SafeString, str]:
    """This request's CSRF field and return path, as every register form on it carries them
    (the token is masked once per request)."""
    fields = getattr(request, "_agenda_hidden_fields", None)
    if fields is None:
        fields = request._agenda_hidden_fields = (
            format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            ),
            request.get_full_path(),
        )
    return fields


@register.simple_tag(takes_context=True)
def session_cards(context, sessions) -> SafeString:
    """The agenda cards of one time slot: the shared, cached head of each card (`card_head`:
    title, time, room, kind), why it suits the person ("For you"), then its seats and the
    person's own status and one action. In the logged-in agenda's shared skeleton, a slot
    per card instead, filled per person."""
    if context.get("agenda_skeleton"):
        return mark_safe("".join(card_slot(session.pk) for session in sessions))  # noqa: S308
    return mark_safe("".join(_card(context, session) for session in sessions))  # noqa: S308


@register.simple_tag(takes_context=True)
def session_card(context, session) -> SafeString:
    """One agenda card (a cell of the rooms grid)."""
    if context.get("agenda_skeleton"):
        return mark_safe(card_slot(session.pk))  # noqa: S308
    return _card(context, session)
