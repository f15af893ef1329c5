"""What other apps plug into delivery (in their `AppConfig.ready`), so that the outbox stays
free of their models: they hand it functions.

- context providers add details known only at send time to a row of one kind (the tables or
  rounds a reminder lists);
- send checks stop a row at send time (mail about a session that went back to draft).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
_send_checks: list[SendCheck] = []


def register_context_provider(kind: str, provider: ContextProvider) -> None:
    _context_providers.setdefault(kind, []).append(provider)


def register_send_check(check: SendCheck) -> None:
    if check not in _send_checks:
        _send_checks.append(check)


def context_extra(*, kind: str, context: Context) -> Context:
    """What the providers registered for `kind` add to a row's context at send time."""
    extra: Context = {}
    for provider in _context_providers.get(kind, []):
        extra.update(provider(context))
    return extra


def send_hold(*, kind: str, category: str, context: Context) -> Hold | None:
    """The first send check that holds the row back, asked just before sending under the
    row's lock; None when every check lets it go."""
    for check in _send_checks:
        hold = check(kind=kind, category=category, context=context)
        if hold is not None:
            return hold
    return None
