"""Typed ``bot_data``: the services every handler needs, without string keys.

`build_application` binds one `Services` to the application's `BotState`. Handlers read
``context.bot_data.services.searcher`` once at their start; a reload (`bot.admin.reload`)
builds a new `Searcher` off the event loop and replaces it with one assignment, so a
handler sees either the old index or the new one, never a mix. `reload_lock` makes a
reload (and the bookkeeping of new articles) one at a time, `ingest_lock` an ingest
round; the `broadcaster` sends what the ledger owes; `alerts` tell the admins what went
wrong (`bot.platform.alerts`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.ext import CallbackContext, ExtBot

from bot.directives.broadcast import Broadcaster, broadcast_request
from bot.platform.alerts import AdminAlerts
from bot.platform.article_keys import ArticleKeys
from bot.platform.config import Settings
from bot.platform.monitor import Monitor
from bot.store import (
    AnswerStore,
    DailyCounters,
    Database,
    FeedStore,
    KnownArticles,
    KnownBackend,
    Ledger,
    LedgerBackend,
    SubscriptionBackend,
    SubscriptionStore,
    local_day,
    open_database,
)
from bot.store.pg_known import PgKnownArticles
from bot.store.pg_ledger import PgLedger
from bot.store.pg_subscriptions import PgSubscriptionStore
from bot.store.postgres import PgDatabase
from corpus import Article
from retrieval import Hit, Searcher, flush_cache_writes

__all__ = ["BotState", "Context", "Services"]

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Services:
    """What handlers use: settings, the current searcher and the stores."""

    settings: Settings
    searcher: Searcher  # swapped with one assignment on reload
    database: Database
    answers: AnswerStore
    counters: DailyCounters
    # SQLite in `database`, or PostgreSQL when several processes share them
    # (``HAIQUAN_DATABASE_URL``, `shared`); handlers see only the interface.
    subscriptions: SubscriptionBackend
    ledger: LedgerBackend
    known: KnownBackend
    broadcaster: Broadcaster
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # Held by an ingest round and the reload after it (`bot.admin.ingest`); the round's own
    # file lock also keeps out rounds of other processes (a cron `haiquan-bot ingest`).
    ingest_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(tz=dt.UTC))
    # Searches run here, one at a time: a search is pure CPU and holds the GIL for most of
    # its few milliseconds, so more search threads only make the event loop wait longer to
    # get the GIL back after each socket call (and answer slower), never search faster.
    search_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="search"), repr=False)
    _keys: ArticleKeys = field(default_factory=ArticleKeys, repr=False)
    # Metrics and health of this application (`bot.platform.monitor`); `serve` makes it before the
    # index exists, so /healthz can say "index not loaded" meanwhile.
    monitor: Monitor = field(default_factory=Monitor, repr=False)
    # The admins' alerts (`bot.platform.alerts`); `build_application` binds the bot that
    # sends them.
    alerts: AdminAlerts = field(init=False, repr=False)
    # The PostgreSQL database behind subscriptions and the ledger, if one is configured.
    shared: PgDatabase | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """The index is loaded from here on: the size gauges read the served one."""
        self.monitor.health.stale_after = self.settings.health_stale_after
        self.monitor.watch_index(lambda: len(self.searcher.articles),
                                 lambda: self.searcher.n_passages)
        self.broadcaster.observe = self._delivery_settled
        webhook = self.settings.webhook
        self.alerts = AdminAlerts(self.settings.admin_ids, secrets=(
            self.settings.token, webhook.secret if webhook is not None else None))
        self.broadcaster.alerts = self.alerts

    async def _delivery_settled(self, sent: bool) -> None:
        """A broadcast delivery reached its chat or failed for good: metrics and the
        per-day counts of the /stats chart."""
        self.monitor.broadcast(sent=sent)
        await self.counters.acount_broadcast(local_day(dt.datetime.now(tz=dt.UTC)), sent=sent)

    @property
    def feeds(self) -> FeedStore:
        """The feeds the ingest reads (`bot.store.feeds`)."""
        return FeedStore(self.database)

    @classmethod
    def create(cls, settings: Settings, searcher: Searcher, *,
               monitor: Monitor | None = None) -> Services:
        """Open the database in the settings' data directory around `searcher`.

        Raises:
            DatabaseError: the database cannot be opened or is newer than this program.
        """
        database = open_database(settings.data_dir)
        subscriptions: SubscriptionBackend
        ledger: LedgerBackend
        known: KnownBackend
        shared: PgDatabase | None = None
        if settings.database_url:
            try:
                shared = PgDatabase(settings.database_url)
            except BaseException:
                database.close()
                raise
            logger.info("subscriptions and the delivery ledger are in PostgreSQL at %s",
                        shared.label)
            subscriptions, known = PgSubscriptionStore(shared), PgKnownArticles(shared)
            ledger = PgLedger(shared)
        else:
            subscriptions, known = SubscriptionStore(database), KnownArticles(database)
            ledger = Ledger(database)

        def broadcast_bot() -> Bot:
            return Bot(settings.token, base_url=settings.api_base_url,
                       base_file_url=settings.api_file_url,
                       request=broadcast_request(settings.pacing))

        broadcaster = Broadcaster(ledger, subscriptions, settings.pacing,
                                  bot_factory=broadcast_bot)
        answers = AnswerStore(database, link_age=settings.share_link_age)
        services = cls(settings, searcher, database, answers, DailyCounters(database),
                       subscriptions, ledger, known, broadcaster,
                       monitor=monitor or Monitor(), shared=shared)
        FeedStore(database).seed(settings.feeds)
        return services

    def article_for_key(self, key: str) -> Article | None:
        """The current searcher's article with this key (`bot.platform.article_keys`), if any."""
        return self._keys.find(self.searcher, key)

    async def search(self, question: str, k: int, shown: slice = slice(None)) -> list[Hit]:
        """The current searcher's hits, computed on the search thread, with the best
        sentence and highlights of those in `shown` (the page about to be rendered)
        worked out there too: the event loop only formats."""
        searcher = self.searcher  # read once: a reload may swap it meanwhile
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.search_pool, functools.partial(searcher.search, question, k, shown=shown)
        )

    def close(self) -> None:
        """Release the database and the search thread; wait for index caches on disk."""
        self.search_pool.shutdown(wait=True)
        flush_cache_writes(timeout=120)
        self.ledger.close()  # PostgreSQL: gives this process's lease up
        if self.shared is not None:
            self.shared.close()
        self.database.close()


class BotState:
    """The ``bot_data`` type. PTB creates it without arguments; `bind` adds the services."""

    def __init__(self) -> None:
        """Nothing bound yet."""
        self._services: Services | None = None

    def bind(self, services: Services) -> None:
        """Attach the services (done once, by `build_application`)."""
        self._services = services

    @property
    def services(self) -> Services:
        """The bound services; using them before `bind` is a programming error."""
        if self._services is None:
            raise RuntimeError("BotState used before build_application() bound its services")
        return self._services


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]
