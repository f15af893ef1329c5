"""The session change form's checks before saving: the program rules (`rules.py`), the
capacity choices staff make, and the confirmation step before a move that touches people.

Each problem is a message on the form and nothing is saved. A move of a published session
with registrants is shown first (how many people, who would now have a clash and with what)
and saved only once staff tick the confirmation for that same move.
"""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .admin_forms import SessionAdminForm
from .admin_time import session_when
from .models import Registration, Session
from .rules import (
    capacity_above_room_problem,
    capacity_below_seated_problem,
    session_is_public,
    session_schedule_problems,
)
from .selectors import session_move_impact

CHECK_FIELDS = ("capacity_override", "release_overflow", "confirm_move", "move_seen")


class SessionChecksMixin(forms.Form):
    capacity_override = forms.BooleanField(
        label="Allow more seats than the room holds",
        required=False,
        help_text="Tick when the room really takes more people than its recorded capacity.",
    )
    release_overflow = forms.BooleanField(
        label="Move the latest confirmed people back to the waitlist",
        required=False,
        help_text="Only when the new capacity is below the seats already taken: the people "
        "who registered last go back to the top of the waitlist and are told by email.",
    )
    confirm_move = forms.BooleanField(
        label="Move it: I have read who it affects",
        required=False,
        help_text="Asked only when a new time or room touches people who registered.",
    )
    move_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def _candidate(self) -> Session:
        """The session as it would be saved (the instance is updated only after clean)."""
        candidate = copy.copy(self.instance)
        for name in ("event", "starts_at", "ends_at", "room", "capacity", "registration_mode"):
            if name in self.cleaned_data:
                setattr(candidate, name, self.cleaned_data[name])
        candidate.speakers = self.cleaned_data.get("speakers") or []
        return candidate

    def _problem(self, field: str | None, message: str) -> None:
        errors = self.errors.get(field or NON_FIELD_ERRORS, [])
        if message not in errors:
            self.add_error(field, message)

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("event") is None:
            return cleaned
        candidate = self._candidate()
        for field, problems in session_schedule_problems(session=candidate).items():
            for message in problems:
                self._problem(field, message)
        above = capacity_above_room_problem(session=candidate)
        if above and not cleaned.get("capacity_override"):
            self._problem("capacity", above)
        if self.instance.pk is None or self.errors:
            return cleaned
        confirmed = Registration.objects.confirmed().filter(session=self.instance).count()
        below = capacity_below_seated_problem(session=candidate, confirmed=confirmed)
        if below and not cleaned.get("release_overflow"):
            self._problem("capacity", below)
        if not self.errors:
            self._confirm_move(candidate)
        return cleaned

    def _confirm_move(self, candidate: Session) -> None:
        saved = Session.objects.select_related("event", "room").get(pk=self.instance.pk)
        if (saved.starts_at, saved.ends_at, saved.room_id) == (
            candidate.starts_at,
            candidate.ends_at,
            candidate.room_id,
        ) or not session_is_public(saved):
            return
        impact = session_move_impact(
            session=saved, starts_at=candidate.starts_at, ends_at=candidate.ends_at
        )
        if not impact.registrants:
            return
        move = (
            f"{candidate.starts_at.isoformat()}|{candidate.ends_at.isoformat()}|{candidate.room_id}"
        )
        if self.cleaned_data.get("confirm_move") and self.cleaned_data.get("move_seen") == move:
            return
        # The page shown again remembers which move was shown: a tick confirms that one only.
        self.data = self.data.copy()
        self.data["move_seen"] = move
        self.data.pop("confirm_move", None)
        self.move_impact = impact
        room = candidate.room.name if candidate.room else "no room"
        lines = [
            f"Check before moving: {impact.registrants} "
            f"{'person holds' if impact.registrants == 1 else 'people hold'} a place "
            f"({impact.confirmed} with a seat, {impact.waitlisted} waiting). The new time is "
            f"{session_when(candidate)} in {room}; each is told by email a few minutes after "
            "saving.",
        ]
        if impact.clashes:
            lines.append(f"{len({user.pk for user, _ in impact.clashes})} would now have a clash:")
            lines += [
                f"{user.email} ({user.name or 'no name'}) also holds a seat in “{other.title}” "
                f"({session_when(other)})."
                for user, other in impact.clashes
            ]
        else:
            lines.append("Nobody would have a clash.")
        lines.append("Tick “Move it: I have read who it affects” and save again to move it.")
        raise ValidationError(lines, code="confirm_move")


class SessionCheckedForm(SessionChecksMixin, SessionAdminForm):
    """The session change form with the checks before saving."""
