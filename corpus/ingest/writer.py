"""Extracted articles to front-matter files with stable names.

An article from ``https://baohaiquan.vn/hai-quan-quang-ninh-thong-quan.html`` becomes
``baohaiquan.vn/hai-quan-quang-ninh-thong-quan.md`` under the corpus root: one folder per
site (admins see where a file came from), the name from the address's last path
segment folded to ASCII. The same address always gives the same name. Addresses whose
last segment says nothing (``index.jsp?aid=…``, ``/4711``) or that collide with an
existing file of another article get a short hash of the address appended.

Files are written with `corpus.write_atomically` (temp file, fsync, rename): readers see
no file or the whole file. A name already holding another article is never replaced;
only ingest writes these folders, and only under the round's lock.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from corpus.cache import write_atomically
from corpus.errors import ArticleParseError
from corpus.ingest.extract import ExtractedArticle
from corpus.ingest.feeds import FeedEntry
from corpus.ingest.urls import url_key
from corpus.normalize import fold_diacritics, normalize_line
from corpus.parse import parse_article, render_front_matter

__all__ = ["candidate_ids", "pick_article_id", "render_article", "source_url", "write_article"]

_EXTENSION = re.compile(r"\.(?:s?html?|aspx?|php\d?|jsp|cfm|vnp|cgi)$", re.IGNORECASE)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_HOST = re.compile(r"[^a-z0-9.-]+|\.{2,}")
_GENERIC = frozenset(
    {"index", "default", "detail", "details", "chi-tiet", "view", "news", "tin-tuc", "article",
     "bai-viet", "post", "item", "print", "amp", "home", "trang-chu"}
)
MAX_SLUG = 80


def source_url(fetched_url: str, canonical: str) -> str:
    """The address to record: the page's canonical one, unless it is missing, not
    http(s), or a site root (a common misconfiguration that would merge all articles)."""
    if not canonical:
        return fetched_url
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return fetched_url
    if parts.path.strip("/") == "" and not parts.query and urlsplit(fetched_url).path.strip("/"):
        return fetched_url
    return canonical


def candidate_ids(url: str) -> tuple[str, str]:
    """The preferred article id for `url`, then the hashed one used on a collision."""
    parts = urlsplit(url)
    host = (parts.hostname or "unknown-host").lower().removeprefix("www.")
    folder = _NOT_HOST.sub("-", fold_diacritics(host)).strip(".-") or "unknown-host"
    segments = [unquote(s) for s in parts.path.split("/") if s]
    base = _slugify(_EXTENSION.sub("", segments[-1])) if segments else ""
    if sum(ch.isalpha() for ch in base) < 3 and len(segments) > 1:
        base = _slugify(f"{segments[-2]}-{_EXTENSION.sub('', segments[-1])}")
    base = base[:MAX_SLUG].rstrip("-")
    digest = hashlib.blake2b(url_key(url).encode("utf-8"), digest_size=4).hexdigest()
    hashed = f"{folder}/{base or 'bai-viet'}-{digest}.md"
    if not base or base in _GENERIC or parts.query:
        return hashed, hashed
    return f"{folder}/{base}.md", hashed


def pick_article_id(corpus_dir: Path, url: str) -> tuple[str | None, str | None]:
    """(free id to write, None) or (None, id of the file that already holds `url`).

    (None, None) means both candidate names hold other articles.
    """
    key = url_key(url)
    for article_id in dict.fromkeys(candidate_ids(url)):
        path = corpus_dir / article_id
        if not path.exists():
            return article_id, None
        try:
            existing = parse_article(path.read_bytes(), article_id)
        except (OSError, ArticleParseError):
            continue
        if url_key(existing.source_url) == key:
            return None, article_id
    return None, None


def render_article(article: ExtractedArticle, entry: FeedEntry, url: str) -> str:
    """The file text: feed title and date first (the publisher's own metadata), the
    page's when the feed has none; author from the page's byline, else the feed's."""
    published = entry.published or article.published
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return render_front_matter(
        title=normalize_line(entry.title) or article.title,
        url=url,
        paragraphs=list(article.paragraphs),
        date=published.isoformat() if published else "",
        source=host,
        author=article.author or normalize_line(entry.author),
        summary=article.summary,
    )


def write_article(corpus_dir: Path, article_id: str, text: str) -> None:
    """Write one article file atomically; raises OSError (nothing is left behind)."""
    write_atomically(corpus_dir / article_id, text.encode("utf-8"))


def _slugify(text: str) -> str:
    folded = fold_diacritics(normalize_line(text)).lower()
    return _NOT_SLUG.sub("-", folded).strip("-")
