"""Feed bytes (RSS 0.9x/2.0, Atom, RDF) to entries, through feedparser.

feedparser recovers what it can from malformed XML (it sets ``bozo``); we keep the
entries it recovered and only call the feed broken when nothing feed-like came out.
Entries are plain values: text fields are unescaped and stripped of markup, dates are
Vietnam dates (a story published at 06:00 in Hà Nội is dated that day, not the UTC
day before), and links are resolved against the feed's own address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["VIETNAM", "FeedEntry", "ParsedFeed", "parse_feed"]

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed; `key` identifies it within its feed across rounds."""

    key: str
    link: str
    title: str = ""
    published: dt.date | None = None
    author: str = ""
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The entries of a feed, or why it is not one (`problem` set, no entries)."""

    entries: tuple[FeedEntry, ...] = ()
    problem: str = ""
    note: str = ""  # e.g. malformed XML from which entries were still recovered


def parse_feed(data: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse fetched feed bytes; `url` is where they came from (base for relative links)."""
    # Without a content type feedparser guesses Latin-1; XML's own default is UTF-8.
    import feedparser  # only the ingest needs it; kept off start-up

    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, benign):
        problem = None  # a charset or content type that disagrees, decoded all the same
    if not parsed.get("version") and not parsed.entries:
        detail = f" ({_describe(problem)})" if problem else ""
        return ParsedFeed(problem=f"not an RSS or Atom feed{detail}")
    entries = tuple(_entry(raw, url) for raw in parsed.entries)
    note = f"malformed feed, entries recovered: {_describe(problem)}" if problem else ""
    return ParsedFeed(entries=entries, note=note)


def _entry(raw: Any, feed_url: str) -> FeedEntry:
    link = str(raw.get("link") or "").strip()
    title = _plain(raw.get("title"))
    summary = _plain(raw.get("summary"))
    identity = str(raw.get("id") or "").strip() or link or f"{title}\n{summary}"
    key = hashlib.blake2b(f"{feed_url}\n{identity}".encode(), digest_size=12).hexdigest()
    return FeedEntry(
        key=key,
        link=link,
        title=title,
        published=_vietnam_date(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=_author(raw),
        summary=summary,
    )


def _author(raw: Any) -> str:
    detail = raw.get("author_detail") or {}
    name = _plain(detail.get("name") if detail else None) or _plain(raw.get("author"))
    return "" if "@" in name else name  # RSS <author> is often an e-mail address


def _vietnam_date(value: time.struct_time | None) -> dt.date | None:
    if value is None:
        return None
    try:
        moment = dt.datetime(*value[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None
    return moment.astimezone(VIETNAM).date()


def _plain(value: object) -> str:
    if not value:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", str(value))).split())


def _describe(problem: object) -> str:
    text = str(problem) or type(problem).__name__
    return text if len(text) <= 120 else text[:117] + "..."
