"""Subscriptions in PostgreSQL: the rules of `bot.store.subscriptions`, shared by processes.

The statements are the SQLite store's, in PostgreSQL's dialect (``%s`` parameters,
``BOOLEAN`` active, no ``UPDATE OR IGNORE``). Each change runs in one transaction, and
whatever stops a subscription cancels its open deliveries in that same transaction, so no
process can send to a chat that left once the stop has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.directives.filters import Filters
from bot.store.backends import SubscriptionBackend
from bot.store.postgres import PgDatabase
from bot.store.subscriptions import Reason, Subscription

if TYPE_CHECKING:
    import psycopg

__all__ = ["PgSubscriptionStore", "pg_cancel_open_deliveries"]

_COLUMNS = ("chat_id, chat_type, title, thread_id, kinds, keywords, active, strikes, reason, "
            "updated_at")


def _subscription(row: tuple[Any, ...]) -> Subscription:
    chat_id, chat_type, title, thread_id, kinds, keywords, active, strikes, reason, at = row
    return Subscription(chat_id, chat_type, title, thread_id, Filters.from_json(kinds, keywords),
                        bool(active), strikes, reason, at)


def _get(conn: psycopg.Connection[Any], chat_id: int) -> Subscription | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = %s",  # noqa: S608 - constant
        (chat_id,)).fetchone()
    return None if row is None else _subscription(tuple(row))


def pg_cancel_open_deliveries(conn: psycopg.Connection[Any], chat_id: int, why: str) -> int:
    """Cancel the chat's deliveries not sent yet (inside the caller's transaction)."""
    return conn.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = %s "
        "WHERE chat_id = %s AND status IN ('pending', 'sending')", (why, chat_id)).rowcount


def _utcnow() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


class PgSubscriptionStore(SubscriptionBackend):
    """Subscriptions in PostgreSQL; ``a``-prefixed methods run off the loop."""

    def __init__(self, database: PgDatabase,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        """Store in `database`; `clock` gives aware "now"."""
        self._db = database
        self._clock = clock

    def subscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None,
                  filters: Filters | None) -> Subscription:
        """Start (or restart, or change) the chat's subscription; `filters` None keeps the
        chat's earlier filters."""
        now = self._clock().isoformat()

        def upsert(conn: psycopg.Connection[Any]) -> Subscription:
            # FOR UPDATE: two processes subscribing one chat at once take turns, so the
            # filters kept are those of one of them, not a mix.
            row = conn.execute(f"SELECT {_COLUMNS} FROM subscriptions "  # noqa: S608
                               "WHERE chat_id = %s FOR UPDATE", (chat_id,)).fetchone()
            old = None if row is None else _subscription(tuple(row))
            chosen = filters if filters is not None else (old.filters if old else Filters())
            conn.execute(
                "INSERT INTO subscriptions (chat_id, chat_type, title, thread_id, kinds, "
                "keywords, active, strikes, reason, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, TRUE, 0, NULL, %s, %s) "
                "ON CONFLICT (chat_id) DO UPDATE SET chat_type = EXCLUDED.chat_type, "
                "title = EXCLUDED.title, thread_id = EXCLUDED.thread_id, "
                "kinds = EXCLUDED.kinds, keywords = EXCLUDED.keywords, active = TRUE, "
                "strikes = 0, reason = NULL, updated_at = EXCLUDED.updated_at",
                (chat_id, chat_type, title, thread_id, chosen.kinds_json(),
                 chosen.keywords_json(), now, now))
            result = _get(conn, chat_id)
            if result is None:
                raise RuntimeError(f"subscription of chat {chat_id} vanished while written")
            return result

        return self._db.write(upsert)

    def set_filters(self, chat_id: int, filters: Filters) -> Subscription | None:
        """Change an existing subscription's filters (None when the chat has none)."""
        now = self._clock().isoformat()

        def update(conn: psycopg.Connection[Any]) -> Subscription | None:
            conn.execute(
                "UPDATE subscriptions SET kinds = %s, keywords = %s, updated_at = %s "
                "WHERE chat_id = %s",
                (filters.kinds_json(), filters.keywords_json(), now, chat_id))
            return _get(conn, chat_id)

        return self._db.write(update)

    def deactivate(self, chat_id: int, reason: str) -> bool:
        """Stop the chat's subscription; True when it was active."""
        now = self._clock().isoformat()

        def stop(conn: psycopg.Connection[Any]) -> bool:
            changed = conn.execute(
                "UPDATE subscriptions SET active = FALSE, reason = %s, updated_at = %s "
                "WHERE chat_id = %s AND active", (reason, now, chat_id)).rowcount
            pg_cancel_open_deliveries(conn, chat_id, reason)
            return bool(changed)

        return self._db.write(stop)

    def reactivate(self, chat_id: int, reason: str) -> bool:
        """Restart a subscription that was stopped for `reason` only (e.g. an unblock)."""
        now = self._clock().isoformat()
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE subscriptions SET active = TRUE, reason = NULL, strikes = 0, "
            "updated_at = %s WHERE chat_id = %s AND NOT active AND reason = %s",
            (now, chat_id, reason)).rowcount))

    def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its subscription and open deliveries follow it;
        a subscription the supergroup already has wins."""
        now = self._clock().isoformat()

        def move(conn: psycopg.Connection[Any]) -> bool:
            if _get(conn, old_chat_id) is None:
                return False
            if _get(conn, new_chat_id) is not None:
                conn.execute(
                    "UPDATE subscriptions SET active = FALSE, reason = %s, updated_at = %s "
                    "WHERE chat_id = %s", (Reason.MIGRATED, now, old_chat_id))
            else:
                conn.execute(
                    "UPDATE subscriptions SET chat_id = %s, chat_type = 'supergroup', "
                    "thread_id = NULL, updated_at = %s WHERE chat_id = %s",
                    (new_chat_id, now, old_chat_id))
            # A delivery the new chat already has stays where it is (SQLite's UPDATE OR
            # IGNORE); the old copy is then history (sent) or cancelled (not sent).
            conn.execute(
                "UPDATE deliveries AS d SET chat_id = %(new)s WHERE d.chat_id = %(old)s "
                "AND NOT EXISTS (SELECT 1 FROM deliveries AS e "
                "WHERE e.chat_id = %(new)s AND e.item_id = d.item_id)",
                {"new": new_chat_id, "old": old_chat_id})
            pg_cancel_open_deliveries(conn, old_chat_id, Reason.MIGRATED)
            return True

        return self._db.write(move)

    def clear_thread(self, chat_id: int) -> None:
        """The forum topic is gone: post to the chat itself from now on."""
        now = self._clock().isoformat()
        self._db.write(lambda c: c.execute(
            "UPDATE subscriptions SET thread_id = NULL, updated_at = %s WHERE chat_id = %s",
            (now, chat_id)))

    def strike(self, chat_id: int, *, definitive: bool, limit: int) -> bool:
        """Count a 403 answer; stop the subscription at `limit` in a row, or at once when
        `definitive`. Returns whether it was stopped now."""
        now = self._clock().isoformat()

        def count(conn: psycopg.Connection[Any]) -> bool:
            conn.execute("UPDATE subscriptions SET strikes = strikes + 1 WHERE chat_id = %s",
                         (chat_id,))
            current = _get(conn, chat_id)
            if current is None or not current.active:
                return False
            if not definitive and current.strikes < limit:
                return False
            conn.execute(
                "UPDATE subscriptions SET active = FALSE, reason = %s, updated_at = %s "
                "WHERE chat_id = %s", (Reason.FORBIDDEN, now, chat_id))
            pg_cancel_open_deliveries(conn, chat_id, Reason.FORBIDDEN)
            return True

        return self._db.write(count)

    def get(self, chat_id: int) -> Subscription | None:
        """The chat's subscription, active or not."""
        return self._db.read(lambda c: _get(c, chat_id))

    def all(self) -> list[Subscription]:
        """Every subscription, active ones first, then by chat id."""
        rows = self._db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM subscriptions "  # noqa: S608 - constant columns
            "ORDER BY active DESC, chat_id").fetchall())
        return [_subscription(tuple(row)) for row in rows]

    def counts(self) -> tuple[int, int]:
        """(active, inactive) subscriptions."""
        row = self._db.read(lambda c: c.execute(
            "SELECT COUNT(*) FILTER (WHERE active), COUNT(*) FILTER (WHERE NOT active) "
            "FROM subscriptions").fetchone())
        return (0, 0) if row is None else (int(row[0]), int(row[1]))
