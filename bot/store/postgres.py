"""PostgreSQL for subscriptions and the delivery ledger, when several bot processes share them.

Chosen by ``HAIQUAN_DATABASE_URL`` (``postgresql://user:password@host/db``); without it
everything stays in the SQLite file (`bot.store.database`). Only what two processes must
agree on lives here -- subscriptions, known articles, broadcast items, deliveries, and the
leases of the processes that send (docs/scaling.md).

`PgDatabase` mirrors `bot.store.database.Database`: one connection behind a lock, `read`
and `write` taking a callable on it (``write`` in one transaction). The driver is psycopg
3, an optional dependency (``pip install "haiquan-bot[postgres]"``), imported only here.

Migrations run in one transaction under ``pg_advisory_xact_lock``: when two processes start
at once, the second waits for the first to commit, then finds the schema current, so the
schema is migrated exactly once. The version lives in the ``schema_version`` table.

The URL's password never reaches a log line or an error message (`safe_url`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from bot.platform.errors import DatabaseError
from bot.store.database import Migration

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATION_LOCK", "PG_MIGRATIONS", "PgDatabase", "is_postgres_url", "safe_url",
           "url_password"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The advisory lock key that serialises migrations (any constant both processes agree on:
# the ASCII of "haiquan" folded into a bigint).
MIGRATION_LOCK = 0x68616971_75616E


def is_postgres_url(url: str) -> bool:
    """Whether `url` names a PostgreSQL database (``postgresql://`` or ``postgres://``)."""
    return url.split("://", 1)[0].lower() in ("postgresql", "postgres")


def safe_url(url: str) -> str:
    """`url` without its password, for logs and errors (the user and host stay)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<database url>"
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    query = "&".join(
        "password=***" if pair.lower().startswith("password=") else pair
        for pair in parts.query.split("&")) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_password(url: str) -> str | None:
    """The password in `url`, if any: registered with the log redaction at start
    (`bot.platform.logs.protect`), should a driver message ever repeat it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    secret = parts.password
    for pair in parts.query.split("&"):
        if pair.lower().startswith("password="):
            secret = pair.split("=", 1)[1] or secret
    return secret or None


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise DatabaseError(
            "HAIQUAN_DATABASE_URL names PostgreSQL, but psycopg is not installed: "
            'pip install "haiquan-bot[postgres]"') from exc
    return psycopg


class PgDatabase:
    """A lock-guarded psycopg connection with migrations; reconnects after a lost one.

    Callables given to `read`/`write` get the connection and must not keep it. The
    connection is in autocommit mode, so a `read` sees every commit made before it (in
    any process) and `write` opens its own transaction.
    """

    def __init__(self, url: str, migrations: Sequence[Migration] | None = None, *,
                 connect_timeout: float = 10.0) -> None:
        """Connect and migrate (to `PG_MIGRATIONS` by default).

        Raises:
            DatabaseError: psycopg is missing, the server cannot be reached, or its schema
                is newer than `migrations`.
        """
        self.url = url
        self.label = safe_url(url)
        self._connect_timeout = connect_timeout
        self._psycopg = _psycopg()
        self._lock = threading.Lock()
        self._conn = self.connect()
        try:
            self._migrate(PG_MIGRATIONS if migrations is None else migrations)
        except self._psycopg.Error as exc:
            self._conn.close()
            raise DatabaseError(f"cannot migrate database {self.label}: {exc}") from exc
        except DatabaseError:
            self._conn.close()
            raise

    def connect(self) -> psycopg.Connection[Any]:
        """A new autocommit connection (also for helpers that need their own, such as a
        lease heartbeat that must not wait behind a slow query)."""
        try:
            return self._psycopg.connect(self.url, autocommit=True,
                                         connect_timeout=max(1, int(self._connect_timeout)))
        except self._psycopg.Error as exc:
            # psycopg's message names host and port, never the password; say which
            # database with the safe label anyway.
            raise DatabaseError(f"cannot connect to {self.label}: "
                                f"{str(exc).strip().splitlines()[0]}") from exc

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        versions = [m.version for m in migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"migrations must be numbered 1, 2, 3, ... in order, got {versions}")
        latest = versions[-1] if versions else 0
        with self._conn.transaction():
            # Held until this transaction ends: a second process starting now waits here.
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = int(row[0]) if row and row[0] is not None else 0
            if current > latest:
                raise DatabaseError(
                    f"database {self.label} has schema version {current}, newer than this "
                    f"program's {latest}; upgrade the program")
            for migration in migrations:
                if migration.version <= current:
                    continue
                for statement in migration.statements:
                    self._conn.execute(statement)
                self._conn.execute("INSERT INTO schema_version (version) VALUES (%s)",
                                   (migration.version,))
                logger.info("postgres schema migrated to version %d: %s", migration.version,
                            migration.description)

    @property
    def schema_version(self) -> int:
        """The highest migration applied."""
        row = self.read(lambda c: c.execute("SELECT MAX(version) FROM schema_version")
                        .fetchone())
        return int(row[0]) if row and row[0] is not None else 0

    def _usable(self) -> psycopg.Connection[Any]:
        if self._conn.closed or self._conn.broken:
            logger.warning("connection to %s was lost; reconnecting", self.label)
            self._conn = self.connect()
        return self._conn

    def read(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `action` with the connection, alone (blocking; call from a thread)."""
        with self._lock:
            return action(self._usable())

    def write(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `action` in one transaction: committed if it returns, rolled back if not."""
        with self._lock:
            conn = self._usable()
            with conn.transaction():
                return action(conn)

    def close(self) -> None:
        """Close the connection; later calls reconnect."""
        with self._lock:
            self._conn.close()


# The PostgreSQL schema: the same tables and columns as the SQLite one (version 5 of
# `bot.store.migrations`) for what is shared, plus the sending processes' leases
# (`bot.store.pg_ledger`). Append, never edit a released migration.
PG_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "subscriptions, known articles, broadcast items, deliveries and sender leases",
        (
            """
            CREATE TABLE subscriptions (
                chat_id    BIGINT  PRIMARY KEY,
                chat_type  TEXT    NOT NULL,
                title      TEXT    NOT NULL DEFAULT '',
                thread_id  BIGINT,
                kinds      TEXT    NOT NULL DEFAULT '[]',
                keywords   TEXT    NOT NULL DEFAULT '[]',
                active     BOOLEAN NOT NULL DEFAULT TRUE,
                strikes    INTEGER NOT NULL DEFAULT 0,
                reason     TEXT,
                created_at TEXT    NOT NULL,
                updated_at TEXT    NOT NULL
            )
            """,
            """
            CREATE TABLE known_articles (
                article_id   TEXT PRIMARY KEY,
                content_hash TEXT NOT NULL,
                first_seen   TEXT NOT NULL
            )
            """,
            "CREATE INDEX known_articles_hash ON known_articles (content_hash)",
            """
            CREATE TABLE broadcast_items (
                id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind          TEXT   NOT NULL CHECK (kind IN ('directive', 'announcement')),
                article_id    TEXT   UNIQUE,
                document_code TEXT,
                html          TEXT   NOT NULL,
                markup        TEXT,
                status        TEXT   NOT NULL CHECK (status IN ('draft', 'queued', 'cancelled')),
                created_by    BIGINT,
                created_at    TEXT   NOT NULL
            )
            """,
            "CREATE INDEX broadcast_items_code ON broadcast_items (lower(document_code))",
            """
            CREATE TABLE deliveries (
                id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                item_id    BIGINT  NOT NULL REFERENCES broadcast_items (id),
                chat_id    BIGINT  NOT NULL,
                status     TEXT    NOT NULL CHECK (status IN
                           ('pending', 'sending', 'sent', 'failed', 'cancelled',
                            'uncertain')),
                attempts   INTEGER NOT NULL DEFAULT 0,
                errors     INTEGER NOT NULL DEFAULT 0,
                not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
                claimed_at DOUBLE PRECISION,
                claimed_by TEXT,
                sent_at    DOUBLE PRECISION,
                message_id BIGINT,
                last_error TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                UNIQUE (item_id, chat_id)
            )
            """,
            "CREATE INDEX deliveries_open ON deliveries (status, chat_id, id)",
            "CREATE INDEX deliveries_chat ON deliveries (chat_id)",
            "CREATE INDEX deliveries_created ON deliveries (created_at)",
            """
            CREATE TABLE sender_leases (
                token       TEXT             PRIMARY KEY,
                label       TEXT             NOT NULL,
                started_at  DOUBLE PRECISION NOT NULL,
                lease_until DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ),
    ),
)
