"""Short, stable keys for articles, for callback data, deep links and inline result ids.

An article id is its file path (often over 100 bytes); a key is 8 URL-safe characters
derived from it, so it fits Telegram's 64-byte callback data and ``/start`` payloads,
stays valid across restarts and reloads, and needs no table. Lookup goes through a map
built once per `Searcher` (a reload brings a new searcher and hence a new map).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import weakref

from corpus import Article
from retrieval import Searcher

__all__ = ["KEY_PATTERN", "ArticleKeys", "article_key"]

KEY_PATTERN = "[A-Za-z0-9_-]{8}"


def article_key(article_id: str) -> str:
    """8 characters of ``A-Za-z0-9_-`` naming `article_id` (48-bit hash)."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


class ArticleKeys:
    """Finds an article by key in the current searcher; the map is rebuilt after a swap."""

    def __init__(self) -> None:
        """Start with no map; the first lookup builds it."""
        self._lock = threading.Lock()
        self._searcher: weakref.ref[Searcher] | None = None
        self._ids: dict[str, str] = {}

    def find(self, searcher: Searcher, key: str) -> Article | None:
        """The article of `searcher` with this key, or None (unknown or forged key)."""
        with self._lock:
            if self._searcher is None or self._searcher() is not searcher:
                self._ids = {article_key(a.id): a.id for a in searcher.articles}
                self._searcher = weakref.ref(searcher)
            article_id = self._ids.get(key)
        return None if article_id is None else searcher.article(article_id)
