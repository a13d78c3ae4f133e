"""A sending process's lease in PostgreSQL: how the others tell "busy" from "gone".

Each `PgLedger` holds one `Lease`: a random token in ``sender_leases`` with
``lease_until`` on the database's clock (the one clock every machine shares). A daemon
thread renews it every third of the lease on a connection of its own, so a slow query on
the main connection cannot starve it. While the process lives, the lease keeps its
``sending`` rows its own. When the process dies, the lease runs out and the others may
resolve those rows (`bot.store.pg_ledger`). `close` deletes the lease, so a graceful stop
hands its leftovers over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import TYPE_CHECKING, Any

from bot.store.postgres import PgDatabase

if TYPE_CHECKING:
    import psycopg

__all__ = ["DB_NOW", "DEFAULT_LEASE", "Lease"]

logger = logging.getLogger(__name__)

DEFAULT_LEASE = 30.0  # seconds; a send takes well under one, a heartbeat comes every 10
DB_NOW = "EXTRACT(EPOCH FROM clock_timestamp())::double precision"


class Lease:
    """This process's lease; renewed by a heartbeat thread until `close`."""

    def __init__(self, database: PgDatabase, *, seconds: float = DEFAULT_LEASE,
                 heartbeat: bool = True, label: str | None = None) -> None:
        """Register the lease and (unless `heartbeat` is False, which tests use to play a
        process that froze) start renewing it."""
        if seconds <= 0:
            raise ValueError(f"lease must be positive, got {seconds}")
        self._db = database
        self.seconds = seconds
        self.token = secrets.token_hex(16)
        self.label = label or f"{socket.gethostname()}:{os.getpid()}"
        self._db.write(self.renew_in)
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        if heartbeat:
            self._heartbeat = threading.Thread(target=self._beat, daemon=True,
                                               name=f"ledger lease {self.label}")
            self._heartbeat.start()

    def renew_in(self, conn: psycopg.Connection[Any]) -> None:
        """Push the lease `seconds` past now, inside the caller's transaction (a claim
        renews it too); registers it again if it was forgotten."""
        conn.execute(
            f"INSERT INTO sender_leases (token, label, started_at, lease_until) "  # noqa: S608
            f"VALUES (%s, %s, {DB_NOW}, {DB_NOW} + %s) ON CONFLICT (token) "
            "DO UPDATE SET lease_until = EXCLUDED.lease_until",
            (self.token, self.label, self.seconds))

    def _beat(self) -> None:
        """Renew every third of the lease until `close`, on a connection of its own."""
        conn: psycopg.Connection[Any] | None = None
        while not self._stop.wait(self.seconds / 3):
            try:
                if conn is None or conn.closed or conn.broken:
                    conn = self._db.connect()
                self.renew_in(conn)
            except Exception as exc:  # the database is away: keep trying, log why
                logger.warning("could not renew the ledger lease of %s: %s", self.label, exc)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Stop the heartbeat and give the lease up: rows this process left in ``sending``
        are stale for the others from now on."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        try:
            self._db.write(lambda c: c.execute("DELETE FROM sender_leases WHERE token = %s",
                                               (self.token,)))
        except Exception as exc:  # closing anyway; the lease then simply runs out
            logger.warning("could not give the ledger lease of %s up: %s", self.label, exc)
