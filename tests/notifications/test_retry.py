"""The pure rules for what a failed send means for its row (notifications/services/retry.py).
Delivery over real SMTP applies them (test_outbox.py); here each rule on its own."""

import smtplib
from datetime import timedelta

import pytest

from notifications.services.retry import (
    MAX_ATTEMPTS,
    OUTAGE_RETRY_MAX,
    RETRY_MAX,
    Decision,
    after_error,
    describe,
)

REFUSED_TEMPORARILY = smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"try later")})
REFUSED_FOR_GOOD = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPSenderRefused(553, b"sender refused", "noreply@example.org"),
    ],
)
def test_a_server_problem_is_an_outage_never_a_failure_however_many_attempts(exc):
    assert after_error(exc, attempts=MAX_ATTEMPTS + 5).outcome == "outage"


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [(1, timedelta(seconds=30)), (2, timedelta(seconds=60)), (5, timedelta(minutes=8))],
)
def test_an_outage_backs_off_doubling_from_30_seconds(attempts, delay):
    assert after_error(OSError("down"), attempts=attempts) == Decision("outage", delay)


def test_an_outage_backs_off_at_most_10_minutes():
    assert after_error(OSError("down"), attempts=20).delay == OUTAGE_RETRY_MAX


@pytest.mark.parametrize(
    "exc",
    [
        REFUSED_FOR_GOOD,
        smtplib.SMTPDataError(554, b"rejected content"),
        ValueError("Header values may not contain linefeed or carriage return characters"),
    ],
)
def test_a_permanent_refusal_fails_the_row_at_the_first_attempt(exc):
    assert after_error(exc, attempts=1) == Decision("failed")


def test_a_temporary_refusal_is_retried_with_backoff_until_the_last_attempt():
    assert after_error(REFUSED_TEMPORARILY, attempts=1) == Decision("retry", timedelta(seconds=30))
    assert after_error(REFUSED_TEMPORARILY, attempts=MAX_ATTEMPTS - 1) == Decision(
        "retry", min(timedelta(seconds=30) * 2 ** (MAX_ATTEMPTS - 2), RETRY_MAX)
    )
    assert after_error(REFUSED_TEMPORARILY, attempts=MAX_ATTEMPTS) == Decision("failed")


def test_a_refusal_of_some_recipients_for_good_and_some_for_now_is_retried():
    mixed = smtplib.SMTPRecipientsRefused(
        {"a@example.org": (550, b"no such user"), "b@example.org": (451, b"try later")}
    )

    assert after_error(mixed, attempts=1).outcome == "retry"


def test_the_recorded_error_names_the_exception_and_is_cut_to_the_column():
    assert describe(smtplib.SMTPDataError(554, b"no")) == "SMTPDataError: (554, b'no')"
    assert len(describe(ValueError("x" * 5000))) == 2000
