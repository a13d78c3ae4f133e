"""Which articles the corpus already holds, by address and by text.

Duplicates are caught two ways: by `url_key` (the same address spelled differently)
and by `text_fingerprint` (the same story under two addresses, or republished by a
second outlet). Both are computed for every file in the corpus -- hand-written and
republished articles count, not only ingested ones.

Parsing the 8,200-article shared corpus takes about 8 s, too slow for every round of a
bot that also answers questions. ``corpus-index.json`` keeps each file's size and
modification time with its key and fingerprint, so a round only parses files that are
new or changed since the last one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.cache import write_atomically
from corpus.errors import ArticleParseError
from corpus.ingest.urls import url_key
from corpus.loader import MAX_FILE_BYTES, iter_article_files
from corpus.normalize import normalize_text
from corpus.parse import parse_article

__all__ = ["KnownArticles", "scan_corpus", "text_fingerprint"]

logger = logging.getLogger(__name__)

_KIND = "haiquan-ingest-corpus-index"
_VERSION = 1
_WORD = re.compile(r"\w+")


def text_fingerprint(paragraphs: Iterable[str]) -> str:
    """Equal for texts that differ only in case, spacing, punctuation or Unicode form."""
    words = _WORD.findall(normalize_text("\n".join(paragraphs)).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


@dataclass(slots=True)
class KnownArticles:
    """Address keys and text fingerprints of the corpus, each mapped to an article id."""

    urls: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def by_url(self, *urls: str) -> str | None:
        """The id of an article known under any of `urls`, or None."""
        for url in urls:
            if url and (found := self.urls.get(url_key(url))):
                return found
        return None

    def add(self, article_id: str, urls: Iterable[str], fingerprint: str) -> None:
        """Remember an article under every address it is known by (and its text, if given)."""
        self.ids.add(article_id)
        for url in urls:
            if url:
                self.urls.setdefault(url_key(url), article_id)
        if fingerprint:
            self.fingerprints.setdefault(fingerprint, article_id)


def scan_corpus(corpus_dir: Path, index_path: Path) -> KnownArticles:
    """Keys and fingerprints of every article file under `corpus_dir`.

    Unusable files are left out (the loader reports them); blocking, run it in a thread.
    """
    old = _load_index(index_path, corpus_dir)
    new: dict[str, list[object]] = {}
    known = KnownArticles()
    files, _ = iter_article_files(corpus_dir)
    for article_id, path in files:
        known.ids.add(article_id)
        try:
            stat = path.stat()
        except OSError:
            continue
        entry = old.get(article_id)
        if entry is None or entry[:2] != [stat.st_mtime_ns, stat.st_size]:
            entry = [stat.st_mtime_ns, stat.st_size, *_describe(path, article_id, stat.st_size)]
        new[article_id] = entry
        key, fingerprint = entry[2], entry[3]
        if isinstance(key, str):
            known.urls.setdefault(key, article_id)
        if isinstance(fingerprint, str):
            known.fingerprints.setdefault(fingerprint, article_id)
    if new != old:
        payload = {"kind": _KIND, "version": _VERSION, "root": str(corpus_dir), "files": new}
        try:
            write_atomically(index_path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:  # only a speed-up: the next round parses again
            logger.warning("could not write ingest corpus index %s: %s", index_path, exc)
    return known


def _describe(path: Path, article_id: str, size: int) -> tuple[str | None, str | None]:
    if size > MAX_FILE_BYTES:
        return None, None
    try:
        article = parse_article(path.read_bytes(), article_id)
    except (OSError, ArticleParseError):
        return None, None
    return url_key(article.source_url), text_fingerprint(article.paragraphs)


def _load_index(path: Path, corpus_dir: Path) -> dict[str, list[object]]:
    try:
        payload = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable ingest corpus index %s: %s", path, exc)
        return {}
    if (
        not isinstance(payload, dict)
        or payload.get("kind") != _KIND
        or payload.get("version") != _VERSION
        or payload.get("root") != str(corpus_dir)
        or not isinstance(payload.get("files"), dict)
    ):
        return {}
    return {
        str(k): v
        for k, v in payload["files"].items()
        if isinstance(v, list) and len(v) == 4
    }
