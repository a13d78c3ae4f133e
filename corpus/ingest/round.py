"""One ingest round: every feed, every new entry, into the corpus, with a report.

A round runs in the caller's event loop (the bot's job queue or ``asyncio.run`` in the
CLI). Network waits overlap; blocking work runs in worker threads so the bot keeps
answering meanwhile: feed parsing, page extraction, rendering and re-parsing the
article, the name check, file writes, scanning the corpus, loading and saving the state,
building the HTTP client. Only the ingest lock's open and non-blocking ``flock`` stay
on the loop.

For each feed: skip it while it backs off; fetch it conditionally; then, for each entry
not settled in an earlier round, skip it if its address is already in the corpus,
otherwise fetch the page, extract it, and skip it again if its canonical address or its
text is already there; else write it. Check and write happen under one lock, so two
entries of the same story in one round still give one file.

An entry is *settled* (never looked at again) once written or skipped for a lasting
reason. Transient failures (timeouts, 5xx, a failed write) leave it open for the next
round, up to `IngestConfig.max_entry_attempts`; while a feed has open entries its
validators are not kept, so a 304 cannot hide them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from pathlib import Path

from corpus.errors import ArticleParseError
from corpus.ingest.config import IngestConfig
from corpus.ingest.errors import IngestError
from corpus.ingest.extract import Rejected, extract_article
from corpus.ingest.feeds import FeedEntry, parse_feed
from corpus.ingest.fetch import Fetched, Fetcher, FetchFailed, NotModified, user_agent
from corpus.ingest.known import KnownArticles, scan_corpus, text_fingerprint
from corpus.ingest.report import FeedAlert, FeedResult, IngestReport, SkippedEntry
from corpus.ingest.state import (
    FeedState,
    IngestState,
    ingest_dir,
    load_state,
    lock_ingest,
    save_state,
    write_last_report,
)
from corpus.ingest.urls import redact_url, refuse_url, url_key
from corpus.ingest.writer import pick_article_id, render_article, source_url, write_article
from corpus.parse import parse_article

__all__ = ["run_ingest_round"]

logger = logging.getLogger(__name__)

_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

WRITTEN, SKIPPED, RETRY = "written", "skipped", "retry"


async def run_ingest_round(
    config: IngestConfig,
    corpus_dir: Path,
    data_dir: Path,
    *,
    fetcher: Fetcher | None = None,
    ignore_backoff: bool = False,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Run one round over `config.feeds` into `corpus_dir`; state lives in `data_dir`.

    `fetcher` defaults to a new `Fetcher` with `config.limits` (closed afterwards; a
    given one is left open). `ignore_backoff` fetches failing feeds anyway (an admin's
    explicit "now"). `now` (aware, UTC) is for tests of backoff.

    Raises:
        IngestError: the corpus directory is missing, the data directory unusable, or
            the state could not be saved.
        IngestBusyError: another round holds this corpus's lock.
    """
    clock = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    if not await asyncio.to_thread(corpus_dir.is_dir):
        raise IngestError(f"corpus directory not found: {corpus_dir}")
    folder = ingest_dir(data_dir, corpus_dir)
    with lock_ingest(folder):
        state = await asyncio.to_thread(load_state, folder)
        known = await asyncio.to_thread(scan_corpus, corpus_dir, folder / "corpus-index.json")
        for key, article_id in state.urls.items():
            known.urls.setdefault(key, article_id)
        for fingerprint, article_id in state.fingerprints.items():
            known.fingerprints.setdefault(fingerprint, article_id)
        own = fetcher is None
        # A new client loads the system's certificates: tens of milliseconds of file reads.
        client = fetcher or await asyncio.to_thread(_new_fetcher, config)
        try:
            work = _Round(config, corpus_dir, state, known, client, clock, ignore_backoff)
            feeds = dict.fromkeys(config.feeds)
            results = await asyncio.gather(*(work.feed(url) for url in feeds))
        finally:
            if own:
                await client.aclose()
        report = IngestReport(
            started=clock.isoformat(timespec="seconds"),
            seconds=round(time.perf_counter() - started, 3),
            corpus=str(corpus_dir),
            feeds=tuple(results),
            new_articles=tuple(sorted(work.new_articles)),
            skipped=tuple(work.skipped),
            alerts=tuple(work.alerts),
            recovered=tuple(work.recovered),
        )
        try:
            await asyncio.to_thread(_save, folder, state, report)
        except OSError as exc:
            raise IngestError(f"ingest state not saved in {folder}: {exc}") from exc
    logger.info(
        "ingest round: %d feeds checked, %d failed, %d new articles, %d skipped, %.1fs",
        report.feeds_checked, report.feeds_failed, len(report.new_articles),
        len(report.skipped), report.seconds,
    )
    return report


class _Round:
    """The mutable bookkeeping of one round; lives only inside `run_ingest_round`."""

    def __init__(
        self,
        config: IngestConfig,
        corpus_dir: Path,
        state: IngestState,
        known: KnownArticles,
        fetcher: Fetcher,
        now: dt.datetime,
        ignore_backoff: bool,
    ) -> None:
        self.config = config
        self.corpus_dir = corpus_dir
        self.state = state
        self.known = known
        self.fetcher = fetcher
        self.now = now
        self.ignore_backoff = ignore_backoff
        self.pages = asyncio.Semaphore(config.concurrency)
        self.write_lock = asyncio.Lock()
        self.new_articles: list[str] = []
        self.skipped: list[SkippedEntry] = []
        self.alerts: list[FeedAlert] = []
        self.recovered: list[str] = []

    async def feed(self, url: str) -> FeedResult:
        feed = self.state.feed(url)
        if not self.ignore_backoff and not feed.due(self.now):
            return FeedResult(redact_url(url), "deferred",
                              detail=f"backing off until {feed.next_attempt}",
                              failures=feed.failures)
        try:
            return await self._feed(url, feed)
        except Exception as exc:  # a bug must cost one feed, not the round
            logger.exception("ingest of feed %s failed unexpectedly", redact_url(url))
            return self._failed(url, feed, "internal_error", f"{type(exc).__name__}: {exc}")

    async def _feed(self, url: str, feed: FeedState) -> FeedResult:
        refusal = refuse_url(url, allow_private=self.config.limits.allow_private)
        if refusal is not None:
            return self._failed(url, feed, "refused_url", refusal)
        answer = await self.fetcher.get(
            url, etag=feed.etag, last_modified=feed.last_modified,
            max_bytes=self.config.feed_max_bytes, accept=_FEED_ACCEPT,
        )
        if isinstance(answer, NotModified):
            self._succeeded(url, feed)
            return FeedResult(redact_url(url), "not_modified")
        if isinstance(answer, FetchFailed):
            return self._failed(url, feed, answer.reason, answer.detail)
        parsed = await asyncio.to_thread(
            parse_feed, answer.body, url=answer.url, content_type=answer.content_type
        )
        if parsed.problem:
            return self._failed(url, feed, "not_feed", parsed.problem)
        fresh = list({e.key: e for e in parsed.entries if e.key not in self.state.seen}.values())
        batch = fresh[: self.config.max_new_per_feed]
        outcomes = await asyncio.gather(*(self._entry(url, entry) for entry in batch))
        self._succeeded(url, feed)
        if RETRY in outcomes or len(batch) < len(fresh):
            feed.etag = feed.last_modified = None  # next round must see the open entries
        else:
            feed.etag, feed.last_modified = answer.etag, answer.last_modified
        if parsed.note:
            logger.warning("feed %s: %s", redact_url(url), parsed.note)
        return FeedResult(redact_url(url), "ok", entries=len(parsed.entries),
                          new=outcomes.count(WRITTEN), detail=parsed.note)

    async def _entry(self, feed_url: str, entry: FeedEntry) -> str:
        async with self.pages:
            try:
                return await self._ingest(feed_url, entry)
            except Exception as exc:  # one odd page must not cost the feed
                logger.exception("ingest of %s failed unexpectedly", redact_url(entry.link))
                return self._skip(feed_url, entry, "internal_error",
                                  f"{type(exc).__name__}: {exc}", transient=True)

    async def _ingest(self, feed_url: str, entry: FeedEntry) -> str:
        link = entry.link
        if not link:
            return self._skip(feed_url, entry, "no_link", f"entry {entry.title[:80]!r}")
        refusal = refuse_url(link, allow_private=self.config.limits.allow_private)
        if refusal is not None:
            return self._skip(feed_url, entry, "refused_url", refusal)
        if existing := self.known.by_url(link):
            return self._skip(feed_url, entry, "duplicate_url", f"same address as {existing}")
        page = await self.fetcher.get(link, accept=_PAGE_ACCEPT)
        if isinstance(page, FetchFailed):
            return self._skip(feed_url, entry, page.reason, page.detail, page.transient)
        if not isinstance(page, Fetched):
            return self._skip(feed_url, entry, "http_status", "HTTP 304 to a plain GET", True)
        if not _is_html(page):
            return self._skip(feed_url, entry, "not_html", page.content_type or "no content type")
        extracted = await asyncio.to_thread(
            extract_article, page.body, page.url, checks=self.config.checks
        )
        if isinstance(extracted, Rejected):
            return self._skip(feed_url, entry, extracted.reason, extracted.detail)
        url = source_url(page.url, extracted.canonical_url)
        if existing := self.known.by_url(url, page.url):
            self._remember(existing, (link, page.url, url))
            return self._skip(feed_url, entry, "duplicate_url", f"same address as {existing}")
        text = await asyncio.to_thread(render_article, extracted, entry, url)
        async with self.write_lock:  # check and write as one step
            return await self._write(feed_url, entry, url, page.url, text)

    async def _write(
        self, feed_url: str, entry: FeedEntry, url: str, fetched_url: str, text: str
    ) -> str:
        article_id, holder, fingerprint = await asyncio.to_thread(
            _candidate, self.corpus_dir, url, text)
        if holder is not None:
            return self._skip(feed_url, entry, "duplicate_url", f"same address as {holder}")
        if article_id is None:
            return self._skip(feed_url, entry, "name_conflict", "both file names are taken")
        if isinstance(fingerprint, ArticleParseError):
            return self._skip(feed_url, entry, "unparseable", fingerprint.reason)
        if existing := self.known.fingerprints.get(fingerprint):
            self._remember(existing, (entry.link, fetched_url, url))
            return self._skip(feed_url, entry, "duplicate_content", f"same text as {existing}")
        try:
            await asyncio.to_thread(write_article, self.corpus_dir, article_id, text)
        except OSError as exc:
            return self._skip(feed_url, entry, "write_failed", str(exc), transient=True)
        self._remember(article_id, (entry.link, fetched_url, url), fingerprint)
        self._settle(entry)
        self.new_articles.append(article_id)
        logger.info("ingested %s", article_id)
        return WRITTEN

    def _remember(
        self, article_id: str, addresses: tuple[str, ...], fingerprint: str = ""
    ) -> None:
        """Record `article_id` under all its addresses (an alias found through a duplicate
        included), so the next variant of any of them is recognised before fetching."""
        self.known.add(article_id, addresses, fingerprint)
        for address in addresses:
            self.state.urls.setdefault(url_key(address), article_id)
        if fingerprint:
            self.state.fingerprints[fingerprint] = article_id

    def _skip(
        self, feed_url: str, entry: FeedEntry, reason: str, detail: str, transient: bool = False
    ) -> str:
        attempts = self.state.attempts.get(entry.key, 0) + 1
        retry = transient and attempts < self.config.max_entry_attempts
        if retry:
            self.state.attempts[entry.key] = attempts
        else:
            if transient:
                detail = f"{detail} (gave up after {attempts} attempts)"
            self._settle(entry)
        self.skipped.append(SkippedEntry(redact_url(feed_url), redact_url(entry.link), reason,
                                         detail, will_retry=retry))
        logger.info("skipped %s: %s: %s", redact_url(entry.link or "(no link)"), reason, detail)
        return RETRY if retry else SKIPPED

    def _settle(self, entry: FeedEntry) -> None:
        self.state.attempts.pop(entry.key, None)
        self.state.seen[entry.key] = self.now.date().isoformat()

    def _failed(self, url: str, feed: FeedState, reason: str, detail: str) -> FeedResult:
        feed.failures += 1
        feed.last_error = f"{reason}: {detail}"
        feed.last_failure = self.now.isoformat(timespec="seconds")
        delay = min(self.config.backoff_base * 2 ** (feed.failures - 1), self.config.backoff_max)
        feed.next_attempt = (self.now + dt.timedelta(seconds=delay)).isoformat(timespec="seconds")
        shown = redact_url(url)  # feed URLs may carry credentials; logs and reports must not
        logger.warning("feed %s failed (%d in a row): %s", shown, feed.failures, feed.last_error)
        if feed.failures >= self.config.alert_after and not feed.alerted:
            feed.alerted = True
            self.alerts.append(FeedAlert(shown, feed.failures, feed.last_error, feed.next_attempt))
        return FeedResult(shown, "failed", reason=reason, detail=detail, failures=feed.failures)

    def _succeeded(self, url: str, feed: FeedState) -> None:
        if feed.alerted:
            self.recovered.append(redact_url(url))
        feed.failures = 0
        feed.next_attempt = None
        feed.last_error = ""
        feed.alerted = False
        feed.last_success = self.now.isoformat(timespec="seconds")


def _candidate(corpus_dir: Path, url: str,
               text: str) -> tuple[str | None, str | None, str | ArticleParseError]:
    """(free id, None, fingerprint of the text parsed back) or (None, holder, "") or
    (id, None, why the text does not parse). Blocking: reads files, parses the text."""
    article_id, holder = pick_article_id(corpus_dir, url)
    if article_id is None:
        return None, holder, ""
    try:
        article = parse_article(text.encode("utf-8"), article_id)
    except ArticleParseError as exc:
        return article_id, None, exc
    return article_id, None, text_fingerprint(article.paragraphs)


def _new_fetcher(config: IngestConfig) -> Fetcher:
    """The round's own client (built in a worker thread: see the caller)."""
    return Fetcher(config.limits, agent=user_agent(config.contact))


def _save(folder: Path, state: IngestState, report: IngestReport) -> None:
    """The state and the report, written (and fsynced) in a worker thread."""
    save_state(folder, state)
    write_last_report(folder, report)


def _is_html(page: Fetched) -> bool:
    kind = page.content_type.split(";")[0].strip().lower()
    if kind:
        return kind in ("text/html", "application/xhtml+xml")
    return page.body.lstrip()[:1] == b"<"
