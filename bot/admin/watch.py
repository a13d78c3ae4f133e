"""Automatic reloads: when the corpus directory changes (``--watch``) or on a timer
(``--reload-every``), through the same reload as ``/reload`` (`bot.admin.commands.reload_job`).

The watcher compares the directory's article files (names, sizes, modification times)
every `Settings.watch_interval` seconds. A change is acted on once a look finds nothing
changed since the previous one: a copy of many files, or an ingest writing a batch,
gives one reload, not one per file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from telegram.ext import Application, JobQueue

from bot.admin.commands import reload_job
from bot.platform.state import Context
from corpus import iter_article_files

__all__ = ["CorpusWatcher", "corpus_snapshot", "schedule_reloads"]

logger = logging.getLogger(__name__)

Snapshot = frozenset[tuple[str, int, int]]


def corpus_snapshot(root: Path) -> Snapshot:
    """(article id, size, mtime in ns) of every article file under `root` (blocking)."""
    files, _ = iter_article_files(root)
    entries = set()
    for article_id, path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # vanished meanwhile: the next look sees the directory as it is
        entries.add((article_id, stat.st_size, stat.st_mtime_ns))
    return frozenset(entries)


class CorpusWatcher:
    """Remembers the last snapshot and whether a change awaits its reload."""

    def __init__(self, root: Path) -> None:
        """Watch `root`; the first look only takes a snapshot."""
        self.root = root
        self._last: Snapshot | None = None
        self._pending = False

    def observe(self, snapshot: Snapshot) -> bool:
        """Take a new snapshot; True when it is time to reload (the change has settled)."""
        if self._last is None:
            self._last = snapshot
            return False
        if snapshot != self._last:
            self._last = snapshot
            self._pending = True
            return False
        return self._pending

    def reloaded(self) -> None:
        """The reload for the pending change ran."""
        self._pending = False

    async def check(self, context: Context) -> None:
        """The job: look at the directory, reload when a change has settled."""
        snapshot = await asyncio.to_thread(corpus_snapshot, self.root)
        if self.observe(snapshot):
            logger.info("corpus directory changed: reloading")
            if not context.bot_data.services.reload_lock.locked():
                self.reloaded()
                await reload_job(context)


def schedule_reloads(app: Application, *, corpus_dir: Path, watch: bool,
                     watch_interval: float, reload_every: float | None) -> list[str]:
    """Add the watcher and/or the timer to the application's job queue; their names."""
    queue: JobQueue | None = app.job_queue
    names: list[str] = []
    if queue is None:
        if watch or reload_every:
            logger.warning("no job queue (python-telegram-bot[job-queue] missing): "
                           "automatic reloads are off")
        return names
    if watch:
        watcher = CorpusWatcher(corpus_dir)
        queue.run_repeating(watcher.check, interval=dt.timedelta(seconds=watch_interval),
                            first=dt.timedelta(seconds=0), name="watch corpus")
        names.append("watch corpus")
    if reload_every:
        period = dt.timedelta(minutes=reload_every)
        queue.run_repeating(reload_job, interval=period, first=period, name="reload corpus")
        names.append("reload corpus")
    return names
