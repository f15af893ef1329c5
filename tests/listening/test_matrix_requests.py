"""Who may open what: every listening URL of the requests part and the listening admin pages
× every role × GET and POST, with the answer each must get.

Roles (columns, in this order): anonymous · requester (has a waiting request) · other (another
member) · facilitator (named on an interview slot) · staff (is_staff, no permission) ·
superuser (without the permission: it sees nothing) · reviewer (staff holding
listening.review_requests).

Answers: 200 · 302 (a redirect that is not to a login page) · log (to a login page) · 400 ·
403 · 404 · 405. Each request runs in a savepoint rolled back after it, so one cell's POST
never changes what the next sees. The meta-test fails when a listening URL has no row here
or in tests/listening/matrix_booking_rows.py (the interviews and groups part)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.factories import InterviewSlotFactory, ListeningRequestFactory, UserFactory
from tests.listening.conftest import listening_sessions, make_reviewer, request_data
from tests.security.routes import all_routes

ROLES = ["anonymous", "requester", "other", "facilitator", "staff", "superuser", "reviewer"]


@dataclass
class Row:
    path: Callable[[SimpleNamespace], str]
    GET: str
    POST: str
    data: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})


def _admin(name: str, *args) -> Callable[[SimpleNamespace], str]:
    return lambda w: reverse(f"admin:{name}", args=[a(w) if callable(a) else a for a in args])


#                               anonymous requester other facilitator staff superuser reviewer
ROWS: dict[str, Row] = {
    "listening:index": Row(
        lambda w: reverse("listening:index"),
        GET="200  200  200  200  200  200  200",
        POST="log  302  302  302  302  302  302",
        data=lambda w: request_data(),
    ),
    "listening:withdraw": Row(
        lambda w: reverse("listening:withdraw"),
        GET="log  405  405  405  405  405  405",
        POST="log  302  302  302  302  302  302",
    ),
    "listening:report": Row(
        lambda w: reverse("listening:report"),
        GET="log  403  403  403  403  403  200",
        POST="log  405  405  405  405  405  405",
    ),
    "listening:report_csv": Row(
        lambda w: reverse("listening:report_csv"),
        GET="log  403  403  403  403  403  200",
        POST="log  405  405  405  405  405  405",
    ),
    # the listening admin pages of the requests part
    "admin:app_list listening": Row(
        lambda w: reverse("admin:app_list", kwargs={"app_label": "listening"}),
        GET="log  log  log  log  404  404  200",
        POST="log  log  log  log  404  404  200",
    ),
    "admin:listening_listeningrequest_changelist": Row(
        _admin("listening_listeningrequest_changelist"),
        GET="log  log  log  log  403  403  200",
        POST="log  log  log  log  403  403  200",  # the confirmation step
        data=lambda w: {"action": "accept_requests", "_selected_action": [w.request]},
    ),
    "admin:listening_listeningrequest_change": Row(
        _admin("listening_listeningrequest_change", lambda w: w.request),
        GET="log  log  log  log  403  403  200",
        POST="log  log  log  log  403  403  403",
    ),
    "admin:listening_listeningrequest_add": Row(
        _admin("listening_listeningrequest_add"),
        GET="log  log  log  log  403  403  403",
        POST="log  log  log  log  403  403  403",
    ),
    "admin:listening_listeningrequest_delete": Row(
        _admin("listening_listeningrequest_delete", lambda w: w.request),
        GET="log  log  log  log  403  403  403",
        POST="log  log  log  log  403  403  403",
    ),
    "admin:listening_listeningrequest_history": Row(
        _admin("listening_listeningrequest_history", lambda w: w.request),
        GET="log  log  log  log  403  403  200",
        POST="log  log  log  log  403  403  200",
    ),
    "admin:listening_reviewlogentry_changelist": Row(
        _admin("listening_reviewlogentry_changelist"),
        GET="log  log  log  log  403  403  200",
        POST="log  log  log  log  403  403  200",
    ),
    "admin:listening_reviewlogentry_change": Row(
        _admin("listening_reviewlogentry_change", lambda w: w.log),
        GET="log  log  log  log  403  403  200",
        POST="log  log  log  log  403  403  403",
    ),
}


def answer(response) -> str:
    if response.status_code in (301, 302):
        is_login = re.match(r"^(https?://[^/]+)?/(accounts|admin)/login/", response["Location"])
        return "log" if is_login else "302"
    return str(response.status_code)


@pytest.fixture
def world(event) -> SimpleNamespace:
    listening_sessions(event)
    requester = UserFactory(name="Rae Requester")
    request = ListeningRequestFactory(event=event, user=requester)
    facilitator = UserFactory(name="Fay Facilitator")
    InterviewSlotFactory(event=event, facilitator=facilitator)
    users = {
        "requester": requester,
        "other": UserFactory(),
        "facilitator": facilitator,
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "reviewer": make_reviewer(),
    }
    log = request.log.create(actor=users["reviewer"], action="submitted")
    return SimpleNamespace(users=users, request=request.pk, log=log.pk)


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled_deliveries")
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", list(ROWS))
def test_matrix(world, name, method):
    row = ROWS[name]
    path = row.path(world)
    codes = []
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        savepoint = transaction.savepoint()
        try:
            response = client.get(path) if method == "GET" else client.post(path, row.data(world))
            codes.append(answer(response))
        finally:
            transaction.savepoint_rollback(savepoint)
    assert " ".join(codes) == " ".join(getattr(row, method).split()), f"{name} {ROLES}"


def _row_names() -> set[str]:
    names = set(ROWS)
    try:
        booking = importlib.import_module("tests.listening.matrix_booking_rows")
    except ModuleNotFoundError:
        return names
    rows = booking.ROWS
    for row in rows.items() if isinstance(rows, dict) else rows:
        key = row[0] if isinstance(row, tuple) else getattr(row, "name", row)
        names.add(str(key))
    return names


def test_every_listening_url_has_a_row():
    listening = {route.name for route in all_routes() if route.name.startswith("listening:")}
    assert listening - _row_names() == set()
