"""Send checks asked by a dispatcher run: a check that names what its answer depends on is
asked once per value for a short while, not once per row."""

from notifications.services import Hold
from notifications.services.hooks import SendChecks


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting_check():
    asked: list[object] = []

    def check(*, kind, category, context):
        asked.append(context.get("session_id"))
        return Hold("held") if context.get("session_id") == 2 else None

    return check, asked


def ask(recent, check, context, *, category="reminder"):
    return recent.ask(
        check, ("session_id",), kind="session_reminder", category=category, context=context
    )


def test_a_check_is_asked_once_per_session_while_its_answer_is_fresh():
    clock = Clock()
    recent = SendChecks(clock=clock)
    check, asked = counting_check()

    answers = [
        ask(recent, check, {"session_id": session, "registration_id": n})
        for n, session in enumerate([1, 2, 1, 2, 1])
    ]

    assert answers == [None, Hold("held"), None, Hold("held"), None]
    assert asked == [1, 2]


def test_a_check_is_asked_again_once_its_answer_is_older_than_max_age():
    clock = Clock()
    recent = SendChecks(clock=clock)
    check, asked = counting_check()

    ask(recent, check, {"session_id": 1})
    clock.now += SendChecks.MAX_AGE  # still fresh at exactly MAX_AGE
    ask(recent, check, {"session_id": 1})
    clock.now += 0.01
    ask(recent, check, {"session_id": 1})

    assert asked == [1, 1]


def test_answers_are_kept_apart_per_category():
    recent = SendChecks(clock=Clock())
    check, asked = counting_check()

    ask(recent, check, {"session_id": 1}, category="reminder")
    ask(recent, check, {"session_id": 1}, category="announcement")

    assert asked == [1, 1]
