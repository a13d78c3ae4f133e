"""Starting and stopping ``haiquan-bot run``: checks, index, the bot, signals.

Order: settings are already valid (`bot.platform.config`); the token is checked against the Bot
API first (seconds, not the minute a first index build may take); then the index is
built or loaded off the event loop and the searcher warmed; then the application runs
until SIGINT or SIGTERM. Every failure a user can cause ends as a `BotError` with one
line of explanation.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import time
from dataclasses import dataclass
from urllib.parse import unquote

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.admin.backup import run_lock
from bot.platform.app import build_application, running
from bot.platform.config import Settings
from bot.platform.errors import StartupError
from bot.platform.health_server import start_health_server
from bot.platform.logs import protect
from bot.platform.monitor import Monitor
from bot.platform.state import Services
from bot.store.postgres import url_password
from corpus import LoadReport
from retrieval import BuildStats, Searcher, build_searcher

__all__ = ["Loaded", "check_token", "load_searcher", "serve"]

logger = logging.getLogger(__name__)

# A question that touches every part of the analyser and the index once.
_WARM_UP_QUESTION = "thủ tục hoàn thuế hàng xuất nhập khẩu 39/2018/TT-BTC"


@dataclass(frozen=True, slots=True)
class Loaded:
    """A ready searcher and what it took."""

    searcher: Searcher
    report: LoadReport
    stats: BuildStats
    warm_up_seconds: float


def load_searcher(settings: Settings) -> Loaded:
    """Build or load the index and warm the searcher (blocking: run it in a thread)."""
    searcher, report, stats = build_searcher(settings.corpus_dir, settings.data_dir,
                                             progress=False)
    started = time.perf_counter()
    searcher.search(_WARM_UP_QUESTION, 3)
    return Loaded(searcher, report, stats, time.perf_counter() - started)


async def check_token(settings: Settings) -> str:
    """The bot's username, from ``getMe``; a rejected token or no connection is fatal."""
    bot = Bot(settings.token, base_url=settings.api_base_url,
              base_file_url=settings.api_file_url)
    try:
        async with bot:
            return bot.username
    except InvalidToken:
        # PTB's message quotes the token itself: say it without the message.
        raise StartupError("Telegram rejected the bot token (Unauthorized)") from None
    except NetworkError as error:
        raise StartupError(
            f"cannot reach the Telegram Bot API at {settings.api_base_url}: {error.message}"
        ) from None
    except TelegramError as error:
        raise StartupError(f"the Telegram Bot API refused getMe: {error.message}") from None


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the bot until `stop` is set (or SIGINT/SIGTERM arrives).

    The run lock on the data directory is held throughout, so a second bot on the same
    database is refused and ``haiquan-bot restore`` can tell that this one is running.
    """
    with run_lock(settings.data_dir):
        await _serve(settings, stop)


async def _serve(settings: Settings, stop: asyncio.Event | None) -> None:
    monitor = Monitor()
    monitor.health.stale_after = settings.health_stale_after
    server = None
    if settings.health_port is not None:
        try:
            server = await start_health_server(monitor, settings.health_host,
                                               settings.health_port)
        except OSError as error:
            raise StartupError(f"cannot listen for /healthz on {settings.health_host}:"
                               f"{settings.health_port}: {error.strerror or error}") from None
    try:
        await _serve_with(settings, stop, monitor)
    finally:
        if server is not None:
            await server.stop()


async def _serve_with(settings: Settings, stop: asyncio.Event | None,
                      monitor: Monitor) -> None:
    if settings.webhook is not None:
        protect(settings.token, settings.webhook.secret)
    else:
        protect(settings.token)
    password = url_password(settings.database_url) if settings.database_url else None
    if password:
        protect(password, unquote(password))  # as written in the URL, and decoded
    username = await check_token(settings)
    # After the token check, so that a start that fails says so in exactly one line.
    for warning in settings.warnings:
        logger.warning("%s", warning)
    started = time.perf_counter()
    loaded = await asyncio.to_thread(load_searcher, settings)
    services = await asyncio.to_thread(
        functools.partial(Services.create, settings, loaded.searcher, monitor=monitor))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        app = build_application(settings, services)
        try:
            async with running(app, settings) as menus:
                mode = (f"webhook {settings.webhook.url}" if settings.webhook
                        else "long polling")
                logger.info(
                    "@%s ready (%s): %d articles, %d passages, %d skipped files from %s; "
                    "index %.1fs (%s), warm-up %.2fs, start %.1fs; %d command menus",
                    username, mode, len(loaded.searcher.articles), loaded.searcher.n_passages,
                    len(loaded.report.skipped), settings.corpus_dir, loaded.stats.total_seconds,
                    "cache" if loaded.stats.index_from_cache else "built",
                    loaded.warm_up_seconds, time.perf_counter() - started, menus,
                )
                await stop.wait()
                logger.info("stopping")
        except InvalidToken:
            raise StartupError("Telegram rejected the bot token (Unauthorized)") from None
        except NetworkError as error:
            raise StartupError(f"lost the Telegram Bot API while starting: {error.message}"
                               ) from None
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        services.close()
