"""``haiquan-bot backup`` / ``restore`` and the run lock that keeps restore safe.

Subscriptions and the delivery ledger exist only in the bot's SQLite file, so an operator
needs a copy that is consistent even while the bot writes. Copying the file with ``cp``
is not: in WAL mode recent commits live in ``-wal`` until a checkpoint. The SQLite online
backup API (`sqlite3.Connection.backup`) copies a consistent snapshot through SQLite's own
locking, so both directions use it.

A backup is written to a temporary file next to the target, checked with
``PRAGMA integrity_check`` and only then renamed into place: a crash or a full disk never
leaves a half-written file under the name the operator asked for.

``haiquan-bot run`` holds an exclusive `fcntl.flock` on `RUN_LOCK_FILE` in the data
directory for as long as it runs (`run_lock`). The kernel drops the lock when the process
dies, however it dies, so "is the bot running?" (`bot_running`) is a lock probe, not a
guess from process names or a pid file that a crash leaves behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bot.platform.errors import BackupError, StartupError
from bot.store import DATABASE_FILE, MIGRATIONS

__all__ = [
    "RUN_LOCK_FILE",
    "backup_database",
    "bot_running",
    "check_backup",
    "database_path",
    "restore_database",
    "run_lock",
]

RUN_LOCK_FILE = "run.lock"

# Tables every version of this app's schema has; a file without them is not ours.
_CORE_TABLES = frozenset({"answers", "answer_messages", "daily_counts"})


def database_path(data_dir: Path) -> Path:
    """Where the bot keeps its database in `data_dir` (see `bot.store.open_database`)."""
    return data_dir / DATABASE_FILE


@contextlib.contextmanager
def run_lock(data_dir: Path | None) -> Iterator[None]:
    """Hold the run lock on `data_dir` for the block; no data dir, no database, no lock.

    Raises:
        StartupError: another ``haiquan-bot run`` already holds it (two bots on one
            database would send every broadcast twice).
    """
    if data_dir is None:
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / RUN_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StartupError(
                f"another haiquan-bot run is using {data_dir} (it holds {RUN_LOCK_FILE})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a human; the lock is the truth
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def bot_running(data_dir: Path) -> bool:
    """True when a ``haiquan-bot run`` holds the run lock on `data_dir` right now."""
    path = data_dir / RUN_LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def backup_database(data_dir: Path, target: Path, *, force: bool = False) -> int:
    """Copy the database in `data_dir` to `target`; returns its schema version.

    Safe while the bot runs: the backup API reads a consistent snapshot under SQLite's
    locks, and the bot's WAL mode lets it keep writing meanwhile.

    Raises:
        BackupError: there is no database, `target` exists and `force` is off, or the
            copy fails its integrity check (the target is then left untouched).
    """
    source = database_path(data_dir)
    if not source.is_file():
        raise BackupError(f"no database at {source} (has the bot ever run with this data dir?)")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to overwrite it")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        src = _connect_read_only(source)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst)
                # One self-contained file: no -wal beside the copy.
                dst.execute("PRAGMA journal_mode = DELETE")
                _check_integrity(dst, temp)
                version = int(dst.execute("PRAGMA user_version").fetchone()[0])
            finally:
                dst.close()
        finally:
            src.close()
        with temp.open("rb") as written:
            os.fsync(written.fileno())
        temp.replace(target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return version


def check_backup(path: Path) -> int:
    """The schema version of `path` if it is an intact database of this app.

    Raises:
        BackupError: not a file, not SQLite, damaged, not this app's schema, or a schema
            newer than this program (restoring it would make the bot refuse to start).
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    latest = MIGRATIONS[-1].version
    try:
        conn = _connect_read_only(path)
        try:
            _check_integrity(conn, path)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from None
    if version < 1 or not tables >= _CORE_TABLES:
        raise BackupError(f"{path} is a SQLite database, but not one of haiquan-bot")
    if version > latest:
        raise BackupError(
            f"{path} has schema version {version}, newer than this program's {latest}; "
            "upgrade haiquan-bot before restoring it"
        )
    return version


def restore_database(source: Path, data_dir: Path, *, force: bool = False) -> int:
    """Replace the database in `data_dir` with the backup `source`; returns its version.

    An older schema is fine: the bot migrates it when it next opens the file.

    Raises:
        BackupError: `source` fails `check_backup`, or a bot is running on `data_dir`
            and `force` is off.
    """
    version = check_backup(source)
    if bot_running(data_dir) and not force:
        raise BackupError(
            f"a haiquan-bot run is using {data_dir}; stop it first (or pass --force to "
            "overwrite its database under it)"
        )
    target = database_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        src = _connect_read_only(source)
        try:
            dst = sqlite3.connect(target, timeout=30.0)
            try:
                # Into the live file (not a rename) so a running bot's connection and its
                # -wal stay coherent: SQLite locks the target while pages are copied.
                src.backup(dst)
                _check_integrity(dst, target)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {target}: {exc}") from exc
    return version


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: checking or copying a file must never create or change it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{path} fails its integrity check: {'; '.join(result[:3])}")
