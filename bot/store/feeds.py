"""The feeds the news ingest reads, as admins manage them with ``/feeds`` (schema version 4).

The environment's feeds (``HAIQUAN_FEEDS`` / ``--feed``) are the seed list: `seed` adds
those the table does not know yet, at every start, so a restart never duplicates one and
never brings back a feed an admin removed (a removed feed keeps its row, ``removed_at``
set; adding it again revives it). Two spellings of one address are one feed: rows are
unique by `corpus.ingest.urls.url_key`.

Only addresses are stored here; how each feed fared (last success, failures in a row) is
the ingest's own memory (``state.json``, `corpus.ingest.state`), read where it is shown.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.store.database import Database
from bot.store.off_loop import off_loop
from corpus.ingest.urls import url_key

__all__ = ["MAX_FEEDS", "Feed", "FeedStore"]

# Enough for every customs-related source; a bigger list is a mistake (an OPML file of a
# whole news reader) and would make one ingest round take hours at one request a second.
MAX_FEEDS = 200


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: its number in the list (the row id, what ``/feeds remove N`` takes)."""

    id: int
    url: str
    title: str
    origin: str  # 'seed' (environment), 'admin' (/feeds add) or 'opml' (an imported file)


def _now() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds")


class FeedStore:
    """Reads and writes the ``feeds`` table."""

    def __init__(self, database: Database) -> None:
        """Use `database` (already migrated)."""
        self._db = database

    def active(self) -> list[Feed]:
        """The feeds the ingest reads, in the order they were added."""
        rows = self._db.read(lambda c: c.execute(
            "SELECT id, url, title, origin FROM feeds WHERE removed_at IS NULL ORDER BY id"
        ).fetchall())
        return [Feed(*row) for row in rows]

    def urls(self) -> tuple[str, ...]:
        """The active feeds' addresses, for `corpus.ingest.IngestConfig`."""
        return tuple(feed.url for feed in self.active())

    def seed(self, urls: Iterable[str]) -> int:
        """Add the seed feeds the table has never held; returns how many were added."""
        def insert(conn: sqlite3.Connection) -> int:
            added = 0
            for url in urls:
                cursor = conn.execute(
                    "INSERT INTO feeds (url, url_key, origin, added_at) VALUES (?, ?, 'seed', ?) "
                    "ON CONFLICT (url_key) DO NOTHING", (url, url_key(url), _now()))
                added += cursor.rowcount
            return added

        return self._db.write(insert)

    def add_many(self, entries: Sequence[tuple[str, str]], *, origin: str,
                 added_by: int | None) -> tuple[list[Feed], int]:
        """Add (url, title) pairs in one transaction: the feeds added (or revived), and
        how many were already in the list.

        Raises:
            ValueError: the list would grow beyond `MAX_FEEDS` (nothing is added then).
        """
        def insert(conn: sqlite3.Connection) -> tuple[list[Feed], int]:
            added: list[Feed] = []
            already = 0
            for url, title in entries:
                key = url_key(url)
                row = conn.execute("SELECT id, removed_at FROM feeds WHERE url_key = ?",
                                   (key,)).fetchone()
                if row is not None and row[1] is None:
                    already += 1
                    continue
                if row is not None:
                    conn.execute(
                        "UPDATE feeds SET url = ?, title = ?, origin = ?, added_by = ?, "
                        "added_at = ?, removed_at = NULL WHERE id = ?",
                        (url, title, origin, added_by, _now(), row[0]))
                    added.append(Feed(row[0], url, title, origin))
                    continue
                cursor = conn.execute(
                    "INSERT INTO feeds (url, url_key, title, origin, added_by, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (url, key, title, origin, added_by, _now()))
                added.append(Feed(int(cursor.lastrowid or 0), url, title, origin))
            total = conn.execute(
                "SELECT COUNT(*) FROM feeds WHERE removed_at IS NULL").fetchone()[0]
            if total > MAX_FEEDS:
                raise ValueError(f"at most {MAX_FEEDS} feeds")  # rolls the whole batch back
            return added, already

        return self._db.write(insert)

    def remove(self, feed_id: int) -> Feed | None:
        """Stop reading feed number `feed_id`; the feed, or None if there is no such one."""
        def mark(conn: sqlite3.Connection) -> Feed | None:
            row = conn.execute("SELECT id, url, title, origin FROM feeds "
                               "WHERE id = ? AND removed_at IS NULL", (feed_id,)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE feeds SET removed_at = ? WHERE id = ?", (_now(), feed_id))
            return Feed(*row)

        return self._db.write(mark)

    aactive = off_loop(active)
    aurls = off_loop(urls)
    aadd_many = off_loop(add_many)
    aremove = off_loop(remove)
