"""Reloading the corpus while the bot runs, and announcing the directives it brings.

`reload_corpus` is a transaction: the new index is built off the event loop while the
old one keeps answering; only a successful build is swapped in, with one assignment;
then the new articles are recorded and their directives queued for broadcast
(`record_new_articles`, one database transaction). A failed build changes nothing and
says why. One reload at a time (`Services.reload_lock`); a second one asked for
meanwhile raises `ReloadInProgress` at once instead of queueing.

The command (`bot.admin.commands`), the file watcher and the timer (`bot.admin.watch`),
and the news ingest (`bot.admin.ingest`) all call `reload_corpus`, and the start of the bot calls
`record_new_articles` on the index it built, so new articles are announced the same way
however they arrive.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from bot.directives.cards import directive_html, directive_keyboard, summary_of
from bot.directives.filters import article_terms
from bot.platform.state import Services
from bot.store import NewDirective, RecordResult
from corpus import Article, CorpusError, Skipped
from retrieval import RetrievalError, Searcher, build_searcher

__all__ = [
    "RELOAD_FAILED",
    "CardFailure",
    "Recorded",
    "ReloadInProgress",
    "ReloadReport",
    "begin_reload",
    "prepare_directive",
    "record_new_articles",
    "reload_corpus",
    "run_reload",
]

logger = logging.getLogger(__name__)

_WARM_UP_QUESTION = "thủ tục hải quan hàng xuất nhập khẩu 39/2018/TT-BTC"


# The alerts' kind (`bot.platform.alerts`); resolved by a reload that works.
RELOAD_FAILED = "reload failed"


class ReloadInProgress(Exception):
    """Another reload holds the lock."""


@dataclass(frozen=True, slots=True)
class CardFailure:
    """A new directive whose card could not be prepared: not announced, not yet known.

    It is left out of the known articles, so the next reload (or start) tries its card
    again: a fixed file or a fixed bug still gets it announced. `error` is the
    exception's type only: its message may quote the article.
    """

    article_id: str
    error: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record_new_articles` did: the store's result and the cards that failed."""

    result: RecordResult
    unannounced: tuple[CardFailure, ...] = ()


@dataclass(frozen=True, slots=True)
class ReloadReport:
    """What a reload did, or why it did not happen (`error`)."""

    seconds: float
    error: str | None = None
    articles: int = 0
    passages: int = 0
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    recorded: RecordResult | None = None
    unannounced: tuple[CardFailure, ...] = ()  # new directives whose card failed

    @property
    def ok(self) -> bool:
        """The new index is serving."""
        return self.error is None

    @property
    def changed_anything(self) -> bool:
        """Articles were added, changed or removed, or files skipped."""
        return bool(self.added or self.changed or self.removed or self.skipped)


def prepare_directive(article: Article, bot_username: str) -> NewDirective:
    """A new directive's card and filter terms (blocking: the summary splits sentences)."""
    if article.directive is None:
        raise ValueError(f"article {article.id} is not a directive")
    return NewDirective(
        article_id=article.id,
        kind=article.directive.kind,
        code=article.directive.code,
        html=directive_html(article, summary_of(article)),
        markup=directive_keyboard(bot_username, article).to_dict(),
        terms=article_terms(article),
    )


def _record(services: Services, searcher: Searcher, bot_username: str) -> Recorded:
    """Each new directive's card on its own: one that fails is left out (and stays
    unknown, to be tried again), the others are announced."""
    root = str(Path(services.settings.corpus_dir).resolve())
    pairs = [(a.id, a.content_hash) for a in searcher.articles]
    directives: dict[str, NewDirective] = {}
    failed: list[CardFailure] = []
    for article_id in services.known.new_ids(root, pairs) or ():
        article = searcher.article(article_id)
        if article is None or not article.is_directive:
            continue
        try:
            directives[article_id] = prepare_directive(article, bot_username)
        except Exception as exc:  # one odd article must not cost the others their cards
            failed.append(CardFailure(article_id, type(exc).__name__))
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            logger.error(  # noqa: TRY400 -- the traceback's message may quote the article
                "card of new directive %s (%s) failed: %s at %s:%d; not announced, tried "
                "again at the next reload", article_id, Path(root) / article_id,
                type(exc).__name__, Path(frame.filename).name, frame.lineno or 0)
    unannounced = {f.article_id for f in failed}
    kept = [pair for pair in pairs if pair[0] not in unannounced]
    return Recorded(services.known.record(root, kept, directives), tuple(failed))


async def record_new_articles(services: Services, searcher: Searcher,
                              bot_username: str) -> Recorded:
    """Record `searcher`'s articles as known; queue the new directives; wake the sender.

    A directive whose card cannot be made is logged and returned in
    `Recorded.unannounced` (for the admins' report); the others go out regardless.
    The caller holds `Services.reload_lock`.
    """
    recorded = await asyncio.to_thread(_record, services, searcher, bot_username)
    result = recorded.result
    if result.baseline:
        logger.info("%d articles recorded as known; nothing announced (first start or "
                    "another corpus)", result.new_articles)
    elif result.new_articles:
        logger.info("%d new articles, %d new directives announced (%d deliveries), %d "
                    "already announced", result.new_articles, len(result.queued),
                    result.deliveries, len(result.repeated))
    if result.deliveries:
        services.broadcaster.wake()
    return recorded


def _build(services: Services) -> tuple[Searcher, tuple[Skipped, ...]]:
    settings = services.settings
    searcher, report, _ = build_searcher(settings.corpus_dir, settings.data_dir,
                                         progress=False, wait_for_cache=False)
    searcher.search(_WARM_UP_QUESTION, 3)  # the first question after the swap pays nothing
    return searcher, report.skipped


def _difference(old: Searcher, new: Searcher) -> tuple[tuple[str, ...], ...]:
    before = {a.id: a.content_hash for a in old.articles}
    after = {a.id: a.content_hash for a in new.articles}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(sorted(i for i in after.keys() & before.keys() if after[i] != before[i]))
    return added, changed, removed


async def begin_reload(services: Services) -> None:
    """Take the reload lock for `run_reload`, or raise at once.

    Separate from `run_reload` so a command can refuse a second reload before it
    replies, and run the reload itself in the background (`Application.create_task`).

    Raises:
        ReloadInProgress: another reload is running.
    """
    if services.reload_lock.locked():
        raise ReloadInProgress
    await services.reload_lock.acquire()  # free: returns without yielding


async def run_reload(services: Services, bot_username: str) -> ReloadReport:
    """The reload itself, under the lock taken by `begin_reload` (released here)."""
    try:
        started = time.perf_counter()
        old = services.searcher
        try:
            searcher, skipped = await asyncio.to_thread(_build, services)
        except (CorpusError, RetrievalError, OSError) as exc:
            logger.error("reload failed, the previous index keeps serving: %s", exc)  # noqa: TRY400
            services.monitor.reload(ok=False)
            return ReloadReport(time.perf_counter() - started, error=str(exc))
        except Exception as exc:
            logger.exception("reload failed unexpectedly, the previous index keeps serving")
            services.monitor.reload(ok=False)
            return ReloadReport(time.perf_counter() - started,
                                error=f"{type(exc).__name__}: {exc}")
        services.searcher = searcher  # one assignment: readers see the old index or the new
        services.monitor.reload(ok=True)
        services.alerts.resolve(RELOAD_FAILED)  # a failure alerted before is over
        added, changed, removed = await asyncio.to_thread(_difference, old, searcher)
        recorded = await record_new_articles(services, searcher, bot_username)
        report = ReloadReport(time.perf_counter() - started, None, len(searcher.articles),
                              searcher.n_passages, added, changed, removed, skipped,
                              recorded.result, recorded.unannounced)
    finally:
        services.reload_lock.release()
    logger.info("reload ok: %d articles (+%d ~%d -%d), %d skipped files, %.1fs",
                report.articles, len(added), len(changed), len(removed), len(skipped),
                report.seconds)
    return report


async def reload_corpus(services: Services, bot_username: str, *,
                        wait: bool = False) -> ReloadReport:
    """Rescan the corpus, swap in the new index, announce new directives; the report.

    What jobs call (the file watcher, the timer, the news ingest). With `wait`, a reload
    under way is waited for and this one runs after it, instead of raising: the ingest
    needs a reload that *starts* after its files were written, since one that was
    already scanning the corpus may have missed them. The wait is bounded by that
    reload, which always releases the lock (`run_reload`).

    Raises:
        ReloadInProgress: another reload is running (only without `wait`).
    """
    if wait:
        await services.reload_lock.acquire()
    else:
        await begin_reload(services)
    return await run_reload(services, bot_username)
