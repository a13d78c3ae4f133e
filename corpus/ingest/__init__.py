"""News ingest: new articles from customs news feeds into the corpus, politely.

The facade is what the CLI and the bot need: build an `IngestConfig`, `await
run_ingest_round(...)` for an `IngestReport`, and `read_last_report` for ``/stats``.
Nothing here knows about Telegram; reloading the index and broadcasting new directives
after a round are the bot's job (``report.new_articles`` names the files).
"""

from corpus.ingest.config import IngestConfig, parse_feed_list
from corpus.ingest.errors import IngestBusyError, IngestError
from corpus.ingest.extract import PageChecks
from corpus.ingest.fetch import FetchLimits, user_agent
from corpus.ingest.report import REASONS, FeedAlert, FeedResult, IngestReport, SkippedEntry
from corpus.ingest.round import run_ingest_round
from corpus.ingest.state import read_last_report

__all__ = [
    "REASONS",
    "FeedAlert",
    "FeedResult",
    "FetchLimits",
    "IngestBusyError",
    "IngestConfig",
    "IngestError",
    "IngestReport",
    "PageChecks",
    "SkippedEntry",
    "parse_feed_list",
    "read_last_report",
    "run_ingest_round",
    "user_agent",
]
