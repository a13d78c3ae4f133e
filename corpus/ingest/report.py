"""What one ingest round did, as plain data: for the CLI, logs, admins and ``/stats``.

Reasons are short ASCII codes (`REASONS` gives each an English gloss) so that the bot
can word them in Vietnamese in ``bot/platform/texts/`` without parsing sentences; `detail`
carries the specifics (status code, sizes, the article a duplicate matches).
The report round-trips through JSON (`to_json` / `from_json`), which is how the last
round is kept in the data directory for ``/stats``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "FEED_STATUSES",
    "REASONS",
    "FeedAlert",
    "FeedResult",
    "IngestReport",
    "SkippedEntry",
]

REASONS: dict[str, str] = {
    "refused_url": "address refused (not http(s), or a private address)",
    "private_address": "host resolves to a loopback, private or otherwise non-public address",
    "timeout": "no complete answer in time",
    "too_large": "answer larger than the size cap",
    "redirects": "too many redirects",
    "http_status": "error status from the server",
    "network": "connection failed",
    "not_feed": "not an RSS or Atom feed",
    "no_link": "feed entry without a link",
    "not_html": "not an HTML page",
    "bad_html": "HTML that cannot be parsed",
    "empty_extraction": "no main text found",
    "not_article": "too little text for an article (index or list page?)",
    "not_vietnamese": "not in Vietnamese",
    "duplicate_url": "already in the corpus (same address)",
    "duplicate_content": "already in the corpus (same text under another address)",
    "unparseable": "extracted article would not load back",
    "name_conflict": "file name taken by another article",
    "write_failed": "could not write the file",
    "internal_error": "unexpected error (a bug: see the log)",
}

# ok: fetched and parsed; not_modified: 304; failed: no usable feed this round;
# deferred: not fetched, backing off after earlier failures.
FEED_STATUSES = ("ok", "not_modified", "failed", "deferred")


@dataclass(frozen=True, slots=True)
class FeedResult:
    """One feed in one round."""

    url: str
    status: str
    entries: int = 0  # entries in the feed document
    new: int = 0  # articles written from it
    reason: str = ""  # for failed: a `REASONS` code
    detail: str = ""  # for failed/deferred: specifics; for ok: a parser note, if any
    failures: int = 0  # consecutive failed rounds, this one included


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """A feed entry that did not become an article, and why."""

    feed: str
    url: str
    reason: str
    detail: str = ""
    will_retry: bool = False  # transient: the entry is tried again next round


@dataclass(frozen=True, slots=True)
class FeedAlert:
    """A feed that has just failed `failures` rounds in a row: time to tell the admins."""

    feed: str
    failures: int
    last_error: str
    next_attempt: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of one round; `new_articles` are corpus-relative ids (file paths)."""

    started: str  # ISO 8601, UTC
    seconds: float
    corpus: str
    feeds: tuple[FeedResult, ...] = ()
    new_articles: tuple[str, ...] = ()
    skipped: tuple[SkippedEntry, ...] = ()
    alerts: tuple[FeedAlert, ...] = ()
    recovered: tuple[str, ...] = field(default=())  # feeds back after an alert

    @property
    def feeds_checked(self) -> int:
        """Feeds requested this round (deferred ones were not)."""
        return sum(1 for f in self.feeds if f.status != "deferred")

    @property
    def feeds_failed(self) -> int:
        """Feeds that gave no usable answer this round."""
        return sum(1 for f in self.feeds if f.status == "failed")

    @property
    def feeds_not_modified(self) -> int:
        """Feeds that answered 304 Not Modified."""
        return sum(1 for f in self.feeds if f.status == "not_modified")

    @property
    def feeds_deferred(self) -> int:
        """Feeds skipped this round because they are backing off."""
        return sum(1 for f in self.feeds if f.status == "deferred")

    def summary(self) -> str:
        """Plain text for a terminal or a log: one headline, then one line per item."""
        lines = [
            f"ingest {self.started}: {self.feeds_checked} feeds checked "
            f"({self.feeds_not_modified} not modified, {self.feeds_failed} failed, "
            f"{self.feeds_deferred} deferred), {len(self.new_articles)} new articles, "
            f"{len(self.skipped)} skipped, {self.seconds:.1f}s"
        ]
        lines += [f"new: {article_id}" for article_id in self.new_articles]
        for item in self.skipped:
            retry = " (will retry)" if item.will_retry else ""
            url = item.url or "(no link)"
            lines.append(f"skipped: {url}: {item.reason}: {item.detail}{retry}")
        for feed in self.feeds:
            if feed.status in ("failed", "deferred"):
                why = ": ".join(part for part in (feed.reason, feed.detail) if part)
                lines.append(f"{feed.status}: {feed.url}: {why}")
        for alert in self.alerts:
            lines.append(
                f"alert: {alert.feed} failed {alert.failures} rounds in a row "
                f"(last: {alert.last_error}); next attempt {alert.next_attempt}"
            )
        lines += [f"recovered: {url}" for url in self.recovered]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (also the ``ingest --json`` output)."""
        return {
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "corpus": self.corpus,
            "feeds_checked": self.feeds_checked,
            "feeds_failed": self.feeds_failed,
            "feeds_not_modified": self.feeds_not_modified,
            "feeds_deferred": self.feeds_deferred,
            "feeds": [_fields(f) for f in self.feeds],
            "new_articles": list(self.new_articles),
            "skipped": [_fields(s) for s in self.skipped],
            "alerts": [_fields(a) for a in self.alerts],
            "recovered": list(self.recovered),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IngestReport:
        """Inverse of `to_json`; raises KeyError/TypeError/ValueError on foreign data."""
        return cls(
            started=str(data["started"]),
            seconds=float(data["seconds"]),
            corpus=str(data["corpus"]),
            feeds=tuple(FeedResult(**f) for f in data["feeds"]),
            new_articles=tuple(str(a) for a in data["new_articles"]),
            skipped=tuple(SkippedEntry(**s) for s in data["skipped"]),
            alerts=tuple(FeedAlert(**a) for a in data["alerts"]),
            recovered=tuple(str(u) for u in data["recovered"]),
        )


def _fields(value: FeedResult | SkippedEntry | FeedAlert) -> dict[str, Any]:
    return asdict(value)
