"""Row locks, in one place and one order (as pretix's `services/locking.py`).

Every write that counts seats or checks a person's clashes holds locks taken here, in this
order: session rows first (in primary-key order, so two transactions never wait on each
other in a circle), then user rows. The session row lock serialises check-and-insert for its
seats (the lunch's table seats and a Blood Buddies slot hang on their session row too); the
user row lock serialises one person's clash checks across sessions. On SQLite every write
transaction is IMMEDIATE, which serialises everything and makes these locks no-ops.

Under extreme load a transaction gives up waiting after `LOCK_TIMEOUT`: PostgreSQL raises
`OperationalError`, which `config.middleware` answers with "busy, try again" (HTTP 503)
rather than a request that hangs until the proxy kills it.
"""

from django.db import connection

from accounts.models import User

from ..models import Session

LOCK_TIMEOUT = "5s"


class LockOutsideTransaction(RuntimeError):
    """A lock asked for outside a transaction would be released at once: a programming error."""


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise LockOutsideTransaction("row locks are taken inside transaction.atomic()")


def sessions_lock(*sessions: Session | int) -> list[Session]:
    """Locks the sessions' rows (given as sessions or ids) in primary-key order and returns
    them fresh, with event and room, in the order given. Sets the lock timeout first."""
    _require_transaction()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    ids = [s if isinstance(s, int) else s.pk for s in sessions]
    locked = {
        s.pk: s
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the room join.
        for s in Session.objects.select_for_update(of=("self",))
        .select_related("event", "room")
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
    }
    return [locked[pk] for pk in ids]


def user_lock(user: User) -> User:
    """Locks one person's row: take it after the session rows."""
    _require_transaction()
    return User.objects.select_for_update().get(pk=user.pk)
