"""Extension points for apps built on events (the career lunch, mentorship), so that events
never imports them: dependencies point one way. An app registers its hooks in its
`AppConfig.ready()`.

- `agenda_section_hooks`: `fn(*, user, profile, registrations) -> AgendaSection | None`, a
  block rendered on "my agenda" after the person's items. `registrations` and `profile` are
  what the page has already read, so a hook can answer without a query when it has nothing
  to show.
- `calendar_hooks`: `fn(*, user, registrations) -> CalendarAdditions`: text appended to the
  description of some of the person's registrations, and calendar items that are not
  registrations (a mentor staffing a speed-mentoring slot, a lunch host's table).
- `session_note_hooks`: `fn(*, sessions, user) -> dict[int, SessionNote]`: what the app says
  about its own sessions on the agenda cards and the session page (a Blood Buddies slot's
  state, the person's standing in it, where to act). Each session already carries
  `my_registration` (the person's active registration or None). Called per request, never
  cached with the shared agenda, so the personal part is always the person's own; an app
  whose state shows on the anonymous agenda bumps the event's cache version when it changes.
- `session_page_hooks`: `fn(*, session, user) -> AgendaSection | None`: a block on the
  session page (the mentors who signed up for a Blood Buddies slot).
- `registration_note_hooks`: `fn(*, registrations) -> dict[int, list[str]]`: paragraphs about
  the person's own part in some registrations (the lunch tables they picked), for calendar
  items and reminders.
- `agenda_item_hooks`: `fn(*, registrations) -> None`: sets `detail_template` (and what that
  template reads) on the registrations it concerns; "my agenda" includes it under the item.
- `registration_cancelled_hooks`: `fn(*, registration) -> None`, called inside the
  transaction that cancels a registration, with the session row locked (the lunch drops the
  person's table seats).
- `mode_links[mode]`: a `ModeLink`, the link an agenda card shows for a registration mode
  whose place is taken on the app's own page (the lunch's grid of tables).
- `session_clone_hooks`: `fn(*, source, copy, shift) -> None`, called when staff clone an
  event, for each session copied (`shift` moves a datetime to the new dates): an app copies
  its settings for the session (lunch rotations and tables, a Blood Buddies slot), never
  anyone's place in it.
- `now_session_hooks[mode]`: `fn(*, sessions, now) -> dict[int, AgendaSection]`: a block the
  "now and next" screen shows under sessions of that mode running at `now` or starting soon
  (the lunch: the tables with room for walk-ins in the current rotation). The same for
  everyone: it is cached with the screen's public part, for up to a minute.
- `session_admin_extensions`: inlines, actions and an after-save step that an app adds to the
  session's admin page for the sessions it concerns.

Each hook costs a fixed number of queries, whatever the size of the agenda, and none for
sessions or people it does not concern.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import Profile, User
from accounts.types import AnyUser

from .models import Registration, Session


@dataclass
class AgendaSection:
    template: str
    context: dict
    starts_at: datetime | None = None  # sections appear in time order, undated ones last


@dataclass
class CalendarItem:
    uid: str  # stable per item; the feed appends "@host"
    session: Session | None  # times, room and URL come from the session, when there is one
    summary: str
    description: str
    sequence: int
    last_modified: datetime
    # An item that is not a session (a private listening conversation) gives its own times,
    # aware and in its event's zone, and its page's URL.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str = ""


@dataclass
class SessionNote:
    state: str = ""  # for everyone: "Sign-up is open until …"
    mine: str = ""  # the person's own standing: "Your rounds are published"
    mine_is_ok: bool = True  # a confirmation (✓) rather than a warning
    link_url: str = ""
    link_text: str = ""


@dataclass
class CalendarAdditions:
    notes: dict[int, list[str]] = field(default_factory=dict)  # registration id -> paragraphs
    items: list[CalendarItem] = field(default_factory=list)


agenda_section_hooks: list[Callable[..., AgendaSection | None]] = []
calendar_hooks: list[Callable[..., CalendarAdditions]] = []
session_note_hooks: list[Callable[..., dict[int, SessionNote]]] = []
session_page_hooks: list[Callable[..., AgendaSection | None]] = []


@dataclass
class ModeLink:
    url_name: str  # reversed with the event's `slug` and the session's `pk`
    text_mine: str  # for a person who holds a place
    text_other: str  # for anyone else


mode_links: dict[str, ModeLink] = {}

registration_note_hooks: list[Callable[..., dict[int, list[str]]]] = []
agenda_item_hooks: list[Callable[..., None]] = []
registration_cancelled_hooks: list[Callable[..., None]] = []
# Names of the people who lead each session besides its speakers (the lunch's table hosts):
# hook(session_ids=[...]) -> {session_id: {name, ...}}; the speaker clash check reads them.
session_people_hooks: list[Callable[..., dict[int, set[str]]]] = []
session_clone_hooks: list[Callable[..., None]] = []
now_session_hooks: dict[str, Callable[..., dict[int, AgendaSection]]] = {}


@dataclass
class SessionAdminExtension:
    applies: Callable[[Session], bool]  # whether a saved session shows the inlines
    inlines: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    after_save: Callable[[Session], None] | None = None  # after inlines are saved


session_admin_extensions: list[SessionAdminExtension] = []


def hook_add(registry: list, hook: object) -> None:
    """Registers once, however often `ready()` runs (tests may run it again)."""
    if hook not in registry:
        registry.append(hook)


def registration_notes_from_apps(*, registrations: list) -> dict[int, list[str]]:
    notes: dict[int, list[str]] = {}
    for hook in registration_note_hooks:
        for pk, paragraphs in hook(registrations=registrations).items():
            notes.setdefault(pk, []).extend(paragraphs)
    return notes


def agenda_items_annotate(*, registrations: list) -> None:
    for registration in registrations:
        registration.detail_template = ""
    for hook in agenda_item_hooks:
        hook(registrations=registrations)


def registration_cancelled(*, registration: Registration) -> None:
    for hook in registration_cancelled_hooks:
        hook(registration=registration)


def agenda_sections(
    *, user: User, profile: Profile | None, registrations: list
) -> list[AgendaSection]:
    sections = (
        hook(user=user, profile=profile, registrations=registrations)
        for hook in agenda_section_hooks
    )
    return sorted(
        (section for section in sections if section is not None),
        key=lambda section: (section.starts_at is None, section.starts_at or 0),
    )


def calendar_additions(*, user: User, registrations: list) -> CalendarAdditions:
    merged = CalendarAdditions()
    for hook in calendar_hooks:
        extra = hook(user=user, registrations=registrations)
        for pk, paragraphs in extra.notes.items():
            merged.notes.setdefault(pk, []).extend(paragraphs)
        merged.items.extend(extra.items)
    return merged


# --- free places ------------------------------------------------------------------------------
# `free_place_hooks[mode]`: `fn(*, sessions) -> set[int]`, for a registration mode whose room is
# decided outside the session's own seat count (the lunch: table seats per rotation; Blood
# Buddies: whether trainees can still sign up). It gets sessions of that mode that pass the
# events rules (not started, registration not closed, the session's capacity not reached) and
# answers the ids of those where one more person can still get a place, in one query.
free_place_hooks: dict[str, Callable[..., set[int]]] = {}


def session_notes(*, sessions: list, user: AnyUser) -> dict[int, SessionNote]:
    notes: dict[int, SessionNote] = {}
    for hook in session_note_hooks:
        notes.update(hook(sessions=sessions, user=user))
    return notes


def session_page_sections(*, session: Session, user: AnyUser) -> list[AgendaSection]:
    sections = (hook(session=session, user=user) for hook in session_page_hooks)
    return [section for section in sections if section is not None]


def session_people(*, session_ids: list[int]) -> dict[int, set[str]]:
    people: dict[int, set[str]] = {}
    for hook in session_people_hooks:
        for pk, names in hook(session_ids=session_ids).items():
            people.setdefault(pk, set()).update(names)
    return people
