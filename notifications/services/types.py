"""The shapes the outbox accepts from callers. It knows no other app's models: a person is
anything with a primary key, an address and a name (the project's `accounts.User`)."""

from __future__ import annotations

from typing import Any, Protocol

# What a row carries for its templates: plain JSON data, never model instances.
Context = dict[str, Any]


class Person(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    def get_full_name(self) -> str: ...


def user_column(person: Person | None) -> Any:
    """A person as the value of a `user` column: the column holds the project's user model,
    which the outbox never names (the type checker cannot see that they are the same)."""
    return person
