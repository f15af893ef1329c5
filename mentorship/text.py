"""Counts in words people read: "1 trainee", "2 trainees", "1 person", "3 people"."""

PLURALS = {"person": "people", "person is": "people are", "trainee has": "trainees have"}


def counted(number: int, singular: str, plural: str = "") -> str:
    if number == 1:
        return f"{number} {singular}"
    return f"{number} {plural or PLURALS.get(singular) or singular + 's'}"
