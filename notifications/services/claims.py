"""How delivery holds a due row while it sends it, so that nothing is sent twice.

Every row is sent in a transaction of its own: the row is locked (`SELECT … FOR UPDATE SKIP
LOCKED`, still pending and due), checked, sent, and its outcome written and committed right
after the server's answer. A second dispatcher skips a locked row and finds a sent one no
longer pending; a cancellation, a re-timing or a merge into the row waits for the lock and
then sees the outcome. A worker killed mid-send leaves its transaction uncommitted: the row
is pending again as soon as PostgreSQL notices the dead connection. At most the message in
flight can go out twice after a crash, with the same Message-ID.

Two ways to run those transactions, with the same guarantee:

- `AtomicClaims` (any database): a Django transaction per row; claiming, writing the outcome
  and committing are separate round trips to the database.
- `PipelinedClaims` (PostgreSQL): the statement that writes a row's outcome also commits that
  transaction, begins the next row's and locks the next row, so a message costs one round
  trip to the database besides the SMTP exchange. Between the server's "250" and the commit
  nothing runs but this process's own bookkeeping (no other I/O), as with `AtomicClaims`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from ..models import Notification, NotificationPreference

Status = Notification.Status


@dataclass
class Claimed:
    """A row held under its lock, with what the checks at send time need."""

    notification: Notification
    reminders_enabled: bool  # the person's preference as it is now (no row: on)


class Claims(Protocol):
    def candidates(self, *, now: datetime, limit: int) -> list[int]:
        """Ids of due rows, oldest first (a plain read: the claim itself decides)."""

    def claim(self, notification_id: int) -> contextlib.AbstractContextManager[Claimed | None]:
        """The row under its lock for the duration of the block, or None when it was sent
        meanwhile, is not due, or another dispatcher holds it."""

    def save(self, notification: Notification, fields: Sequence[str]) -> None:
        """Writes the claimed row's outcome; it is committed when the claim ends (atomic) or
        with the next statement (pipelined), before any other I/O."""


def claimable() -> QuerySet[Notification]:
    # of=("self",): lock only the outbox row; the joins are read for rendering.
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "user__notification_preference")
        .filter(status=Status.PENDING, sent_at__isnull=True, due_at__lte=timezone.now())
    )


def reminders_enabled(notification: Notification) -> bool:
    """The preference select_related joined to the row; no saved preference means on."""
    if notification.user is None:
        return True
    try:
        return notification.user.notification_preference.reminders_enabled
    except NotificationPreference.DoesNotExist:
        return True


def candidates_query(*, now: datetime, limit: int) -> QuerySet[Notification, int]:
    # Candidates first (a plain ordered read), then a claim by primary key: the claim stays
    # an index lookup whatever the planner thinks of the due set.
    return (
        Notification.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


class AtomicClaims:
    """One Django transaction per row; works on every database Django supports."""

    def candidates(self, *, now: datetime, limit: int) -> list[int]:
        return list(candidates_query(now=now, limit=limit))

    @contextlib.contextmanager
    def claim(self, notification_id: int) -> Iterator[Claimed | None]:
        with transaction.atomic():
            notification = claimable().filter(pk=notification_id).first()
            yield (
                None
                if notification is None
                else Claimed(notification, reminders_enabled(notification))
            )

    def save(self, notification: Notification, fields: Sequence[str]) -> None:
        notification.save(update_fields=list(fields))


@contextlib.contextmanager
def claims_for_dispatch() -> Iterator[Claims]:
    """The fastest claims this database allows, for a dispatcher run."""
    if not pipelining_possible():
        yield AtomicClaims()
        return
    # Django sees one transaction for the whole run (so nested `atomic` blocks in send checks
    # and context providers become savepoints); PostgreSQL sees one per row.
    with transaction.atomic():
        claims = PipelinedClaims()
        try:
            yield claims
        except BaseException:
            # Keep an outcome already written for a message the server accepted, if the
            # connection still can: it is what tells the next run not to send it again.
            with contextlib.suppress(Exception):
                claims.flush()
            raise
        claims.flush()


def pipelining_possible() -> bool:
    """PostgreSQL, outside any transaction of the caller's (its COMMITs would commit the
    caller's work too), with psycopg's client-side binding, Django's default, which allows
    several statements in one call (the `server_side_binding` option turns it off)."""
    options = connection.settings_dict.get("OPTIONS") or {}
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not options.get("server_side_binding")
    )


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    field: Any = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return connection.ops.quote_name(field.column)


def _columns(model: type[Model], alias: str) -> tuple[list[Any], str]:
    fields: list[Any] = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    return fields, ", ".join(f"{alias}.{quote(field.column)}" for field in fields)


def _instance(model: type[Model], fields: list[Any], values: Sequence[Any]) -> Any:
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


class PipelinedClaims:
    """PostgreSQL: each row in a transaction of its own, like `AtomicClaims`, with the writes
    of one row, its COMMIT, the BEGIN of the next row's transaction and the next claim sent
    as one call (several statements, client-side binding), answered in one round trip.

    Use it only inside `claims_for_dispatch`: Django holds one outer transaction open, and
    these statements commit and begin PostgreSQL's transactions inside it."""

    def __init__(self) -> None:
        user_model: Any = Notification._meta.get_field("user").related_model
        self._user_model = user_model
        self._fields, notification_columns = _columns(Notification, "n")
        self._user_fields, user_columns = _columns(user_model, "u")
        self._table = _table(Notification)
        self._pk = _column(Notification, "id")
        user_id = _column(Notification, "user")
        # Model metadata only in the text; every value is a bound parameter.
        self._claim_sql = (
            f"SELECT {notification_columns}, {user_columns}, "  # noqa: S608
            f"p.{_column(NotificationPreference, 'reminders_enabled')} "
            f"FROM {self._table} n "
            f"LEFT JOIN {_table(user_model)} u ON u.{_column(user_model, 'pk')} = n.{user_id} "
            f"LEFT JOIN {_table(NotificationPreference)} p "
            f"ON p.{_column(NotificationPreference, 'user')} = n.{user_id} "
            f"WHERE n.{self._pk} = %s AND n.{_column(Notification, 'status')} = %s "
            f"AND n.{_column(Notification, 'sent_at')} IS NULL "
            f"AND n.{_column(Notification, 'due_at')} <= %s "
            "FOR UPDATE OF n SKIP LOCKED"
        )
        self._pending: tuple[str, list[Any]] | None = None

    def candidates(self, *, now: datetime, limit: int) -> list[int]:
        sql, params = candidates_query(now=now, limit=limit).query.sql_with_params()
        return [row[0] for row in self._run(sql, list(params))]

    @contextlib.contextmanager
    def claim(self, notification_id: int) -> Iterator[Claimed | None]:
        rows = self._run(self._claim_sql, [notification_id, Status.PENDING, timezone.now()])
        yield self._claimed(rows[0]) if rows else None

    def save(self, notification: Notification, fields: Sequence[str]) -> None:
        assigned = ", ".join(f"{_column(Notification, name)} = %s" for name in fields)
        params: list[Any] = [
            Notification._meta.get_field(name).get_db_prep_save(  # type: ignore[union-attr]
                getattr(notification, name), connection
            )
            for name in fields
        ]
        # Model metadata only in the text; every value is a bound parameter.
        sql = f"UPDATE {self._table} SET {assigned} WHERE {self._pk} = %s"  # noqa: S608
        self._pending = (sql, [*params, notification.pk])

    def flush(self) -> None:
        """Writes and commits what `save` holds (the end of a run)."""
        if self._pending is not None:
            self._run("SELECT 1", [])

    def _run(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        # COMMIT ends the previous row's transaction (its outcome, its lock); BEGIN opens the
        # one this statement runs in.
        write, write_params = self._pending or ("", [])
        self._pending = None
        prefix = f"{write}; COMMIT; BEGIN; " if write else "COMMIT; BEGIN; "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, write_params + params)
            while cursor.nextset():
                pass
            return cursor.fetchall()

    def _claimed(self, row: Sequence[Any]) -> Claimed:
        count = len(self._fields)
        notification = _instance(Notification, self._fields, row[:count])
        user_values = row[count : count + len(self._user_fields)]
        if user_values[0] is not None:
            notification.user = _instance(self._user_model, self._user_fields, user_values)
        enabled = row[-1]
        return Claimed(notification, reminders_enabled=enabled is None or bool(enabled))
