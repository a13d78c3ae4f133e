"""News ingest in the running bot: the timer, ``/ingest``, and the one path both take.

`ingest_and_reload` is that path. It runs one round of `corpus.ingest` in the event loop
(the core runs its CPU work in threads). If the round wrote articles, it runs the normal
reload, `bot.admin.reload.reload_corpus`, which swaps the index, records the articles as known
and queues a broadcast card per matching subscription for each new directive, waking the
sender. Then it alerts the admins of feeds failing round after round and of their
recoveries (`bot.platform.alerts`) and logs one INFO line. The caller reports the rest: ``/ingest``
to the admin who asked, the timer to all admins (an alert, once per reason) when something
needs a human (the round could not run, the reload failed and the old index serves).

Concurrency:

- One round at a time. `Services.ingest_lock` covers a round and its reload in this
  process; the core's file lock (`IngestBusyError`) also keeps out a round of another
  process, such as a cron ``haiquan-bot ingest`` on the same corpus. A timer tick that
  finds a round running is skipped quietly; ``/ingest`` says so politely.
- A reload already running when the round ends (``/reload``, ``--watch``,
  ``--reload-every``) is waited for, then ours runs (`reload_corpus(wait=True)`): the
  running one may have scanned the corpus before the new files existed. The wait lasts
  one reload at most, a few seconds. Articles it did pick up are not announced twice:
  the known-articles table records each article once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, Message, Update
from telegram.ext import Application, JobQueue

from bot.admin.commands import admin_only
from bot.admin.ingest_report import FEED_FAILING, admin_notes, ingest_blocks
from bot.admin.reload import RELOAD_FAILED, ReloadReport, reload_corpus
from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.config import Settings
from bot.platform.render import Block, pack, to_html
from bot.platform.state import Context, Services
from corpus.ingest import (
    IngestBusyError,
    IngestConfig,
    IngestError,
    IngestReport,
    run_ingest_round,
)

__all__ = [
    "FIRST_ROUND_DELAY",
    "INGEST_JOB",
    "IngestJob",
    "IngestOutcome",
    "ingest_and_reload",
    "ingest_command",
    "ingest_config",
    "schedule_ingest",
]

logger = logging.getLogger(__name__)

INGEST_JOB = "ingest feeds"
# The first scheduled round comes this soon after start (or after one interval, if that
# is shorter): a restart must not postpone the news by a whole interval.
FIRST_ROUND_DELAY = dt.timedelta(seconds=30)
# The alerts' kind (`bot.platform.alerts`) for a round that cannot run.
INGEST_FAILED = "ingest failed"


def ingest_config(settings: Settings, feeds: Sequence[str] | None = None) -> IngestConfig:
    """The core's configuration from the bot's settings; `feeds` (the database's list,
    `bot.store.feeds`) replaces the settings' seed list when given."""
    return IngestConfig(feeds=tuple(settings.feeds if feeds is None else feeds),
                        limits=settings.ingest_limits,
                        contact=settings.ingest_contact)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """A round and the reload after it (None when the round wrote nothing)."""

    report: IngestReport
    reload: ReloadReport | None = None

    @property
    def queued(self) -> int:
        """New directives queued for broadcast by the reload."""
        recorded = self.reload.recorded if self.reload is not None else None
        return len(recorded.queued) if recorded is not None else 0


async def ingest_and_reload(services: Services, bot: Bot, *, ignore_backoff: bool,
                            origin: str) -> IngestOutcome:
    """One ingest round, the reload it calls for, and the admins' alerts.

    `ignore_backoff`: also fetch feeds that are backing off (an admin's explicit "now").
    `origin` names the caller in the log line.

    Raises:
        IngestBusyError: a round is running (this process or another).
        IngestError: the round could not run (no data directory, corpus unusable).
    """
    settings = services.settings
    if settings.data_dir is None:
        raise IngestError("no data directory: the ingest keeps its state there "
                          "(HAIQUAN_DATA_DIR)")
    if services.ingest_lock.locked():
        raise IngestBusyError("an ingest round is running in this bot")
    started = time.perf_counter()
    async with services.ingest_lock:
        feeds = await services.feeds.aurls()  # the admins' list (`/feeds`), seeded at start
        try:
            report = await run_ingest_round(ingest_config(settings, feeds), settings.corpus_dir,
                                            settings.data_dir, ignore_backoff=ignore_backoff)
        except IngestBusyError:
            raise
        except IngestError:
            services.monitor.ingest("error")
            raise
        services.monitor.ingest("feeds_failed" if report.feeds_failed else "ok")
        reload = None
        if report.new_articles:
            reload = await reload_corpus(services, bot.username, wait=True)
    outcome = IngestOutcome(report, reload)
    for url in report.recovered:  # back: its next outage is told again
        services.alerts.resolve(FEED_FAILING, url)
    for note in admin_notes(report, reload):
        await services.alerts.send(note)
    logger.info(
        "ingest (%s): %d feeds checked (%d not modified, %d failed, %d deferred), "
        "%d new articles, %d skipped, %s, %d alerts; %.1fs", origin, report.feeds_checked,
        report.feeds_not_modified, report.feeds_failed, report.feeds_deferred,
        len(report.new_articles), len(report.skipped), _reload_label(outcome),
        len(report.alerts), time.perf_counter() - started,
    )
    return outcome


def _reload_label(outcome: IngestOutcome) -> str:
    if outcome.reload is None:
        return "no reload"
    if not outcome.reload.ok:
        return "reload failed"
    return f"reloaded, {outcome.queued} directives queued"


# -- /ingest ---------------------------------------------------------------------------------
async def _reply(message: Message, blocks: Sequence[Block]) -> None:
    for chunk in pack(blocks):
        await message.reply_html(to_html(chunk), do_quote=False)


@admin_only
async def ingest_command(update: Update, context: Context) -> None:
    """``/ingest``: one round now, feeds backing off included; then its report."""
    message = update.message
    if message is None:
        return
    services = context.bot_data.services
    feeds = await services.feeds.aurls()
    if not feeds:
        await _reply(message, [text_block(texts.INGEST_NO_FEEDS)])
        return
    if services.ingest_lock.locked():
        await _reply(message, [text_block(texts.INGEST_BUSY)])
        return
    await _reply(message, [text_block(texts.ingest_started(len(feeds)))])
    # In the background, as /reload: a round paced at one request a second per site can
    # take a minute, and the admin's chat stays responsive meanwhile.
    context.application.create_task(_ingest_and_reply(services, context.bot, message),
                                    update=update)


async def _ingest_and_reply(services: Services, bot: Bot, message: Message) -> None:
    try:
        outcome = await ingest_and_reload(services, bot, ignore_backoff=True, origin="/ingest")
    except IngestBusyError:  # another round won the race since the check above
        await _reply(message, [text_block(texts.INGEST_BUSY)])
        return
    except IngestError as exc:
        logger.warning("/ingest could not run: %s", exc)
        await _reply(message, [text_block(texts.ingest_failed(str(exc)))])
        return
    await _reply(message, ingest_blocks(outcome.report, outcome.reload, services.searcher))


# -- the timer -------------------------------------------------------------------------------
class IngestJob:
    """The scheduled round. Remembers the last setup error, so that the log has it once
    as an error (then as warnings); the admins' alert is deduplicated by `bot.platform.alerts`."""

    def __init__(self) -> None:
        """No error seen yet."""
        self._last_error: str | None = None

    async def run(self, context: Context) -> None:
        """One tick: a round unless one is running; admins hear of what needs them."""
        services = context.bot_data.services
        if not await services.feeds.aurls():
            logger.debug("scheduled ingest: no feeds yet (/feeds add, OPML, HAIQUAN_FEEDS)")
            return
        try:
            outcome = await ingest_and_reload(services, context.bot, ignore_backoff=False,
                                              origin="timer")
        except IngestBusyError:
            logger.info("scheduled ingest skipped: a round is running")
            return
        except IngestError as exc:
            if str(exc) == self._last_error:
                logger.warning("scheduled ingest could not run (again): %s", exc)
            else:
                self._last_error = str(exc)
                logger.error("scheduled ingest could not run: %s", exc)  # noqa: TRY400
            # Every tick asks; the alerts tell the admins once per reason.
            await services.alerts.alert(INGEST_FAILED, str(exc), texts.ingest_failed(str(exc)))
            return
        self._last_error = None
        services.alerts.resolve(INGEST_FAILED)
        reload = outcome.reload
        if reload is not None and not reload.ok:  # the files are in; the old index serves
            await services.alerts.alert(RELOAD_FAILED, reload.error or "?",
                                        texts.ingest_reload_failed(reload.error or "?"))


def schedule_ingest(app: Application, settings: Settings) -> list[str]:
    """Add the ingest timer when an interval is set; the job names.

    The timer runs with or without seed feeds: each tick reads the list the admins keep
    with ``/feeds`` and does nothing while it is empty.
    """
    if not settings.ingest_every:
        return []
    queue: JobQueue | None = app.job_queue
    if queue is None:
        logger.warning("no job queue (python-telegram-bot[job-queue] missing): "
                       "scheduled ingest is off")
        return []
    period = dt.timedelta(minutes=settings.ingest_every)
    # Two instances may overlap so that a tick during a long round reaches `IngestJob.run`
    # and is skipped there quietly, instead of APScheduler warning about it.
    queue.run_repeating(IngestJob().run, interval=period, first=min(period, FIRST_ROUND_DELAY),
                        name=INGEST_JOB, job_kwargs={"max_instances": 2})
    return [INGEST_JOB]
