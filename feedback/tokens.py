"""The signed link in a feedback email: it names one session and one person, so the page it
opens needs no login. Its own salt keeps it from being swapped with any other signed value of
the site (an unsubscribe token, a session cookie)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "feedback.session-feedback"
# Long enough to answer after the meeting's travel home; short enough that an old email
# found months later is not a way in.
MAX_AGE = timedelta(days=30)


class FeedbackLinkInvalid(Exception):
    """Tampered with, truncated, or never made by this site."""


class FeedbackLinkExpired(Exception):
    """Made by this site, but more than MAX_AGE ago."""


def feedback_token(*, session_id: int, user_id: int) -> str:
    return signing.dumps({"s": session_id, "u": user_id}, salt=SALT, compress=False)


def feedback_token_read(*, token: str) -> tuple[int, int]:
    """(session_id, user_id) of a genuine, unexpired token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise FeedbackLinkExpired from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise FeedbackLinkInvalid from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("s"), int)
        or not isinstance(data.get("u"), int)
    ):
        raise FeedbackLinkInvalid
    return data["s"], data["u"]
