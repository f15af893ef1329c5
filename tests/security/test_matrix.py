"""The authorization matrix: every URL pattern with an object id, token or slug × every role ×
GET and POST, with the answer each must get, for a published event and a draft one.

Roles (columns, in this order): anonymous · owner (the trainee whose seat, signup, conversation
or token it is) · other (another trainee) · mentor (the owner's Blood Buddies mentor) · host
(of the owner's lunch table) · staff (is_staff, no permission) · holder (staff holding exactly
the permission the row names, nothing else) · superuser.

Answers: 200 · 302 (a redirect that is not to a login page: an action done or refused with a
message) · log (a redirect to a login page) · 400 (a form shown again with its errors) ·
403 (the site's "You can't open this page") · 404 · 405 (wrong method).

The world is built once (tests/security/matrix_world.py); every request runs in a savepoint
rolled back after it, so one cell's POST never changes what the next cell sees. A meta-test
fails when a URL pattern with a path parameter has no row, so a new page cannot ship without
deciding who may open it. Django admin's own object pages (change, delete, history) are left
to admin, which asks the model's view/change/delete permission on each; the pages this project
adds to admin have rows.

Listening sessions: the owner is accepted for an interview and a group and booked in a
slot the mentor facilitates (the mentor plays the facilitator); the holder holds
`listening.review_requests`. tests/listening/ has the full matrix with the listening roles.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client, TestCase

from tests.conftest import cache_clear
from tests.security.matrix_world import ROLES, Side, World, build_world
from tests.security.routes import all_routes

Paths = Callable[[World], dict]


def _sides(paths: Callable[[Side], dict]) -> dict[str, Paths]:
    """The row's path values on the published event and on the draft one."""
    return {
        "pub": lambda w: paths(w.sides["pub"]),
        "draft": lambda w: paths(w.sides["draft"]),
    }


def _talk(s: Side) -> dict:
    return {"slug": s.slug, "pk": s.talk}


def _lunch(s: Side) -> dict:
    return {"slug": s.slug, "pk": s.lunch}


def _table(s: Side) -> dict:
    return {**_lunch(s), "table_id": s.table}


def _cell(s: Side) -> dict:
    return {**_table(s), "rotation_id": s.rotation}


def _slot(s: Side) -> dict:
    return {"session_id": s.slot}


def _done(s: Side) -> dict:
    return {"session_id": s.done_slot}


def _meeting(s: Side) -> dict:
    return {"pk": s.meeting}


def every(code: str) -> str:
    return " ".join([code] * len(ROLES))


@dataclass
class Row:
    paths: dict[str, Paths]  # side name -> path values
    GET: dict[str, str]  # side name -> one answer per role, in ROLES order
    POST: dict[str, str]
    permission: tuple[str, ...] = ()  # what the holder column holds
    data: Callable[[World], dict] = field(default=lambda w: {})  # the POST's body


CATERING = ("events.view_catering_needs",)
SLOT_VIEW = ("mentorship.view_speedmentoringslot",)
SLOT_CHANGE = ("mentorship.change_speedmentoringslot",)
ROSTER = ("events.view_session", "events.view_registration")
REVIEW = ("listening.review_requests",)
DOOR = ("events.change_registration",)


def _listening(key: str, name: str) -> dict[str, Paths]:
    return {"listening": lambda w: {name: w.listening[key]}}


#            anonymous owner other mentor host staff holder superuser
MATRIX: dict[str, Row] = {
    # events
    "events:agenda": Row(
        _sides(lambda s: {"slug": s.slug}),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("200"), "draft": every("404")},
    ),
    # The "now and next" screen: a page to read, GET only.
    "events:now": Row(
        _sides(lambda s: {"slug": s.slug}),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("405"), "draft": every("405")},
    ),
    "events:session_detail": Row(
        _sides(_talk),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("200"), "draft": every("404")},
    ),
    "events:session_ics": Row(
        _sides(_talk),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("405"), "draft": every("405")},
    ),
    "events:session_register": Row(
        _sides(_talk),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  302  302  302  302  302  302", "draft": every("404")},
    ),
    "events:session_cancel": Row(
        _sides(_talk),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  404  404  404  404  404  404", "draft": every("404")},
    ),
    "events:session_cancel_confirm": Row(
        _sides(_talk),
        GET={
            "pub": "log  200  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
        POST={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
    ),
    "events:session_switch_confirm": Row(
        _sides(_talk),
        GET={
            "pub": "log  302  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
        POST={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
    ),
    "events:calendar_feed": Row(
        {
            "valid": lambda w: {"token": w.tokens["calendar"]},
            "forged": lambda w: {"token": "x" * 43},
        },
        GET={"valid": every("200"), "forged": every("404")},
        POST={"valid": every("405"), "forged": every("405")},
    ),
    # the career lunch
    "events:lunch_grid": Row(
        _sides(_lunch),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("200"), "draft": every("404")},
    ),
    "events:lunch_join": Row(
        _sides(_lunch),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  302  302  302  302  302  302", "draft": every("404")},
    ),
    "events:lunch_take": Row(
        _sides(_cell),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  302  302  302  302  302  302", "draft": every("404")},
    ),
    "events:lunch_change": Row(
        _sides(_cell),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  302  302  302  302  302  302", "draft": every("404")},
    ),
    "events:lunch_drop": Row(
        _sides(lambda s: {**_lunch(s), "rotation_id": s.rotation}),
        GET={"pub": every("405"), "draft": every("405")},
        POST={"pub": "log  302  302  302  302  302  302  302", "draft": every("404")},
    ),
    "events:lunch_table_guests": Row(
        _sides(_table),
        GET={
            "pub": "log  404  404  404  200  404  200  200",
            "draft": "log  404  404  404  404  404  404  404",
        },
        POST={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        permission=("events.view_tableseat",),
    ),
    "events:lunch_table_roster": Row(
        _sides(_table),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  404  404",
        },
        POST={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        permission=CATERING,
    ),
    "events:lunch_overview": Row(
        _sides(_lunch),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  404  404",
        },
        POST={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        permission=CATERING,
    ),
    # Blood Buddies
    "mentorship:slot_detail": Row(
        _sides(_slot),
        GET={"pub": every("200"), "draft": every("404")},
        POST={"pub": every("200"), "draft": every("404")},
    ),
    "mentorship:mentor_signup": Row(
        _sides(_slot),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
        data=lambda w: {"capacity": "1"},
    ),
    "mentorship:mentor_withdraw": Row(
        _sides(_slot),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
    ),
    "mentorship:trainee_signup": Row(
        _sides(_slot),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
    ),
    "mentorship:trainee_withdraw": Row(
        _sides(_slot),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  302  302  302  302  302  302",
            "draft": "log  404  404  404  404  404  404  404",
        },
    ),
    "mentorship:my_schedule": Row(
        _sides(_done),
        GET={
            "pub": "log  200  404  200  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
        POST={
            "pub": "log  200  404  200  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
    ),
    "mentorship:review": Row(
        _sides(_slot),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        POST={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        permission=SLOT_VIEW,
    ),
    "mentorship:review_match": Row(
        _sides(_slot),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
    ),
    "mentorship:review_discard": Row(
        _sides(_slot),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
    ),
    "mentorship:review_publish": Row(
        _sides(_done),
        GET={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
    ),
    "mentorship:review_absent": Row(
        _sides(_done),
        GET={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
        data=lambda w: {"user": str(w.users["owner"].pk)},
    ),
    "mentorship:review_absent_undo": Row(
        _sides(_done),
        GET={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
        data=lambda w: {"user": str(w.users["owner"].pk)},
    ),
    "mentorship:review_repair": Row(
        _sides(_done),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=SLOT_CHANGE,
    ),
    "mentorship:conversation_detail": Row(
        _sides(_meeting),
        GET={
            "pub": "log  200  404  200  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
        POST={
            "pub": "log  200  404  200  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
    ),
    "mentorship:conversation_stay": Row(
        _sides(_meeting),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  404  302  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
        data=lambda w: {"stay": "yes"},
    ),
    "mentorship:conversation_feedback": Row(
        _sides(_meeting),
        GET={
            "pub": "log  405  405  405  405  405  405  405",
            "draft": "log  405  405  405  405  405  405  405",
        },
        POST={
            "pub": "log  302  404  302  404  404  404  404",
            "draft": "log  404  404  404  404  404  404  404",
        },
        data=lambda w: {"rating": "4", "comment": "Helpful."},
    ),
    # listening sessions (booking): a refusal is a message (302) or the page again (409)
    "listening:interview_book": Row(
        _listening("slot", "slot_id"),
        GET={"listening": "log  405  405  405  405  405  405  405"},
        POST={"listening": "log  409  302  302  302  302  302  302"},
        permission=REVIEW,
    ),
    "listening:group_join": Row(
        _listening("group", "group_id"),
        GET={"listening": "log  405  405  405  405  405  405  405"},
        POST={"listening": every("302").replace("302", "log", 1)},
        permission=REVIEW,
    ),
    "listening:facilitator_held": Row(
        _listening("booking", "booking_id"),
        GET={"listening": "log  405  405  405  405  405  405  405"},
        POST={"listening": "log  404  404  302  404  404  404  404"},
        permission=REVIEW,
    ),
    "listening:facilitator_missed": Row(
        _listening("booking", "booking_id"),
        GET={"listening": "log  405  405  405  405  405  405  405"},
        POST={"listening": "log  404  404  302  404  404  404  404"},
        permission=REVIEW,
    ),
    # tokens mailed to people
    "notifications:unsubscribe": Row(
        {
            "valid": lambda w: {"token": w.tokens["unsubscribe"]},
            "forged": lambda w: {"token": "x1"},
        },
        GET={"valid": every("200"), "forged": every("400")},
        POST={"valid": every("200"), "forged": every("400")},
    ),
    # The feedback link: the signed token is the key (no login); the owner was checked in at
    # the talk. A draft's link, or a forged one, opens nothing.
    "feedback:respond": Row(
        {
            "valid": lambda w: {"token": w.tokens["feedback"]},
            "draft": lambda w: {"token": w.tokens["feedback_draft"]},
            "forged": lambda w: {"token": w.tokens["feedback"][:-1] + "x"},
        },
        GET={"valid": every("200"), "draft": every("404"), "forged": every("404")},
        POST={"valid": every("200"), "draft": every("404"), "forged": every("404")},
        data=lambda w: {"rating": "4", "comment": "Helpful."},
    ),
    "account_confirm_email": Row(
        {"valid": lambda w: {"key": w.tokens["confirm"]}, "forged": lambda w: {"key": "x1-abc"}},
        GET={"valid": every("200"), "forged": every("200")},
        POST={"valid": "log  302  log  log  log  log  log  log", "forged": every("404")},
    ),
    "accounts:confirm_email": Row(
        {"valid": lambda w: {"key": w.tokens["confirm"]}, "forged": lambda w: {"key": "x1-abc"}},
        GET={"valid": every("200"), "forged": every("200")},
        POST={"valid": "log  302  log  log  log  log  log  log", "forged": every("404")},
    ),
    "account_reset_password_from_key": Row(
        {
            "valid": lambda w: {"uidb36": w.tokens["uidb36"], "key": w.tokens["reset"]},
            "forged": lambda w: {"uidb36": w.tokens["uidb36"], "key": "x1-abc"},
        },
        GET={"valid": every("200"), "forged": every("200")},
        POST={"valid": every("200"), "forged": every("200")},
    ),
    # staff pages: the door's check-in, for drafts too (permission, not publication)
    "staff:checkin": Row(
        _sides(lambda s: {"session_id": s.talk}),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        POST={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        permission=DOOR,
    ),
    "staff:checkin_mark": Row(
        _sides(lambda s: {"session_id": s.talk, "registration_id": s.seat}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"attended": "1"},
    ),
    # the lunch and Blood Buddies at the door: the same permission as the check-in
    "staff:checkin_lunch": Row(
        _sides(lambda s: {"session_id": s.lunch}),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        POST={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        permission=DOOR,
    ),
    "staff:checkin_lunch_seat": Row(
        _sides(lambda s: {"session_id": s.lunch, "seat_id": s.lunch_seat}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"attended": "1"},
    ),
    "staff:checkin_lunch_walk_in": Row(
        _sides(lambda s: {"session_id": s.lunch}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"person": "other@matrix.example"},
    ),
    "staff:checkin_rounds": Row(
        _sides(lambda s: {"session_id": s.done_slot}),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        POST={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        permission=DOOR,
    ),
    "staff:checkin_rounds_mentor": Row(
        _sides(lambda s: {"session_id": s.done_slot, "offer_id": s.done_offer}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"attended": "1"},
    ),
    "staff:checkin_rounds_trainee": Row(
        _sides(lambda s: {"session_id": s.done_slot, "signup_id": s.done_signup}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"attended": "1"},
    ),
    "staff:checkin_rounds_absent": Row(
        _sides(lambda s: {"session_id": s.done_slot, "signup_id": s.done_signup}),
        GET={
            "pub": "log  403  403  403  403  403  200  200",
            "draft": "log  403  403  403  403  403  200  200",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
    ),
    "staff:checkin_rounds_standby": Row(
        _sides(lambda s: {"session_id": s.done_slot}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"person": "other@matrix.example"},
    ),
    "staff:checkin_rounds_standby_remove": Row(
        _sides(lambda s: {"session_id": s.done_slot, "standby_id": s.standby}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
    ),
    # walk-ins and the standby line: an empty form is refused with a message (302)
    "staff:checkin_walk_in": Row(
        _sides(lambda s: {"session_id": s.talk}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
    ),
    "staff:checkin_standby_left": Row(
        _sides(lambda s: {"session_id": s.talk}),
        GET={
            "pub": "log  403  403  403  403  403  405  405",
            "draft": "log  403  403  403  403  403  405  405",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
    ),
    # the talks start in 2030: the release (page and post) is refused with a message (302)
    "staff:checkin_release": Row(
        _sides(lambda s: {"session_id": s.talk}),
        GET={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        POST={
            "pub": "log  403  403  403  403  403  302  302",
            "draft": "log  403  403  403  403  403  302  302",
        },
        permission=DOOR,
        data=lambda w: {"confirm": "1"},
    ),
    # pages this project adds to admin
    "admin:events_session_roster": Row(
        _sides(lambda s: {"pk": s.talk}),
        GET={
            "pub": "log  log  log  log  log  403  200  200",
            "draft": "log  log  log  log  log  403  200  200",
        },
        POST={
            "pub": "log  log  log  log  log  405  405  405",
            "draft": "log  log  log  log  log  405  405  405",
        },
        permission=ROSTER,
    ),
    "admin:events_session_announce_email": Row(
        {"valid": lambda w: {"token": "x" * 22}, "forged": lambda w: {"token": "x1"}},
        GET={
            "valid": "log  log  log  log  log  403  404  404",
            "forged": "log  log  log  log  log  403  404  404",
        },
        POST={
            "valid": "log  log  log  log  log  403  404  404",
            "forged": "log  log  log  log  log  403  404  404",
        },
        permission=("events.change_session",),
    ),
}


# --- running it ---------------------------------------------------------------------------------


def answer(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        is_login = re.match(r"^(https?://[^/]+)?/(accounts|admin)/login/", location)
        return "log" if is_login else "302"
    return str(response.status_code)


class AuthorizationMatrix(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        for row in MATRIX.values():
            cls.world.holder(row.permission)

    def setUp(self):
        cache_clear()  # rate limits and cached pages start afresh for each row

    def client_for(self, role: str, row: Row) -> Client:
        client = Client()
        if role == "holder":
            client.force_login(self.world.holder(row.permission))
        elif role != "anonymous":
            client.force_login(self.world.users[role])
        return client

    def answers(self, name: str, row: Row) -> dict[tuple[str, str], str]:
        route = next(r for r in all_routes() if r.name == name)
        found = {}
        clients = {role: self.client_for(role, row) for role in ROLES}
        for side, paths in row.paths.items():
            path = route.path(paths(self.world))
            for method in ("GET", "POST"):
                codes = []
                for role in ROLES:
                    # A plain savepoint, not an atomic block: the views' durable entry
                    # points may not nest inside one (the test case's own block is allowed).
                    savepoint = transaction.savepoint()
                    try:
                        client = clients[role]
                        if method == "GET":
                            response = client.get(path)
                        else:
                            response = client.post(path, row.data(self.world))
                        codes.append(answer(response))
                    finally:
                        transaction.savepoint_rollback(savepoint)
                found[(side, method)] = " ".join(codes)
        return found

    def check(self, name: str) -> None:
        row = MATRIX[name]
        found = self.answers(name, row)
        expected = {
            (side, method): " ".join(getattr(row, method)[side].split())
            for side in row.paths
            for method in ("GET", "POST")
        }
        if os.environ.get("MATRIX_PRINT"):
            print(f"\n{name}")
            for (side, method), codes in found.items():
                print(f"  {side:6} {method:4} {codes}")
        wrong = {
            key: f"expected {expected[key]!r}, got {found[key]!r}"
            for key in expected
            if found[key] != expected[key]
        }
        assert wrong == {}, f"{name} ({' '.join(ROLES)})"


def _make_test(name: str):
    def test(self):
        self.check(name)

    test.__name__ = f"test_{name.replace(':', '__')}"
    return test


for _name in MATRIX:
    setattr(AuthorizationMatrix, _make_test(_name).__name__, _make_test(_name))


# --- the meta-test ------------------------------------------------------------------------------

# Admin's own object pages, made by ModelAdmin for every registered model and guarded by the
# model's permissions inside admin, and its catch-all patterns.
ADMIN_OWN = re.compile(
    r"^admin:(\w+_(change|delete|history)|\?|view_on_site|app_list|auth_user_password_change)$"
)


def test_every_url_pattern_with_a_path_parameter_has_a_row():
    with_parameters = {
        route.name
        for route in all_routes()
        if route.kwarg_names and not ADMIN_OWN.match(route.name)
    }
    assert with_parameters == set(MATRIX)
