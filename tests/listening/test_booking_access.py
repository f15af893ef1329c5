"""Checks ROWS (matrix_booking_rows.py) against the real views: every role × GET and POST
on every booking URL and admin page, each request in a savepoint rolled back after it. A
meta-test fails when a booking URL or one of these admin pages has no row."""

from __future__ import annotations

import os
import re

from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

import listening.urls_booking
from listening.services.interviews import interview_book
from tests.conftest import cache_clear
from tests.factories import GroupPlaceFactory, UserFactory, staff_with
from tests.listening.booking_world import accepted, group, listening_event, slots
from tests.listening.matrix_booking_rows import ROLES, ROWS
from tests.security.routes import all_routes

BOOKING_MODELS = ("interviewslot", "interviewbooking", "belonginggroup", "groupplace")
ADMIN_OWN = re.compile(r"_(delete|history)$")


def answer(response) -> str:
    if response.status_code in (301, 302):
        is_login = re.match(r"^(https?://[^/]+)?/(accounts|admin)/login/", response["Location"])
        return "log" if is_login else "302"
    return str(response.status_code)


def _build():
    event = listening_event()
    facilitator = UserFactory(name="Dr. Fay Facilitator", email="fay@matrix.example")
    other_facilitator = UserFactory(name="Dr. Gus Other", email="gus@matrix.example")
    requester = accepted(event, formats=["interview", "group"])
    mine = slots(event, facilitator, count=2)
    slots(event, other_facilitator, count=1, day=7)
    booking = interview_book(slot_id=mine[0].pk, user=requester)
    placed = group(event, facilitator=facilitator)
    GroupPlaceFactory(group=placed, user=requester)
    open_group = group(event, facilitator=other_facilitator)
    users = {
        "requester": requester,
        "other_member": UserFactory(),
        "facilitator": facilitator,
        "other_facilitator": other_facilitator,
        "staff_no_perm": UserFactory(is_staff=True),
        "superuser_no_perm": UserFactory(is_staff=True, is_superuser=True),
        "reviewer": staff_with("listening.review_requests"),
    }
    values = {
        "slot_id": mine[1].pk,
        "group_id": open_group.pk,
        "booking_id": booking.pk,
    }
    objects = {
        "interviewslot": mine[1].pk,
        "interviewbooking": booking.pk,
        "belonginggroup": open_group.pk,
        "groupplace": placed.places.get().pk,
    }
    return users, values, objects


def _path(name: str, values: dict, objects: dict) -> str:
    route = next(r for r in all_routes() if r.name == name)
    if name.startswith("admin:") and "object_id" in route.kwarg_names:
        model = name.removeprefix("admin:listening_").rsplit("_", 1)[0]
        return reverse(name, args=[objects[model]])
    return route.path({k: v for k, v in values.items() if k in route.kwarg_names})


class BookingAccess(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users, cls.values, cls.objects = _build()

    def setUp(self):
        cache_clear()

    def found(self, name: str) -> dict[str, tuple[str, str]]:
        path = _path(name, self.values, self.objects)
        result = {}
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(self.users[role])
            codes = []
            for method in ("get", "post"):
                savepoint = transaction.savepoint()
                try:
                    codes.append(answer(getattr(client, method)(path)))
                finally:
                    transaction.savepoint_rollback(savepoint)
            result[role] = tuple(codes)
        return result

    def check(self, name: str) -> None:
        found = self.found(name)
        if os.environ.get("MATRIX_PRINT"):
            print(name, " / ".join(f"{r}={g},{p}" for r, (g, p) in found.items()))
        wrong = {
            r: f"expected {ROWS[name][r]}, got {found[r]}"
            for r in ROLES
            if found[r] != ROWS[name][r]
        }
        assert wrong == {}, name


def _make(name: str):
    def test(self):
        self.check(name)

    test.__name__ = "test_" + re.sub(r"\W+", "_", name)
    return test


for _name in ROWS:
    setattr(BookingAccess, _make(_name).__name__, _make(_name))


def test_every_booking_url_and_admin_page_has_a_row():
    booking_urls = {f"listening:{p.name}" for p in listening.urls_booking.urlpatterns}
    admin_pages = {
        route.name
        for route in all_routes()
        if route.name.startswith(tuple(f"admin:listening_{m}_" for m in BOOKING_MODELS))
        and not ADMIN_OWN.search(route.name)
    }
    assert booking_urls | admin_pages == set(ROWS)
