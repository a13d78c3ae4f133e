"""Articles the bot has seen, and the broadcast of the new ones, in one transaction.

An article is *new* when neither its id nor its content hash is known (a file renamed or
moved is not news). `KnownArticles.record` marks every article of a corpus scan as known
and, for each new directive, writes its card and one ledger row per matching active
subscription -- all or nothing, so a crash can neither announce an article twice nor
mark it known without announcing it.

Two situations record everything and announce nothing (a *baseline*): the very first
start (nothing known yet), and a corpus directory other than the one the known articles
came from -- otherwise switching corpora would broadcast thousands of old directives.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.directives.filters import ArticleTerms, Filters
from bot.store.backends import KnownBackend
from bot.store.database import Database
from bot.store.ledger import insert_deliveries

__all__ = ["KnownArticles", "NewDirective", "RecordResult"]

logger = logging.getLogger(__name__)

_ROOT_KEY = "corpus_root"


@dataclass(frozen=True, slots=True)
class NewDirective:
    """A directive about to be announced: its card and what filters match against."""

    article_id: str
    kind: str
    code: str | None
    html: str
    markup: dict[str, Any] | None
    terms: ArticleTerms


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What one `record` did."""

    baseline: bool
    new_articles: int = 0
    queued: tuple[str, ...] = ()  # directives announced (article ids)
    repeated: tuple[str, ...] = ()  # new articles about a document already announced
    deliveries: int = 0
    unmatched: tuple[str, ...] = field(default=())  # announced, but no subscription matched


class KnownArticles(KnownBackend):
    """The ``known_articles`` table and the enqueueing of new directives, in SQLite."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        """Store in `database`; `clock` gives Unix seconds."""
        self._db = database
        self._clock = clock

    def count(self) -> int:
        """How many articles are known."""
        return int(self._db.read(
            lambda c: c.execute("SELECT COUNT(*) FROM known_articles").fetchone()[0]))

    def new_ids(self, corpus_root: str, articles: Sequence[tuple[str, str]]) -> list[str] | None:
        """Ids among (id, content hash) pairs that `record` would find new.

        None when `record` would make a baseline (nothing would be announced).
        """
        def find(conn: sqlite3.Connection) -> list[str] | None:
            if _is_baseline(conn, corpus_root):
                return None
            ids, hashes = _known(conn)
            return [a for a, h in articles if a not in ids and h not in hashes]

        return self._db.read(find)

    def record(self, corpus_root: str, articles: Sequence[tuple[str, str]],
               directives: Mapping[str, NewDirective]) -> RecordResult:
        """Mark `articles` (id, content hash) known; announce the new ones in `directives`.

        `directives` holds the cards of the new articles that are directives (see
        `new_ids`); a new article missing from it is recorded without an announcement.
        """
        now = self._clock()
        first_seen = dt.datetime.fromtimestamp(now, tz=dt.UTC).isoformat()

        def write(conn: sqlite3.Connection) -> RecordResult:
            baseline = _is_baseline(conn, corpus_root)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (_ROOT_KEY, corpus_root))
            ids, hashes = _known(conn)
            new = [(a, h) for a, h in articles if a not in ids and h not in hashes]
            conn.executemany(
                "INSERT INTO known_articles (article_id, content_hash, first_seen) "
                "VALUES (?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                "content_hash = excluded.content_hash",
                [(a, h, first_seen) for a, h in articles if ids.get(a) != h],
            )
            if baseline:
                return RecordResult(baseline=True, new_articles=len(new))
            return _announce(conn, [a for a, _ in new], directives, now, first_seen)

        return self._db.write(write)


def _is_baseline(conn: sqlite3.Connection, corpus_root: str) -> bool:
    known = conn.execute("SELECT COUNT(*) FROM known_articles").fetchone()[0]
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_ROOT_KEY,)).fetchone()
    if known and row is not None and row[0] != corpus_root:
        logger.warning("corpus directory changed (%s -> %s): its articles are recorded as "
                       "known, none is announced", row[0], corpus_root)
        return True
    return not known


def _known(conn: sqlite3.Connection) -> tuple[dict[str, str], set[str]]:
    ids = dict(conn.execute("SELECT article_id, content_hash FROM known_articles").fetchall())
    return ids, set(ids.values())


def _announce(conn: sqlite3.Connection, new_ids: Sequence[str],
              directives: Mapping[str, NewDirective], now: float,
              created_at: str) -> RecordResult:
    subscribers = [
        (chat_id, Filters.from_json(kinds, keywords))
        for chat_id, kinds, keywords in conn.execute(
            "SELECT chat_id, kinds, keywords FROM subscriptions WHERE active = 1 "
            "ORDER BY chat_id")
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
                "SELECT 1 FROM broadcast_items WHERE document_code = ? COLLATE NOCASE",
                (directive.code,)).fetchone():
            repeated.append(article_id)
            continue
        item_id = int(conn.execute(
            "INSERT INTO broadcast_items (kind, article_id, document_code, html, markup, "
            "status, created_at) VALUES ('directive', ?, ?, ?, ?, 'queued', ?)",
            (article_id, directive.code, directive.html,
             json.dumps(directive.markup) if directive.markup else None, created_at),
        ).lastrowid or 0)
        chats = [chat_id for chat_id, filters in subscribers
                 if filters.matches(directive.kind, directive.terms)]
        deliveries += insert_deliveries(conn, item_id, chats, now)
        queued.append(article_id)
        if not chats:
            unmatched.append(article_id)
    return RecordResult(False, len(new_ids), tuple(queued), tuple(repeated), deliveries,
                        tuple(unmatched))
