"""Known articles and the announcement of new directives, in PostgreSQL.

The rules are `bot.store.known`'s. What several processes add: each one reloads its own
index and records the same scan. `record` therefore takes a transaction-scoped advisory
lock first, so two records run one after the other; the second finds the first's
articles known and announces nothing, and no directive is queued twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.directives.filters import Filters
from bot.store.backends import KnownBackend
from bot.store.known import NewDirective, RecordResult
from bot.store.pg_ledger import pg_insert_deliveries
from bot.store.postgres import PgDatabase

if TYPE_CHECKING:
    import psycopg

__all__ = ["RECORD_LOCK", "PgKnownArticles"]

logger = logging.getLogger(__name__)

_ROOT_KEY = "corpus_root"
RECORD_LOCK = 0x68616971_756B6E  # serialises `record` across processes


class PgKnownArticles(KnownBackend):
    """The ``known_articles`` table and the enqueueing of new directives, shared."""

    def __init__(self, database: PgDatabase, clock: Callable[[], float] = time.time) -> None:
        """Store in `database`; `clock` gives Unix seconds."""
        self._db = database
        self._clock = clock

    def count(self) -> int:
        """How many articles are known."""
        return self._db.read(lambda c: _count(c))

    def new_ids(self, corpus_root: str, articles: Sequence[tuple[str, str]]) -> list[str] | None:
        """Ids among (id, content hash) pairs that `record` would find new; None for a
        baseline."""
        def find(conn: psycopg.Connection[Any]) -> list[str] | None:
            if _is_baseline(conn, corpus_root):
                return None
            ids, hashes = _known(conn)
            return [a for a, h in articles if a not in ids and h not in hashes]

        return self._db.read(find)

    def record(self, corpus_root: str, articles: Sequence[tuple[str, str]],
               directives: Mapping[str, NewDirective]) -> RecordResult:
        """Mark `articles` known; announce the new ones in `directives`, all or nothing."""
        now = self._clock()
        first_seen = dt.datetime.fromtimestamp(now, tz=dt.UTC).isoformat()

        def write(conn: psycopg.Connection[Any]) -> RecordResult:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (RECORD_LOCK,))
            baseline = _is_baseline(conn, corpus_root)
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = EXCLUDED.value", (_ROOT_KEY, corpus_root))
            ids, hashes = _known(conn)
            new = [(a, h) for a, h in articles if a not in ids and h not in hashes]
            changed = [(a, h, first_seen) for a, h in articles if ids.get(a) != h]
            if changed:
                with conn.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO known_articles (article_id, content_hash, first_seen) "
                        "VALUES (%s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET "
                        "content_hash = EXCLUDED.content_hash", changed)
            if baseline:
                return RecordResult(baseline=True, new_articles=len(new))
            return _announce(conn, [a for a, _ in new], directives, now, first_seen)

        return self._db.write(write)


def _count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT COUNT(*) FROM known_articles").fetchone()
    return 0 if row is None else int(row[0])


def _is_baseline(conn: psycopg.Connection[Any], corpus_root: str) -> bool:
    known = _count(conn)
    row = conn.execute("SELECT value FROM meta WHERE key = %s", (_ROOT_KEY,)).fetchone()
    if known and row is not None and row[0] != corpus_root:
        logger.warning("corpus directory changed (%s -> %s): its articles are recorded as "
                       "known, none is announced", row[0], corpus_root)
        return True
    return not known


def _known(conn: psycopg.Connection[Any]) -> tuple[dict[str, str], set[str]]:
    ids = {str(a): str(h) for a, h in conn.execute(
        "SELECT article_id, content_hash FROM known_articles").fetchall()}
    return ids, set(ids.values())


def _announce(conn: psycopg.Connection[Any], new_ids: Sequence[str],
              directives: Mapping[str, NewDirective], now: float,
              created_at: str) -> RecordResult:
    subscribers = [
        (chat_id, Filters.from_json(kinds, keywords))
        for chat_id, kinds, keywords in conn.execute(
            "SELECT chat_id, kinds, keywords FROM subscriptions WHERE active ORDER BY chat_id")
    ]
    queued: list[str] = []
    repeated: list[str] = []
    unmatched: list[str] = []
    deliveries = 0
    for article_id in new_ids:
        directive = directives.get(article_id)
        if directive is None:
            continue
        if directive.code and conn.execute(
                "SELECT 1 FROM broadcast_items WHERE lower(document_code) = lower(%s)",
                (directive.code,)).fetchone():
            repeated.append(article_id)
            continue
        row = conn.execute(
            "INSERT INTO broadcast_items (kind, article_id, document_code, html, markup, "
            "status, created_at) VALUES ('directive', %s, %s, %s, %s, 'queued', %s) "
            "RETURNING id",
            (article_id, directive.code, directive.html,
             json.dumps(directive.markup) if directive.markup else None, created_at),
        ).fetchone()
        if row is None:
            raise RuntimeError("INSERT … RETURNING gave no id")
        chats = [chat_id for chat_id, filters in subscribers
                 if filters.matches(directive.kind, directive.terms)]
        deliveries += pg_insert_deliveries(conn, int(row[0]), chats, now)
        queued.append(article_id)
        if not chats:
            unmatched.append(article_id)
    return RecordResult(False, len(new_ids), tuple(queued), tuple(repeated), deliveries,
                        tuple(unmatched))
