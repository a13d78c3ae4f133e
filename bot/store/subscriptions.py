"""Subscriptions: which chats get new directives, with which filters, and where.

One row per chat. Deactivating keeps the row (and its filters), so ``/dangky`` alone
brings a subscription back as it was. Whatever stops a subscription also cancels its
deliveries not yet sent, in the same transaction, so nothing is ever sent to a chat
that left.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from bot.directives.filters import Filters
from bot.store.backends import SubscriptionBackend
from bot.store.database import Database

__all__ = ["Reason", "Subscription", "SubscriptionStore", "cancel_open_deliveries"]


class Reason:
    """Why a subscription is inactive (stored as is)."""

    UNSUBSCRIBED = "unsubscribed"  # /huydangky or the button
    REMOVED = "removed"  # the bot was removed from the group
    BLOCKED = "blocked"  # the user blocked the bot
    FORBIDDEN = "forbidden"  # sends answered 403 (see bot.directives.broadcast)
    MIGRATED = "migrated"  # the group became a supergroup that already had a subscription


@dataclass(frozen=True, slots=True)
class Subscription:
    """One chat's subscription."""

    chat_id: int
    chat_type: str
    title: str
    thread_id: int | None
    filters: Filters
    active: bool
    strikes: int
    reason: str | None
    updated_at: str

    @property
    def private(self) -> bool:
        """A person's own chat with the bot."""
        return self.chat_type == "private"


_COLUMNS = "chat_id, chat_type, title, thread_id, kinds, keywords, active, strikes, reason, " \
           "updated_at"


def _subscription(row: tuple) -> Subscription:
    chat_id, chat_type, title, thread_id, kinds, keywords, active, strikes, reason, at = row
    return Subscription(chat_id, chat_type, title, thread_id, Filters.from_json(kinds, keywords),
                        bool(active), strikes, reason, at)


def _get(conn: sqlite3.Connection, chat_id: int) -> Subscription | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ?",  # noqa: S608 - constant
        (chat_id,),
    ).fetchone()
    return None if row is None else _subscription(row)


def cancel_open_deliveries(conn: sqlite3.Connection, chat_id: int, why: str) -> int:
    """Cancel the chat's deliveries not sent yet (inside the caller's transaction)."""
    return conn.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? "
        "WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (why, chat_id),
    ).rowcount


def _utcnow() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


class SubscriptionStore(SubscriptionBackend):
    """Subscriptions in SQLite; sync methods for threads, ``a``-prefixed ones (inherited
    from `SubscriptionBackend`) for the event loop."""

    def __init__(self, database: Database, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        """Store in `database`; `clock` gives aware "now"."""
        self._db = database
        self._clock = clock

    # -- changes made by people --------------------------------------------------------
    def subscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None,
                  filters: Filters | None) -> Subscription:
        """Start (or restart, or change) the chat's subscription.

        `filters` None keeps the filters the chat had (a returning subscriber), or none.
        """
        now = self._clock().isoformat()

        def upsert(conn: sqlite3.Connection) -> Subscription:
            old = _get(conn, chat_id)
            chosen = filters if filters is not None else (old.filters if old else Filters())
            conn.execute(
                "INSERT INTO subscriptions (chat_id, chat_type, title, thread_id, kinds, "
                "keywords, active, strikes, reason, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 1, 0, NULL, ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET chat_type = excluded.chat_type, "
                "title = excluded.title, thread_id = excluded.thread_id, "
                "kinds = excluded.kinds, keywords = excluded.keywords, active = 1, "
                "strikes = 0, reason = NULL, updated_at = excluded.updated_at",
                (chat_id, chat_type, title, thread_id, chosen.kinds_json(),
                 chosen.keywords_json(), now, now),
            )
            result = _get(conn, chat_id)
            if result is None:
                raise RuntimeError(f"subscription of chat {chat_id} vanished while written")
            return result

        return self._db.write(upsert)

    def set_filters(self, chat_id: int, filters: Filters) -> Subscription | None:
        """Change an existing subscription's filters (None when the chat has none)."""
        now = self._clock().isoformat()

        def update(conn: sqlite3.Connection) -> Subscription | None:
            conn.execute(
                "UPDATE subscriptions SET kinds = ?, keywords = ?, updated_at = ? "
                "WHERE chat_id = ?",
                (filters.kinds_json(), filters.keywords_json(), now, chat_id),
            )
            return _get(conn, chat_id)

        return self._db.write(update)

    def deactivate(self, chat_id: int, reason: str) -> bool:
        """Stop the chat's subscription; True when it was active."""
        now = self._clock().isoformat()

        def stop(conn: sqlite3.Connection) -> bool:
            changed = conn.execute(
                "UPDATE subscriptions SET active = 0, reason = ?, updated_at = ? "
                "WHERE chat_id = ? AND active = 1",
                (reason, now, chat_id),
            ).rowcount
            cancel_open_deliveries(conn, chat_id, reason)
            return bool(changed)

        return self._db.write(stop)

    def reactivate(self, chat_id: int, reason: str) -> bool:
        """Restart a subscription that was stopped for `reason` only (e.g. an unblock)."""
        now = self._clock().isoformat()
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE subscriptions SET active = 1, reason = NULL, strikes = 0, updated_at = ? "
            "WHERE chat_id = ? AND active = 0 AND reason = ?",
            (now, chat_id, reason),
        ).rowcount))

    # -- changes made by Telegram --------------------------------------------------------
    def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its subscription and open deliveries follow it.

        When the supergroup already has a subscription of its own, that one wins and the
        old group's is stopped. Returns whether a subscription moved.
        """
        now = self._clock().isoformat()

        def move(conn: sqlite3.Connection) -> bool:
            old = _get(conn, old_chat_id)
            if old is None:
                return False
            if _get(conn, new_chat_id) is not None:
                conn.execute(
                    "UPDATE subscriptions SET active = 0, reason = ?, updated_at = ? "
                    "WHERE chat_id = ?", (Reason.MIGRATED, now, old_chat_id))
            else:
                conn.execute(
                    "UPDATE subscriptions SET chat_id = ?, chat_type = 'supergroup', "
                    "thread_id = NULL, updated_at = ? WHERE chat_id = ?",
                    (new_chat_id, now, old_chat_id))
            # A delivery the new chat already has stays where it is; the old copy is
            # then history (sent) or cancelled (not sent).
            conn.execute("UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?",
                         (new_chat_id, old_chat_id))
            cancel_open_deliveries(conn, old_chat_id, Reason.MIGRATED)
            return True

        return self._db.write(move)

    def clear_thread(self, chat_id: int) -> None:
        """The forum topic is gone: post to the chat itself from now on."""
        now = self._clock().isoformat()
        self._db.write(lambda c: c.execute(
            "UPDATE subscriptions SET thread_id = NULL, updated_at = ? WHERE chat_id = ?",
            (now, chat_id)))

    def strike(self, chat_id: int, *, definitive: bool, limit: int) -> bool:
        """Count a 403 answer; stop the subscription at `limit` in a row, or at once when
        `definitive`. Returns whether it was stopped now."""
        now = self._clock().isoformat()

        def count(conn: sqlite3.Connection) -> bool:
            conn.execute("UPDATE subscriptions SET strikes = strikes + 1 WHERE chat_id = ?",
                         (chat_id,))
            current = _get(conn, chat_id)
            if current is None or not current.active:
                return False
            if not definitive and current.strikes < limit:
                return False
            conn.execute(
                "UPDATE subscriptions SET active = 0, reason = ?, updated_at = ? "
                "WHERE chat_id = ?", (Reason.FORBIDDEN, now, chat_id))
            cancel_open_deliveries(conn, chat_id, Reason.FORBIDDEN)
            return True

        return self._db.write(count)

    # -- reading ----------------------------------------------------------------------------
    def get(self, chat_id: int) -> Subscription | None:
        """The chat's subscription, active or not."""
        return self._db.read(lambda c: _get(c, chat_id))

    def all(self) -> list[Subscription]:
        """Every subscription, active ones first, then by chat id."""
        rows = self._db.read(lambda c: c.execute(
            f"SELECT {_COLUMNS} FROM subscriptions "  # noqa: S608 - constant columns
            "ORDER BY active DESC, chat_id").fetchall())
        return [_subscription(row) for row in rows]

    def counts(self) -> tuple[int, int]:
        """(active, inactive) subscriptions."""
        row = self._db.read(lambda c: c.execute(
            "SELECT COALESCE(SUM(active), 0), COUNT(*) - COALESCE(SUM(active), 0) "
            "FROM subscriptions").fetchone())
        return int(row[0]), int(row[1])
