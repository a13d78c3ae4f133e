"""The delivery ledger: every message a broadcast owes a chat, and how far it got.

One row per (item, chat), written before anything is sent. States::

    pending --claim--> sending --sent--> sent          (message id kept)
       ^                  |
       +------retry-------+  (429, migration, network/5xx errors with backoff)
                          |
                          +--fail--> failed            (403, 400, or out of attempts)
                          |
                          +--stale--> uncertain        (left by an earlier process)
    pending/sending --subscription stopped--> cancelled

Rules that make a broadcast lose nothing it knows about and repeat nothing:

- a row is claimed (``sending``) in its own transaction *before* the HTTP call and marked
  with its outcome right after Telegram answers; a chat has at most one row in flight,
  and its rows go out in order (`due` gives a chat's first open row only);
- the sender knows the outcome of every send it made: when recording it fails (the
  database was locked, the disk full), it keeps the outcome -- the message id, or the
  error -- and records it on its next round (`bot.directives.broadcast.Broadcaster`), so the row is
  settled as what really happened and the chat's later rows go on;
- a row in ``sending`` that no send of the running process holds is *stale*: an earlier
  process claimed it and died, or its stop cut the send off, before Telegram's answer was
  recorded. Telegram has no idempotency key, so nobody can tell whether the card was
  shown. `resolve_stale` (at start, `recover`, and on every round) marks it
  ``uncertain``: never sent again, so no chat ever sees a card twice, and no longer open,
  so the chat's later cards are not held up. A graceful stop leaves no such row (the
  sender stops claiming at once and lets sends under way finish); only a crash, or a send
  still hanging after the drain timeout, can. This rule is for one process (SQLite).
  With several processes on PostgreSQL (`bot.store.pg_ledger`), the others' sends are
  under way all the time, so a row is stale only when its claimer's lease has run out;
  it still becomes ``uncertain``, never sent again;
- ``not_before`` (Unix seconds) holds back a retry (backoff, ``retry_after``) across
  restarts too;
- `purge` forgets finished rows older than the retention; nothing is ever re-queued from
  them (a broadcast item gets its rows only in the transaction that creates or confirms
  it, and directive items are kept), so purging cannot make a card go out twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from bot.store.backends import LedgerBackend
from bot.store.database import Database

__all__ = ["Delivery", "Ledger", "LedgerCounts", "Purged", "Stale", "insert_deliveries"]

OPEN = ("pending", "sending")
_UNCERTAIN = ("uncertain: claimed, but no answer from Telegram was recorded before the "
              "process stopped; not sent again")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A row due to be sent, with what to send and where (from its subscription)."""

    id: int
    item_id: int
    chat_id: int
    thread_id: int | None
    private: bool
    attempts: int
    errors: int
    html: str
    markup: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LedgerCounts:
    """Rows per state."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    uncertain: int = 0

    @property
    def open(self) -> int:
        """Rows not finished yet."""
        return self.pending + self.sending


@dataclass(frozen=True, slots=True)
class Stale:
    """A row an earlier process left in ``sending``, now ``uncertain``."""

    id: int
    item_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class Purged:
    """What one retention purge removed."""

    deliveries: int = 0
    announcements: int = 0


def insert_deliveries(conn: sqlite3.Connection, item_id: int, chat_ids: Iterable[int],
                      now: float) -> int:
    """One pending row per chat for `item_id` (inside the caller's transaction)."""
    return conn.executemany(
        "INSERT OR IGNORE INTO deliveries (item_id, chat_id, status, created_at) "
        "VALUES (?, ?, 'pending', ?)",
        [(item_id, chat_id, now) for chat_id in chat_ids],
    ).rowcount


_DUE = """
SELECT d.id, d.item_id, d.chat_id, s.thread_id, s.chat_type, d.attempts, d.errors,
       i.html, i.markup
FROM deliveries AS d
JOIN subscriptions AS s ON s.chat_id = d.chat_id
JOIN broadcast_items AS i ON i.id = d.item_id
WHERE d.id IN (SELECT MIN(id) FROM deliveries WHERE status IN ('pending', 'sending')
               GROUP BY chat_id)
  AND d.status = 'pending' AND d.not_before <= ? AND s.active = 1
ORDER BY d.id
LIMIT ?
"""


class Ledger(LedgerBackend):
    """The SQLite ledger, for one sending process; ``a``-prefixed methods (inherited from
    `LedgerBackend`) run off the loop."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        """Store in `database`; `clock` gives Unix seconds (replaceable in tests)."""
        self._db = database
        self._clock = clock

    # -- announcements (admins' /broadcast) --------------------------------------------
    def create_announcement(self, html: str, created_by: int) -> int:
        """A draft announcement; nothing is sent until `queue_announcement`."""
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock()))
        return self._db.write(lambda c: int(c.execute(
            "INSERT INTO broadcast_items (kind, html, status, created_by, created_at) "
            "VALUES ('announcement', ?, 'draft', ?, ?)", (html, created_by, created)
        ).lastrowid or 0))

    def queue_announcement(self, item_id: int) -> int | None:
        """Confirm a draft: a delivery to every active subscription, in one transaction.

        Returns how many, or None when the item is not a draft (already sent or cancelled:
        a second tap on the button sends nothing).
        """
        now = self._clock()

        def queue(conn: sqlite3.Connection) -> int | None:
            changed = conn.execute(
                "UPDATE broadcast_items SET status = 'queued' "
                "WHERE id = ? AND kind = 'announcement' AND status = 'draft'", (item_id,)
            ).rowcount
            if not changed:
                return None
            chats = [row[0] for row in conn.execute(
                "SELECT chat_id FROM subscriptions WHERE active = 1 ORDER BY chat_id")]
            return insert_deliveries(conn, item_id, chats, now)

        return self._db.write(queue)

    def cancel_announcement(self, item_id: int) -> bool:
        """Drop a draft; False when it was no longer a draft."""
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE broadcast_items SET status = 'cancelled' "
            "WHERE id = ? AND kind = 'announcement' AND status = 'draft'", (item_id,)
        ).rowcount))

    # -- the sender's side ------------------------------------------------------------------
    def recover(self) -> list[Stale]:
        """At start: every row left in ``sending`` is stale (see above)."""
        return self.resolve_stale(())

    def resolve_stale(self, held: Collection[int]) -> list[Stale]:
        """Mark ``uncertain`` the rows in ``sending`` whose id is not in `held` (the sends
        this process has under way or has yet to record); returns them.

        A read first, a write only when there is something to resolve: the sender calls
        this on every round. Safe against a send that ends meanwhile: its own write moves
        the row out of ``sending`` before it leaves `held`, and this write only touches
        rows still in ``sending``.
        """
        rows = self._db.read(lambda c: c.execute(
            "SELECT id, item_id, chat_id FROM deliveries WHERE status = 'sending' "
            "ORDER BY id").fetchall())
        stale = [Stale(*row) for row in rows if row[0] not in held]
        if not stale:
            return []

        def resolve(conn: sqlite3.Connection) -> list[Stale]:
            return [row for row in stale if conn.execute(
                "UPDATE deliveries SET status = 'uncertain', last_error = ? "
                "WHERE id = ? AND status = 'sending'", (_UNCERTAIN, row.id)).rowcount]

        return self._db.write(resolve)

    def due(self, limit: int) -> list[Delivery]:
        """The first unfinished row of each chat, when it is pending and due; oldest first."""
        rows = self._db.read(lambda c: c.execute(_DUE, (self._clock(), limit)).fetchall())
        return [
            Delivery(row[0], row[1], row[2], row[3], row[4] == "private", row[5], row[6],
                     row[7], json.loads(row[8]) if row[8] else None)
            for row in rows
        ]

    def next_due(self) -> float | None:
        """When the earliest pending row becomes due (Unix seconds), if there is one."""
        row = self._db.read(lambda c: c.execute(
            "SELECT MIN(not_before) FROM deliveries WHERE status = 'pending'").fetchone())
        return None if row[0] is None else float(row[0])

    def claim(self, delivery_id: int) -> bool:
        """``pending`` -> ``sending``, before the HTTP call; False if it is no longer
        pending (its subscription stopped meanwhile)."""
        now = self._clock()
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE deliveries SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'", (now, delivery_id)).rowcount))

    def mark_sent(self, delivery_id: int, message_id: int) -> None:
        """Telegram accepted it: ``sent``, with the message id; the chat's strikes reset."""
        now = self._clock()

        def done(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, "
                "last_error = NULL WHERE id = ?", (now, message_id, delivery_id))
            conn.execute(
                "UPDATE subscriptions SET strikes = 0 WHERE strikes > 0 AND chat_id = "
                "(SELECT chat_id FROM deliveries WHERE id = ?)", (delivery_id,))

        self._db.write(done)

    def retry(self, delivery_id: int, delay: float, error: str, *, counts: bool) -> None:
        """Back to ``pending``, due in `delay` seconds; `counts` adds one to its errors."""
        not_before = self._clock() + max(delay, 0.0)
        self._db.write(lambda c: c.execute(
            "UPDATE deliveries SET status = 'pending', not_before = ?, last_error = ?, "
            "errors = errors + ? WHERE id = ? AND status = 'sending'",
            (not_before, error[:500], int(counts), delivery_id)))

    def fail(self, delivery_id: int, error: str) -> bool:
        """Given up: ``failed``, with the reason; False when the row was not in flight
        (already settled: a replayed outcome changes nothing)."""
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ?, errors = errors + 1 "
            "WHERE id = ? AND status = 'sending'", (error[:500], delivery_id)).rowcount))

    # -- retention --------------------------------------------------------------------------
    def purge(self, older_than: float) -> Purged:
        """Forget finished rows queued more than `older_than` seconds ago, and the
        announcements left without rows; returns how many.

        Kept: open rows (``pending``, ``sending``) whatever their age -- they are still
        owed -- and every directive item, whose ``article_id`` and ``document_code`` are
        what tells a later scan that an article was announced already. No code path
        queues rows for an item after its creation (`insert_deliveries` runs only in the
        transaction that creates a directive item or confirms a draft), so a purged row
        is never sent again.
        """
        cutoff = self._clock() - older_than
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(cutoff))

        def purge(conn: sqlite3.Connection) -> Purged:
            deliveries = conn.execute(
                "DELETE FROM deliveries WHERE created_at < ? AND status IN "
                "('sent', 'failed', 'cancelled', 'uncertain')", (cutoff,)).rowcount
            announcements = conn.execute(
                "DELETE FROM broadcast_items WHERE kind = 'announcement' "
                "AND created_at < ? AND NOT EXISTS "
                "(SELECT 1 FROM deliveries WHERE item_id = broadcast_items.id)",
                (created,)).rowcount
            return Purged(deliveries, announcements)

        return self._db.write(purge)

    # -- reading ----------------------------------------------------------------------------
    def counts(self) -> LedgerCounts:
        """Rows per state."""
        rows = self._db.read(lambda c: c.execute(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())
        return LedgerCounts(**dict(rows))

    def item_status(self, item_id: int) -> str | None:
        """``draft``, ``queued`` or ``cancelled``; None for an unknown item."""
        row = self._db.read(lambda c: c.execute(
            "SELECT status FROM broadcast_items WHERE id = ?", (item_id,)).fetchone())
        return None if row is None else str(row[0])

    def item_html(self, item_id: int) -> str | None:
        """What an item sends (for showing an announcement back to its admin)."""
        row = self._db.read(lambda c: c.execute(
            "SELECT html FROM broadcast_items WHERE id = ?", (item_id,)).fetchone())
        return None if row is None else str(row[0])

    def rows(self, chat_id: int | None = None) -> list[tuple[int, int, str, int, int | None]]:
        """(item id, chat id, status, attempts, message id) rows, for tests and checks."""
        query = "SELECT item_id, chat_id, status, attempts, message_id FROM deliveries"
        args: tuple[int, ...] = ()
        if chat_id is not None:
            query += " WHERE chat_id = ?"
            args = (chat_id,)
        return self._db.read(lambda c: c.execute(query + " ORDER BY id", args).fetchall())
