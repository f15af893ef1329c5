"""What a failed send means for its row: pure rules, no Django, no database.

An outage (the server, or our account on it, is the problem) is retried until the server is
back and never fails the row; a permanent refusal fails it at once; anything else is retried
with backoff until `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

MAX_ATTEMPTS = 8  # per-message temporary refusals (4xx) before the row fails for good
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
OUTAGE_RETRY_MAX = timedelta(minutes=10)


@dataclass(frozen=True)
class Decision:
    """`outage`: due again after `delay`, and the dispatcher stops its run; `retry`: due again
    after `delay`; `failed`: never tried again."""

    outcome: Literal["outage", "retry", "failed"]
    delay: timedelta | None = None


def is_outage(exc: BaseException) -> bool:
    """The server (or our account on it) is the problem, not this message: every row would
    fail the same way, so stop and retry later without failing anything."""
    return isinstance(
        exc,
        (
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            smtplib.SMTPHeloError,
            smtplib.SMTPAuthenticationError,
            smtplib.SMTPSenderRefused,
        ),
    ) or (isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException))


def is_permanent(exc: BaseException) -> bool:
    """This message can never be delivered: an invalid or refused address, rejected content."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)  # Django refuses malformed addresses and headers


def after_error(exc: BaseException, *, attempts: int) -> Decision:
    """What to do with a row whose send raised `exc` on its `attempts`-th attempt."""
    if is_outage(exc):
        # Not the message's fault: retried until the server is back, never failed for it.
        return Decision("outage", min(RETRY_BASE * 2 ** min(attempts - 1, 10), OUTAGE_RETRY_MAX))
    if is_permanent(exc) or attempts >= MAX_ATTEMPTS:
        return Decision("failed")
    return Decision("retry", min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX))


def describe(exc: BaseException) -> str:
    """The error as the row records it (kept short enough for the column)."""
    return f"{type(exc).__name__}: {exc}"[:2000]
