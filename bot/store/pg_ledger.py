"""The delivery ledger in PostgreSQL, shared by several sending processes.

Same states and rules as the SQLite ledger (`bot.store.ledger`); what changes is who may
call a ``sending`` row stale. With one process, a ``sending`` row none of its own sends
holds was left by an earlier run. With two, process B sees A's sends under way all the
time, and marking them ``uncertain`` would strand every card A is sending. So:

- each process registers a random *token* in ``sender_leases`` with a lease
  (``lease_until``, the database's clock: the one clock all machines share) and renews it
  from a heartbeat thread every third of the lease (`bot.store.pg_lease`);
- `claim` writes the claimer's token into ``claimed_by`` (and renews its lease in the same
  transaction);
- a ``sending`` row is stale only when its claimer's lease has run out (or it is gone), or
  when it is the process's own and none of its sends holds it (a send cut off at stop);
- a graceful `close` deletes the lease, so what a stop left in flight is resolved by the
  others at once rather than after the lease.

Claiming is atomic across processes: one ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP
LOCKED)`` that re-checks, under the row lock, that the row is still pending, due, and its
chat's first unfinished row. Two senders that read the same `due` list race on it; one
wins, the other gets False and moves on -- without waiting on the winner's lock. The chat
check keeps "one in flight per chat, in order" across processes, since a list read before
another process settled (or re-queued) a row can be out of date.

A stale row still becomes ``uncertain`` and is never sent again: a process that froze past
its lease (a VM pause) and then records its send simply settles the row as it was; a
process that had not sent yet finds the row no longer ``sending`` and sends nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any

from bot.store.backends import LedgerBackend
from bot.store.ledger import Delivery, LedgerCounts, Purged, Stale
from bot.store.pg_lease import DB_NOW, DEFAULT_LEASE, Lease
from bot.store.postgres import PgDatabase

if TYPE_CHECKING:
    import psycopg

__all__ = ["DEFAULT_LEASE", "PgLedger", "pg_insert_deliveries"]

_NOW = DB_NOW
_UNCERTAIN = ("uncertain: claimed, but no answer from Telegram was recorded before the "
              "claiming process stopped or lost its lease; not sent again")


def pg_insert_deliveries(conn: psycopg.Connection[Any], item_id: int, chat_ids: Iterable[int],
                         now: float) -> int:
    """One pending row per chat for `item_id` (inside the caller's transaction)."""
    chats = list(chat_ids)
    if not chats:
        return 0
    return conn.execute(
        "INSERT INTO deliveries (item_id, chat_id, status, created_at) "
        "SELECT %s, chat, 'pending', %s FROM unnest(%s::bigint[]) AS chat "
        "ORDER BY chat ON CONFLICT (item_id, chat_id) DO NOTHING",
        (item_id, now, chats)).rowcount


_DUE = """
SELECT d.id, d.item_id, d.chat_id, s.thread_id, s.chat_type, d.attempts, d.errors,
       i.html, i.markup
FROM deliveries AS d
JOIN subscriptions AS s ON s.chat_id = d.chat_id
JOIN broadcast_items AS i ON i.id = d.item_id
WHERE d.id IN (SELECT MIN(id) FROM deliveries WHERE status IN ('pending', 'sending')
               GROUP BY chat_id)
  AND d.status = 'pending' AND d.not_before <= %s AND s.active
ORDER BY d.id
LIMIT %s
"""

_CLAIM = """
UPDATE deliveries SET status = 'sending', claimed_at = %(now)s, claimed_by = %(me)s,
       attempts = attempts + 1
WHERE id = (
    SELECT d.id FROM deliveries AS d
    WHERE d.id = %(id)s AND d.status = 'pending' AND d.not_before <= %(now)s
      AND NOT EXISTS (SELECT 1 FROM deliveries AS e
                      WHERE e.chat_id = d.chat_id AND e.id < d.id
                        AND e.status IN ('pending', 'sending'))
    FOR UPDATE SKIP LOCKED)
"""

# A row is stale when its claimer holds no live lease, or (checked by the caller against
# `held`) when it is this process's own.
_STALE_WHERE = """
d.status = 'sending' AND (d.claimed_by = %(me)s OR NOT EXISTS (
    SELECT 1 FROM sender_leases AS l
    WHERE l.token = d.claimed_by
      AND l.lease_until >= EXTRACT(EPOCH FROM clock_timestamp())::double precision))
"""


class PgLedger(LedgerBackend):
    """The ledger in PostgreSQL, with this process's lease; `close` gives the lease up."""

    def __init__(self, database: PgDatabase, clock: Callable[[], float] = time.time, *,
                 lease: float = DEFAULT_LEASE, heartbeat: bool = True,
                 label: str | None = None) -> None:
        """Register this process's lease (`bot.store.pg_lease`; `heartbeat` False plays a
        process that froze, in tests).

        `clock` gives Unix seconds for due times and timestamps, as in the SQLite ledger;
        leases use the database's clock.
        """
        self._db = database
        self._clock = clock
        self._lease = Lease(database, seconds=lease, heartbeat=heartbeat, label=label)
        self.token = self._lease.token

    def close(self) -> None:
        """Give the lease up: rows this process left in ``sending`` are stale for the
        others from now on."""
        self._lease.close()

    # -- announcements (admins' /broadcast) --------------------------------------------
    def create_announcement(self, html: str, created_by: int) -> int:
        """A draft announcement; nothing is sent until `queue_announcement`."""
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock()))
        return self._db.write(lambda c: int(_one(c.execute(
            "INSERT INTO broadcast_items (kind, html, status, created_by, created_at) "
            "VALUES ('announcement', %s, 'draft', %s, %s) RETURNING id",
            (html, created_by, created)))[0]))

    def queue_announcement(self, item_id: int) -> int | None:
        """Confirm a draft: a delivery to every active subscription, in one transaction."""
        now = self._clock()

        def queue(conn: psycopg.Connection[Any]) -> int | None:
            changed = conn.execute(
                "UPDATE broadcast_items SET status = 'queued' "
                "WHERE id = %s AND kind = 'announcement' AND status = 'draft'", (item_id,)
            ).rowcount
            if not changed:
                return None
            chats = [row[0] for row in conn.execute(
                "SELECT chat_id FROM subscriptions WHERE active ORDER BY chat_id")]
            return pg_insert_deliveries(conn, item_id, chats, now)

        return self._db.write(queue)

    def cancel_announcement(self, item_id: int) -> bool:
        """Drop a draft; False when it was no longer a draft."""
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE broadcast_items SET status = 'cancelled' "
            "WHERE id = %s AND kind = 'announcement' AND status = 'draft'", (item_id,)
        ).rowcount))

    # -- the sender's side ------------------------------------------------------------------
    def recover(self) -> list[Stale]:
        """At start: rows whose claimer's lease ran out are stale; leases that ran out
        more than a day ago and hold nothing are forgotten."""
        stale = self.resolve_stale(())
        self._db.write(lambda c: c.execute(
            f"DELETE FROM sender_leases AS l WHERE l.lease_until < {_NOW} - 86400 "  # noqa: S608
            "AND NOT EXISTS (SELECT 1 FROM deliveries AS d "
            "WHERE d.claimed_by = l.token AND d.status = 'sending')"))
        return stale

    def resolve_stale(self, held: Collection[int]) -> list[Stale]:
        """Mark ``uncertain`` the ``sending`` rows whose claimer's lease has run out, and
        this process's own that `held` does not list; returns them.

        A read first, a write only when there is something to resolve (the sender calls
        this every round); the write checks the lease again, so a process that renewed
        meanwhile keeps its rows.
        """
        me = {"me": self.token}
        rows = self._db.read(lambda c: c.execute(
            f"SELECT d.id, d.item_id, d.chat_id FROM deliveries AS d "  # noqa: S608
            f"WHERE {_STALE_WHERE} ORDER BY d.id", me).fetchall())
        candidates = [row[0] for row in rows if row[0] not in held]
        if not candidates:
            return []
        resolved = self._db.write(lambda c: c.execute(
            f"UPDATE deliveries AS d SET status = 'uncertain', last_error = %(why)s "  # noqa: S608
            f"WHERE d.id = ANY(%(ids)s) AND {_STALE_WHERE} "
            "RETURNING d.id, d.item_id, d.chat_id",
            {**me, "why": _UNCERTAIN, "ids": candidates}).fetchall())
        return sorted(Stale(*row) for row in resolved)

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
        return None if row is None or row[0] is None else float(row[0])

    def claim(self, delivery_id: int) -> bool:
        """``pending`` -> ``sending`` for this process, if the row is still pending, due and
        its chat's first unfinished row, and no other process is claiming it right now."""
        now = self._clock()

        def take(conn: psycopg.Connection[Any]) -> bool:
            claimed = conn.execute(_CLAIM, {"now": now, "me": self.token,
                                            "id": delivery_id}).rowcount
            if claimed:
                self._lease.renew_in(conn)
            return bool(claimed)

        return self._db.write(take)

    def mark_sent(self, delivery_id: int, message_id: int) -> None:
        """Telegram accepted it: ``sent``, with the message id; the chat's strikes reset."""
        now = self._clock()

        def done(conn: psycopg.Connection[Any]) -> None:
            conn.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = %s, message_id = %s, "
                "last_error = NULL WHERE id = %s", (now, message_id, delivery_id))
            conn.execute(
                "UPDATE subscriptions SET strikes = 0 WHERE strikes > 0 AND chat_id = "
                "(SELECT chat_id FROM deliveries WHERE id = %s)", (delivery_id,))

        self._db.write(done)

    def retry(self, delivery_id: int, delay: float, error: str, *, counts: bool) -> None:
        """Back to ``pending``, due in `delay` seconds; `counts` adds one to its errors."""
        not_before = self._clock() + max(delay, 0.0)
        self._db.write(lambda c: c.execute(
            "UPDATE deliveries SET status = 'pending', not_before = %s, last_error = %s, "
            "errors = errors + %s, claimed_by = NULL WHERE id = %s AND status = 'sending'",
            (not_before, error[:500], int(counts), delivery_id)))

    def fail(self, delivery_id: int, error: str) -> bool:
        """Given up: ``failed``; False when the row was not in flight."""
        return bool(self._db.write(lambda c: c.execute(
            "UPDATE deliveries SET status = 'failed', last_error = %s, errors = errors + 1 "
            "WHERE id = %s AND status = 'sending'", (error[:500], delivery_id)).rowcount))

    # -- retention --------------------------------------------------------------------------
    def purge(self, older_than: float) -> Purged:
        """Forget finished rows queued more than `older_than` seconds ago (see
        `bot.store.ledger.Ledger.purge` for why this never re-sends anything)."""
        cutoff = self._clock() - older_than
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(cutoff))

        def purge(conn: psycopg.Connection[Any]) -> Purged:
            deliveries = conn.execute(
                "DELETE FROM deliveries WHERE created_at < %s AND status IN "
                "('sent', 'failed', 'cancelled', 'uncertain')", (cutoff,)).rowcount
            announcements = conn.execute(
                "DELETE FROM broadcast_items WHERE kind = 'announcement' "
                "AND created_at < %s AND NOT EXISTS "
                "(SELECT 1 FROM deliveries WHERE item_id = broadcast_items.id)",
                (created,)).rowcount
            return Purged(deliveries, announcements)

        return self._db.write(purge)

    # -- reading ----------------------------------------------------------------------------
    def counts(self) -> LedgerCounts:
        """Rows per state."""
        rows = self._db.read(lambda c: c.execute(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())
        return LedgerCounts(**{status: int(n) for status, n in rows})

    def item_status(self, item_id: int) -> str | None:
        """``draft``, ``queued`` or ``cancelled``; None for an unknown item."""
        row = self._db.read(lambda c: c.execute(
            "SELECT status FROM broadcast_items WHERE id = %s", (item_id,)).fetchone())
        return None if row is None else str(row[0])

    def item_html(self, item_id: int) -> str | None:
        """What an item sends (for showing an announcement back to its admin)."""
        row = self._db.read(lambda c: c.execute(
            "SELECT html FROM broadcast_items WHERE id = %s", (item_id,)).fetchone())
        return None if row is None else str(row[0])

    def rows(self, chat_id: int | None = None) -> list[tuple[int, int, str, int, int | None]]:
        """(item id, chat id, status, attempts, message id) rows, for tests and checks."""
        query = "SELECT item_id, chat_id, status, attempts, message_id FROM deliveries"
        args: tuple[int, ...] = ()
        if chat_id is not None:
            query += " WHERE chat_id = %s"
            args = (chat_id,)
        return self._db.read(lambda c: [tuple(r) for r in c.execute(  # type: ignore[misc]
            query + " ORDER BY id", args).fetchall()])


def _one(cursor: psycopg.Cursor[Any]) -> tuple[Any, ...]:
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("a RETURNING statement returned nothing")
    return tuple(row)
