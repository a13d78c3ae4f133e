"""Parsed articles kept on disk, keyed by the file's content hash.

Parsing all 8,200 shared articles takes seconds; a restart or a reload should only pay
for the files that changed. The cache is one file replaced atomically (temp file +
rename), so a crash never leaves half of it. A damaged or foreign file is ignored and
rewritten: the cache can only make loading faster, never make it fail.

Layout: a magic line, the length of a zlib-compressed JSON header, the header (every
article's fields but its paragraphs), then the articles' compressed paragraphs
(`PackedParagraphs.blob`) one after the other. The text stays compressed from disk to
memory: loading reads the header and slices the blobs, it never decompresses (the JSON
cache this replaced held the text uncompressed, 47 of the cache's 179 MiB on the shared
corpus).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

from corpus.article import Article, DocumentRef
from corpus.code_version import parser_key
from corpus.packed import PackedParagraphs

__all__ = ["ArticleCache", "write_atomically"]

logger = logging.getLogger(__name__)

_KIND = "haiquan-article-cache"
_MAGIC = b"HAIQUAN-ARTICLES-1\n"
_LENGTH_BYTES = 8


class ArticleCache:
    """Parsed articles by content hash; `get` misses are parsed by the caller and `put`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # content hash -> (fields without the text, packed paragraphs)
        self._entries: dict[str, tuple[dict[str, Any], PackedParagraphs]] = {}
        self._used: set[str] = set()
        self._dirty = False
        self._load()

    def get(self, content_hash: str, article_id: str) -> Article | None:
        """The cached article with this content, under `article_id`, or None."""
        entry = self._entries.get(content_hash)
        if entry is None:
            return None
        try:
            article = _from_json(*entry, article_id, content_hash)
        except (KeyError, TypeError, ValueError):
            del self._entries[content_hash]
            return None
        self._used.add(content_hash)
        return article

    def put(self, article: Article) -> None:
        """Remember `article` under its content hash."""
        self._entries[article.content_hash] = (
            _to_json(article), PackedParagraphs.pack(article.paragraphs)
        )
        self._used.add(article.content_hash)
        self._dirty = True

    def save(self) -> None:
        """Write the entries used since opening (others are files that are gone)."""
        if not self._dirty and self._used == set(self._entries):
            return
        entries = {h: e for h, e in self._entries.items() if h in self._used}
        try:
            write_atomically(self.path, _encode(entries))
        except OSError as exc:
            logger.warning("could not write article cache %s: %s", self.path, exc)
            return
        self._entries = entries
        self._dirty = False

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            logger.warning("ignoring unreadable article cache %s: %s", self.path, exc)
            return
        try:
            self._entries = _decode(data)
        except ValueError as exc:
            logger.warning("ignoring article cache %s: %s", self.path, exc)


def _encode(entries: dict[str, tuple[dict[str, Any], PackedParagraphs]]) -> bytes:
    articles: dict[str, Any] = {}
    blobs: list[bytes] = []
    offset = 0
    for content_hash, (fields, packed) in entries.items():
        blob = packed.blob
        articles[content_hash] = {
            **fields,
            "text": [offset, len(blob), len(packed), zlib.crc32(blob), packed.digest],
        }
        blobs.append(blob)
        offset += len(blob)
    header = zlib.compress(json.dumps(
        {"kind": _KIND, "version": parser_key(), "articles": articles}, ensure_ascii=False
    ).encode("utf-8"))
    return b"".join([_MAGIC, len(header).to_bytes(_LENGTH_BYTES, "little"), header, *blobs])


def _decode(data: bytes) -> dict[str, tuple[dict[str, Any], PackedParagraphs]]:
    """The entries of a cache file; ValueError when it is foreign, outdated or damaged.

    Blobs are not unpacked here (unpacking all would cost what the compressed storage
    saves), only checked against their checksums: a damaged entry is left out and its
    file parsed again."""
    if not data.startswith(_MAGIC):
        raise ValueError("foreign or outdated format")
    start = len(_MAGIC) + _LENGTH_BYTES
    size = int.from_bytes(data[len(_MAGIC) : start], "little")
    if start + size > len(data):
        raise ValueError("truncated header")
    try:
        payload = json.loads(zlib.decompress(data[start : start + size]))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable header: {exc}") from exc
    if (
        not isinstance(payload, dict)
        or payload.get("kind") != _KIND
        or payload.get("version") != parser_key()
        or not isinstance(payload.get("articles"), dict)
    ):
        raise ValueError("foreign or outdated format")
    blobs = memoryview(data)[start + size :]
    entries: dict[str, tuple[dict[str, Any], PackedParagraphs]] = {}
    for content_hash, fields in payload["articles"].items():
        packed = _entry_text(fields, blobs)
        if packed is not None:  # else that one file is parsed again
            entries[content_hash] = (fields, packed)
    return entries


def _entry_text(fields: Any, blobs: memoryview) -> PackedParagraphs | None:
    """The packed paragraphs an entry points to (taken out of `fields`), or None when
    the entry is malformed or its bytes fail their checksum."""
    try:
        offset, length, count, checksum, digest = fields.pop("text")
        blob = bytes(blobs[offset : offset + length])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if offset < 0 or length != len(blob) or zlib.crc32(blob) != checksum:
        return None
    return PackedParagraphs(blob, int(count), str(digest))


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _ref_to_json(ref: DocumentRef) -> list[Any]:
    return [ref.kind, ref.number, ref.year, ref.issuer, ref.code, ref.text]


def _ref_from_json(data: list[Any]) -> DocumentRef:
    kind, number, year, issuer, code, text = data
    return DocumentRef(str(kind), str(number), year, issuer, code, str(text))


def _to_json(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "url": article.source_url,
        "teaser": article.teaser,
        "author": article.author,
        "summary": article.summary,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "date_source": article.date_source,
        "documents": [_ref_to_json(r) for r in article.documents],
        "directive": _ref_to_json(article.directive) if article.directive else None,
    }


def _from_json(
    entry: dict[str, Any], paragraphs: PackedParagraphs, article_id: str, content_hash: str
) -> Article:
    published = entry["published"]
    directive = entry["directive"]
    return Article(
        id=article_id,
        title=entry["title"],
        source_url=entry["url"],
        paragraphs=paragraphs,
        content_hash=content_hash,
        teaser=entry["teaser"],
        author=entry["author"],
        summary=entry["summary"],
        source=entry["source"],
        published=dt.date.fromisoformat(published) if published else None,
        date_source=str(entry["date_source"]),
        documents=tuple(_ref_from_json(r) for r in entry["documents"]),
        directive=_ref_from_json(directive) if directive else None,
    )
