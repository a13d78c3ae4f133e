"""One SQLite database file for everything the bot must remember across restarts.

`Database` wraps a single stdlib connection behind a lock: handlers run concurrently on
the event loop and in worker threads, and one writer at a time is what SQLite wants
anyway. The schema is versioned with ``PRAGMA user_version`` and an ordered list of
migrations (`bot.store.migrations`); opening a database applies the missing ones, each
in its own transaction, and refuses a database written by a newer program.

WAL journal mode lets other processes (a shell, a stats script) read while the bot
writes, and ``synchronous=NORMAL`` keeps commits cheap: in WAL mode a power cut can lose
the last transactions but never corrupts the file.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.platform.errors import DatabaseError
from bot.store.off_loop import off_loop

__all__ = ["MEMORY", "Database", "Migration"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
MEMORY = ":memory:"


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: `statements` take version ``version - 1`` to `version`."""

    version: int
    description: str
    statements: tuple[str, ...]


class Database:
    """A lock-guarded SQLite connection with schema migrations and async helpers.

    Use `read`/`write` from worker threads and `aread`/`awrite` from the event loop; the
    callables get the connection and must not keep it. `write` runs its callable in one
    transaction (``BEGIN IMMEDIATE``), so a handler's several statements commit together.
    """

    def __init__(self, path: Path | str, migrations: Sequence[Migration]) -> None:
        """Open (creating if needed) and migrate; `path` ``":memory:"`` keeps it in RAM.

        Raises:
            DatabaseError: the file cannot be opened, is not a database, or its schema is
                newer than `migrations`.
        """
        _check_order(migrations)
        self.path = str(path)
        self._lock = threading.Lock()
        try:
            if self.path != MEMORY:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"cannot open database {self.path}: {exc}") from exc
        try:
            self._configure()
            self._migrate(migrations)
        except sqlite3.Error as exc:
            self._conn.close()
            raise DatabaseError(f"cannot use database {self.path}: {exc}") from exc
        except DatabaseError:
            self._conn.close()
            raise

    def _configure(self) -> None:
        self._conn.execute("PRAGMA foreign_keys = ON")
        if self.path != MEMORY:
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        current = self.schema_version
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise DatabaseError(
                f"database {self.path} has schema version {current}, newer than this "
                f"program's {latest}; upgrade the program or use another data directory"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in migration.statements:
                        self._conn.execute(statement)
                    # user_version lives in the file header and commits with the rest.
                    self._conn.execute(f"PRAGMA user_version = {int(migration.version)}")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            logger.info("database migrated to version %d: %s", migration.version,
                        migration.description)

    @property
    def schema_version(self) -> int:
        """The ``PRAGMA user_version`` of the open file."""
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def read(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run `action` with the connection, alone (blocking; call from a thread)."""
        with self._lock:
            return action(self._conn)

    def write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run `action` in one transaction: committed if it returns, rolled back if not."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = action(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    aread = off_loop(read)
    awrite = off_loop(write)

    def close(self) -> None:
        """Close the connection; later calls fail."""
        with self._lock:
            self._conn.close()


def _check_order(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3, ... in order, got {versions}")
