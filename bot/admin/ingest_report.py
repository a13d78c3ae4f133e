"""An ingest round in Vietnamese: the ``/ingest`` reply, the admins' alerts, ``/stats``.

Pure rendering of `corpus.ingest.IngestReport` (plain data, ASCII reason codes) into
blocks of `bot.platform.render`, which escapes every piece and packs messages under Telegram's
limits. Lists are capped: an admin needs the gist in the chat, and the whole report is
in the log and in ``haiquan-bot ingest --json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.admin.reload import CardFailure, ReloadReport
from bot.platform import texts
from bot.platform.alerts import Alert
from bot.platform.cards import text_block
from bot.platform.render import Block, Span
from bot.store import VIETNAM
from corpus.ingest import IngestReport
from retrieval import Searcher

__all__ = [
    "CARD_FAILED",
    "DETAIL_CHARS",
    "FEED_FAILING",
    "FEED_RECOVERED",
    "SHOWN",
    "admin_notes",
    "describe_error",
    "ingest_blocks",
    "last_ingest_line",
    "local_time",
    "reload_line",
    "unannounced_block",
]

SHOWN = 10  # items per list (new articles, failed feeds, skipped entries)
DETAIL_CHARS = 120  # of a failed feed's detail (status line, exception text)
FEED_FAILING = "feed failing"  # the alerts' kinds (`bot.platform.alerts`), keyed by the feed's URL
FEED_RECOVERED = "feed recovered"
CARD_FAILED = "card failed"  # keyed by the article id


def local_time(iso: str) -> str:
    """An ISO 8601 moment as Vietnam time, ``14:05 20/06/2024``; as given if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return texts.clock_label(moment.astimezone(VIETNAM))


def describe_error(error: str) -> str:
    """``"http_status: HTTP 503"`` (the core's `reason: detail`) in words."""
    code, _, detail = error.partition(": ")
    if code not in texts.INGEST_REASONS:
        return error
    label = texts.reason_label(code)
    return f"{label} ({_short(detail)})" if detail else label


def _short(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1].rstrip() + "…"


def _listing(header: str, lines: Sequence[str], total: int) -> Block:
    shown = list(lines[:SHOWN])
    if total > len(shown):
        shown.append(texts.more_items(total - len(shown)))
    return (Span(f"{header} ({texts.number(total)}):", bold=True), Span("\n" + "\n".join(shown)))


def _title(searcher: Searcher, article_id: str) -> str:
    article = searcher.article(article_id)
    return article.title if article is not None else ""


def reload_line(reload: ReloadReport | None) -> str:
    """What the reload after the round did, for subscribers above all."""
    if reload is None:
        return texts.INGEST_NOTHING_NEW
    if not reload.ok:
        return texts.ingest_reload_failed(reload.error or "?")
    recorded = reload.recorded
    if recorded is None:
        return texts.RELOAD_HEADER_OK
    return texts.ingest_reloaded(recorded.baseline, len(recorded.queued), recorded.deliveries,
                                 len(recorded.repeated))


def unannounced_block(failures: Sequence[CardFailure]) -> Block | None:
    """The new directives whose card failed (not announced, retried at the next reload),
    by file; in the ``/reload`` and ``/ingest`` reports."""
    if not failures:
        return None
    lines = [texts.skipped_line(f.article_id, f.error) for f in failures[:SHOWN]]
    return _listing(texts.UNANNOUNCED_HEADER, lines, len(failures))


def ingest_blocks(report: IngestReport, reload: ReloadReport | None,
                  searcher: Searcher) -> list[Block]:
    """The reply to ``/ingest``: counts, new articles (titles from `searcher`, the index
    after the reload), failed feeds, skipped entries, and the reload's outcome."""
    blocks: list[Block] = [(
        Span(texts.INGEST_HEADER, bold=True),
        Span("\n" + texts.ingest_summary(
            seconds=report.seconds, checked=report.feeds_checked,
            not_modified=report.feeds_not_modified, failed=report.feeds_failed,
            deferred=report.feeds_deferred, new=len(report.new_articles),
            skipped=len(report.skipped))),
    )]
    if report.new_articles:
        lines = [texts.new_article_line(_title(searcher, article_id), article_id)
                 for article_id in report.new_articles[:SHOWN]]
        blocks.append(_listing(texts.NEW_ARTICLES_HEADER, lines, len(report.new_articles)))
    troubled = [f for f in report.feeds if f.status in ("failed", "deferred")]
    if troubled:
        lines = [texts.feed_failure_line(
            f.url, describe_error(f"{f.reason}: {f.detail}" if f.detail else f.reason),
            f.failures, deferred=f.status == "deferred") for f in troubled[:SHOWN]]
        blocks.append(_listing(texts.FAILED_FEEDS_HEADER, lines, len(troubled)))
    if report.skipped:
        lines = [texts.skipped_entry_line(s.url, texts.reason_label(s.reason), s.will_retry)
                 for s in report.skipped[:SHOWN]]
        blocks.append(_listing(texts.SKIPPED_ENTRIES_HEADER, lines, len(report.skipped)))
    blocks.append(text_block(reload_line(reload)))
    if reload is not None and (failed := unannounced_block(reload.unannounced)):
        blocks.append(failed)
    return blocks


def admin_notes(report: IngestReport, reload: ReloadReport | None = None) -> list[Alert]:
    """What every admin hears of a round: feeds that just crossed the alert threshold
    (once per outage: the core remembers it, and `bot.platform.alerts` deduplicates by feed), feeds
    back after an alert, and this round's new directives whose card failed (once: a retry
    at a later reload is only logged)."""
    notes = [Alert(FEED_FAILING, alert.feed, texts.feed_alert(
        alert.feed, alert.failures, describe_error(alert.last_error),
        local_time(alert.next_attempt))) for alert in report.alerts]
    notes += [Alert(FEED_RECOVERED, url, texts.feed_recovered(url)) for url in report.recovered]
    if reload is not None:
        new = set(report.new_articles)
        notes += [Alert(CARD_FAILED, f.article_id, texts.card_failed_note(f.article_id))
                  for f in reload.unannounced if f.article_id in new]
    return notes


def last_ingest_line(report: IngestReport | None, now: dt.datetime) -> str:
    """The ``/stats`` line: when the last round ran, what it found, how many feeds failed."""
    if report is None:
        return texts.LAST_INGEST_NEVER
    try:
        started = dt.datetime.fromisoformat(report.started)
        age = texts.age_label((now - started).total_seconds())
    except (ValueError, TypeError):  # a foreign or naive timestamp: say when, not how long
        age = "?"
    return texts.last_ingest_line(when=local_time(report.started), age=age,
                                  new=len(report.new_articles), failed=report.feeds_failed,
                                  checked=report.feeds_checked)
