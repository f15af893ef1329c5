"""The logged-in agenda in two parts (issue 16): a shared skeleton, built once per change of
the event, and the person's own bits, filled in per request.

The skeleton is the agenda's body rendered by the page's own templates with a slot where
each card goes, one for the "For you" strip and one for the time on the "now" line. With
it are, per card, the card as a person with nothing to do with that session sees it (no
place, no clash, no note, nothing "for you"; the CSRF field and return path as slots too),
and what it takes to tell whether a session concerns the person: its times and mode (for a
clash), its audience and career paths ("For you"), and whether an app built on events has
a note on it (the lunch, Blood Buddies, listening; `hooks.session_notes`).

Per request the person's registrations are read (one query) and their interests (cached);
only the cards that concern them are rendered, by the same code as before, from the few
sessions fetched from the cache in one round trip. The rest are the shared cards as they
are. The page is the same, byte for byte, as the one rendered whole
(tests/events/test_agenda_html_identity.py).

What depends on the clock (a session starts or ends, registration opens or closes, the
event's day changes) is in the skeleton until the next such moment: `valid_until`.
"""

import copy
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import defaultfilters
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .agenda_selectors import (
    Interests,
    event_local_now,
    interests_for_user,
    sessions_annotate_for_you,
    sessions_for_you_picks,
)
from .for_you import Match, for_you_match
from .hooks import session_notes
from .models import Event, Registration, Session
from .rules import event_has_ended, first_clash, registration_window
from .selectors import registrations_for_user, session_annotate_state, sessions_annotate_for_user
from .templatetags.agenda import card_html, card_slot, hidden_fields_for

# A NUL never comes out of the database (PostgreSQL text cannot hold one, and requests
# carrying one are refused by config/nul_guard.py), so no session's text can fake a slot.
SLOT = re.compile("\x00([^\x00]*)\x00")
FOR_YOU, NOW, BODY = "for-you", "now", "body"
NAME_SLOT, TOKEN_SLOT = "\x00name\x00", "\x00token\x00"
CSRF_SLOT, NEXT_SLOT = "\x00csrf\x00", "\x00next\x00"
NOTHING = Match(score=0, reason="", is_open=True)  # a session for everyone, none of their interests
SKELETON_SLOTS = {"for_you": SafeString(card_slot(FOR_YOU)), "now": SafeString(card_slot(NOW))}


@dataclass(frozen=True)
class Slim:
    """What tells whether a session concerns the person, without the session itself."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    registration_mode: str
    audience: tuple[str, ...]
    career_path_slugs: tuple[str, ...]


@dataclass(frozen=True)
class Skeleton:
    event: Event
    pieces: list  # text, then a slot: a session's id (its card) or FOR_YOU or NOW, and so on
    cards: dict[int, str]  # the card of a person the session does not concern
    sessions: list[Slim]  # the page's sessions, in page order
    noted: frozenset[int]  # sessions an app built on events says something about
    full: dict[int, Session]  # the sessions themselves, annotated for the page (copied per use)
    # the page around the body, by `user.is_staff` (frame_pieces): the menu's link to admin is
    # the one thing in it that differs between people (admin itself admits only is_staff, then
    # asks each page's permission); it guards nothing
    frames: dict[bool, list]
    for_you_query: str
    built_at: datetime
    valid_until: datetime

    def is_current(self, now: datetime) -> bool:
        """Still what the clock would render: built before `now`, no change since."""
        return self.built_at <= now < self.valid_until


class _FrameUser:
    """Stands for the person in the page around the agenda's body: their name is a slot."""

    is_authenticated = True

    def __init__(self, is_staff: bool) -> None:
        self.is_staff = is_staff

    def get_full_name(self) -> SafeString:
        return SafeString(NAME_SLOT)


def frame_pieces(request, skeleton: Skeleton) -> list:
    """The page around the body (site header, menu, event header) for every logged-in person
    of the same kind (staff or not), with slots for the body, the name and the CSRF token;
    rendered once per skeleton and process."""
    is_staff = bool(request.user.is_staff)
    pieces = skeleton.frames.get(is_staff)
    if pieces is None:
        event = skeleton.event
        context = {
            "event": event,
            "agenda_body": SafeString(card_slot(BODY)),
            "has_ended": event_has_ended(event),
            "user": _FrameUser(is_staff),
            "csrf_token": SafeString(TOKEN_SLOT),
            "messages": (),
        }
        html = render_to_string("events/agenda.html", context, request=request)
        pieces = skeleton.frames[is_staff] = SLOT.split(html)
    return pieces


def frame_fill(request, pieces: list, body: str) -> str:
    """The whole page: the frame with the person's name, a CSRF token and the body."""
    values = {
        BODY: body,
        "name": escape(request.user.get_full_name()),
        "token": get_token(request),
    }
    return "".join(values[piece] if index % 2 else piece for index, piece in enumerate(pieces))


class _Nobody:
    """The request a shared card is rendered for: someone logged in, whose CSRF field and
    return path are slots filled per request."""

    class user:
        is_authenticated = True

    def __init__(self) -> None:
        self._agenda_hidden_fields = (SafeString(CSRF_SLOT), SafeString(NEXT_SLOT))


def _next_change(sessions: list[Session], event: Event, now: datetime) -> datetime:
    """The first moment after `now` at which some card's state or the page's "now" changes."""
    moments = [now + timedelta(days=1)]
    local = now.astimezone(event.tz)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    moments.append(midnight)
    for session in sessions:
        opens, closes = registration_window(session)
        for moment in (session.starts_at, session.ends_at, opens, closes):
            if moment is not None and moment > now:
                moments.append(moment)
    return min(moments)


def skeleton_make(
    *, body: str, sessions: list[Session], event: Event, for_you_query: str
) -> Skeleton:
    """From the body rendered with `agenda_skeleton` in its context (cards as slots) and its
    sessions (annotated for the page: state, card heads), what every person's page shares."""
    now = timezone.now()
    parts = SLOT.split(body)
    pieces: list = []
    for index, part in enumerate(parts):
        pieces.append(int(part) if index % 2 and part.isdigit() else part)
    on_page = {piece for piece in pieces[1::2] if isinstance(piece, int)}
    page_sessions = [s for s in sessions if s.pk in on_page]
    nobody = {"request": _Nobody()}
    cards = {}
    for session in page_sessions:
        session.my_registration = None  # type: ignore[attr-defined]
        session.my_position = None  # type: ignore[attr-defined]
        session.clash_with = None  # type: ignore[attr-defined]
        session.audience_note = ""  # type: ignore[attr-defined]
        session.note = None  # type: ignore[attr-defined]
        session.for_you = None  # type: ignore[attr-defined]
        cards[session.pk] = str(card_html(nobody, session))
    noted = frozenset(session_notes(sessions=page_sessions, user=AnonymousUser()))
    slims = [
        Slim(
            pk=s.pk,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            registration_mode=s.registration_mode,
            audience=tuple(s.audience or ()),
            career_path_slugs=tuple(getattr(s, "career_path_slugs", ())),
        )
        for s in page_sessions
    ]
    return Skeleton(
        event=event,
        pieces=pieces,
        cards=cards,
        sessions=slims,
        noted=noted,
        full={s.pk: s for s in page_sessions},
        frames={},
        for_you_query=for_you_query,
        built_at=now,
        valid_until=_next_change(page_sessions, event, now),
    )


def _match(slim: Slim, interests: Interests) -> Match:
    return for_you_match(
        paths=slim.career_path_slugs,
        audience=slim.audience,
        stage=interests.stage,
        interests=interests.paths,
    )


def skeleton_fill(request, skeleton: Skeleton) -> SafeString:
    """The body of the agenda for the person of `request`."""
    user = request.user
    event = skeleton.event
    mine: list[Registration] = (
        registrations_for_user(user=user, event=event, sessions=skeleton.full)
        if skeleton.sessions
        else []
    )
    by_session = {r.session_id: r for r in mine}
    held = [r.session for r in mine if r.status == Registration.Status.CONFIRMED]
    interests = interests_for_user(user)
    wanted = set(interests.paths)
    matches = {}
    concerned = []
    for slim in skeleton.sessions:
        # A session for everyone with none of the person's interests is nothing "for you".
        if slim.audience or not wanted.isdisjoint(slim.career_path_slugs):
            match = matches[slim.pk] = _match(slim, interests)
            if match.score or not match.is_open:
                concerned.append(slim)
                continue
        if (
            slim.pk in by_session
            or slim.audience
            or slim.pk in skeleton.noted
            or (held and first_clash(slim, held) is not None)  # type: ignore[arg-type]
        ):
            concerned.append(slim)
    # Only sessions with a score are picked, and all of them are among the concerned.
    picks = (
        sessions_for_you_picks(sessions=concerned, match=lambda s: matches.get(s.pk, NOTHING))
        if interests.is_known
        else []
    )
    concerns = {slim.pk for slim in concerned}
    # Copies: the shared sessions stay as every request finds them.
    full = {s.pk: copy.copy(skeleton.full[s.pk]) for s in [*concerned, *picks]}
    theirs = [full[slim.pk] for slim in concerned]
    for session in theirs:
        session_annotate_state(session)
    sessions_annotate_for_user(sessions=theirs, user=user, mine=mine)
    sessions_annotate_for_you(sessions=theirs, interests=interests)
    context = {"request": request}
    out = []
    shared_fields = None
    for index, piece in enumerate(skeleton.pieces):
        if not index % 2:
            out.append(piece)
        elif piece in concerns:
            out.append(card_html(context, full[piece]))
        elif isinstance(piece, int):
            card = skeleton.cards[piece]
            if CSRF_SLOT in card:
                if shared_fields is None:
                    csrf_field, next_path = hidden_fields_for(request)
                    shared_fields = (str(csrf_field), escape(next_path))
                card = card.replace(CSRF_SLOT, shared_fields[0]).replace(
                    NEXT_SLOT, shared_fields[1]
                )
            out.append(card)
        elif piece == FOR_YOU:
            pick_sessions = [full[s.pk] for s in picks]
            for session in pick_sessions:
                session.for_you = matches[session.pk]  # type: ignore[attr-defined]
            out.append(
                render_to_string(
                    "events/_agenda_for_you.html",
                    {
                        "user": user,
                        "interests": interests,
                        "for_you": False,
                        "picks": pick_sessions,
                        "for_you_query": skeleton.for_you_query,
                    },
                )
            )
        elif piece == NOW:
            local_now = event_local_now(event)
            out.append(
                f"Now · {defaultfilters.time(local_now, 'H:i')} {defaultfilters.date(local_now, 'T')}"
            )
    return mark_safe("".join(out))  # noqa: S308 - every piece was rendered escaped
