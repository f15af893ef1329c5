"""What other apps plug into delivery (in their `AppConfig.ready`), so that the outbox stays
free of their models: they hand it functions.

- context providers add details known only at send time to a row of one kind (the tables or
  rounds a reminder lists);
- send checks stop a row at send time (mail about a session that went back to draft). A check
  that names the context keys its answer depends on (`depends_on`) is asked once per distinct
  value within `SendChecks.MAX_AGE` seconds of a dispatcher run, instead of once per row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from .types import Context


@dataclass(frozen=True)
class Hold:
    """A send check's answer: the row is not sent now. It is looked at again at `until`
    (staying pending, `reason` shown as its error), or, with no `until`, cancelled for good
    with `reason` (what it is about will never be sendable)."""

    reason: str
    until: datetime | None = None


ContextProvider = Callable[[Context], Context]


class SendCheck(Protocol):
    def __call__(self, *, kind: str, category: str, context: Context) -> Hold | None: ...


_context_providers: dict[str, list[ContextProvider]] = {}
# Each check with the context keys its answer depends on (None: the whole context).
_send_checks: list[tuple[SendCheck, tuple[str, ...] | None]] = []


def register_context_provider(kind: str, provider: ContextProvider) -> None:
    _context_providers.setdefault(kind, []).append(provider)


def register_send_check(check: SendCheck, *, depends_on: Sequence[str] | None = None) -> None:
    """`depends_on`: the context keys (besides the row's kind and category) that the check's
    answer depends on, e.g. `("session_id",)`; a dispatcher then reuses an answer for rows
    that share them for up to `SendChecks.MAX_AGE` seconds."""
    if all(registered is not check for registered, _ in _send_checks):
        _send_checks.append((check, tuple(depends_on) if depends_on is not None else None))


def context_extra(*, kind: str, context: Context) -> Context:
    """What the providers registered for `kind` add to a row's context at send time."""
    extra: Context = {}
    for provider in _context_providers.get(kind, []):
        extra.update(provider(context))
    return extra


def send_hold(
    *, kind: str, category: str, context: Context, recent: SendChecks | None = None
) -> Hold | None:
    """The first send check that holds the row back, asked just before sending under the
    row's lock; None when every check lets it go. `recent`: a dispatcher's answers of the
    last moments, reused for checks that declared what they depend on."""
    for check, depends_on in _send_checks:
        if recent is not None and depends_on is not None:
            hold = recent.ask(check, depends_on, kind=kind, category=category, context=context)
        else:
            hold = check(kind=kind, category=category, context=context)
        if hold is not None:
            return hold
    return None


class SendChecks:
    """One dispatcher run's recent answers of send checks. A draft is a rare, deliberate
    staff action; the rows about one session that fall due together (everyone's reminder)
    need its answer once, not once each. An answer is reused for `MAX_AGE` seconds at most,
    so a session taken back to draft stops its mail within that time, mid-run too."""

    MAX_AGE = 1.0

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._answers: dict[tuple[Any, ...], tuple[float, Hold | None]] = {}

    def ask(
        self,
        check: SendCheck,
        depends_on: tuple[str, ...],
        *,
        kind: str,
        category: str,
        context: Context,
    ) -> Hold | None:
        values = json.dumps([context.get(key) for key in depends_on], sort_keys=True, default=str)
        key = (id(check), kind, category, values)
        now = self._clock()
        found = self._answers.get(key)
        if found is not None and now - found[0] <= self.MAX_AGE:
            return found[1]
        hold = check(kind=kind, category=category, context=context)
        self._answers[key] = (now, hold)
        return hold
