"""Ingest settings: which feeds, how politely, and when to give up or call for help."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.ingest.extract import PageChecks
from corpus.ingest.fetch import FetchLimits

__all__ = ["IngestConfig", "parse_feed_list"]

_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """Everything a round needs besides the corpus and data directories.

    Backoff: a feed that failed n rounds in a row is next tried after
    ``min(backoff_base * 2**(n-1), backoff_max)`` seconds; at `alert_after` failures in
    a row the report carries a `FeedAlert` (once per run of failures).
    """

    feeds: tuple[str, ...]
    limits: FetchLimits = field(default_factory=FetchLimits)
    checks: PageChecks = field(default_factory=PageChecks)
    feed_max_bytes: int = 5 * 1024 * 1024  # big sites' feeds carry full text
    contact: str = ""  # URL or e-mail for the User-Agent, so site owners can reach us
    max_new_per_feed: int = 50  # per round; the rest waits for the next round
    concurrency: int = 4  # pages in flight per round (the per-host pace still applies)
    max_entry_attempts: int = 3  # transient failures of one entry before giving up
    backoff_base: float = 600.0
    backoff_max: float = 6 * 3600.0
    alert_after: int = 3

    def __post_init__(self) -> None:
        """Reject values that would make a round misbehave rather than fail loudly later."""
        if self.concurrency < 1 or self.max_new_per_feed < 1 or self.max_entry_attempts < 1:
            raise ValueError("concurrency, max_new_per_feed and max_entry_attempts must be >= 1")
        if self.alert_after < 1 or self.backoff_base <= 0 or self.backoff_max < self.backoff_base:
            raise ValueError("need alert_after >= 1 and 0 < backoff_base <= backoff_max")


def parse_feed_list(text: str) -> tuple[str, ...]:
    """Feed URLs from ``$HAIQUAN_FEEDS`` style text (comma or whitespace separated),
    without duplicates, in order."""
    return tuple(dict.fromkeys(url for url in _SEPARATORS.split(text) if url))
