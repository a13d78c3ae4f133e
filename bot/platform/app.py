"""The composition root: the one place that knows every handler and every service.

`build_application` is used unchanged by ``haiquan-bot run`` and by the end-to-end tests
(which point ``TELEGRAM_API_BASE_URL`` at a local fake Bot API); `running` starts and
stops it the same way for both.

Handler order matters (the first match in a group wins): commands, then questions, then
edits, then the hints for unknown commands and non-text messages in private chats.
Everything else -- channel posts, group chatter, other bots' commands -- matches nothing
and is ignored. The bot's own membership changes (added to or removed from a group,
blocked) go to `bot.directives.membership`.

Besides the application, `running` runs the broadcast sender (`bot.directives.broadcast`), which
sends through a bot of its own. On the way out the sender is parked first -- it claims
nothing more, its sends under way finish and are recorded -- and only then does the
application wait for its handlers and jobs: that wait (a reload or an ingest round can
take a minute) must not become "send the whole backlog" while a SIGTERM's grace period
runs out. A reload finishing meanwhile still queues its directives; the next start sends
them, and everything else still ``pending``.

A daily job (and each start) purges what is older than ``HAIQUAN_RETENTION_DAYS``:
stored answers and finished delivery rows (`purge_expired`).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.admin.commands import (
    broadcast_command,
    preview_command,
    reload_command,
    stats_command,
    subscribers_command,
)
from bot.admin.feeds import feeds_command, import_opml
from bot.admin.ingest import ingest_command, schedule_ingest
from bot.admin.reload import record_new_articles
from bot.admin.watch import schedule_reloads
from bot.chat.inline import answer_inline_query
from bot.chat.questions import (
    answer_edited,
    answer_group_message,
    answer_private_text,
    ask_command,
    move_migrated_chat,
)
from bot.directives.membership import track_membership
from bot.directives.subscriptions import subscribe, unsubscribe
from bot.platform.buttons import press_button
from bot.platform.commands import explain_not_text, explain_unknown_command, show_help, start
from bot.platform.concurrency import PerChatUpdateProcessor
from bot.platform.config import Settings
from bot.platform.error_handler import report_error
from bot.platform.menus import register_menus
from bot.platform.monitor import ObservedRequest
from bot.platform.rate_limit import ChatRateLimiter
from bot.platform.state import BotState, Context, Services
from bot.platform.triggers import ASK_COMMAND

__all__ = ["ALLOWED_UPDATES", "PURGE_JOB", "build_application", "purge_expired", "running",
           "startup"]

logger = logging.getLogger(__name__)

# What the bot handles (channel posts only to ignore them safely); my_chat_member tells
# when the bot is added to or removed from a group, or blocked.
ALLOWED_UPDATES = [
    Update.MESSAGE, Update.EDITED_MESSAGE, Update.CHANNEL_POST, Update.EDITED_CHANNEL_POST,
    Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.MY_CHAT_MEMBER,
]
MAX_CONCURRENT_UPDATES = 256
PURGE_JOB = "purge expired rows"


def cache_missing_sniffio() -> None:
    """Make a missing ``sniffio`` a cheap, cached miss for httpcore.

    httpcore 1.0.x imports ``sniffio`` each time it sets up a lock, i.e. several times per
    Bot API request; since anyio 4.11 no longer pulls it in, the import fails every time
    and Python does not cache failed imports: a search of ``sys.path`` per call, about a
    third of the bot's CPU under load (encode/httpcore discussion 1102, PR 1103). A
    ``None`` in ``sys.modules`` makes the import fail at once. No effect when sniffio is
    installed.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def build_application(settings: Settings, services: Services) -> Application:
    """The bot: handlers, typed ``bot_data`` bound to `services`, HTML defaults, limits.

    The rate limiter (`bot.platform.rate_limit`) keeps each group under Telegram's 20 messages a
    minute and retries a flood-controlled request after ``retry_after``, holding up only
    that chat; it sets no global rate, since replies to many users at once are what the
    bot is for.
    """
    cache_missing_sniffio()
    # PTB's own request objects (same pool sizes as its defaults), observed: each Bot API
    # answer tells /healthz that Telegram is reachable (`bot.platform.monitor`).
    answered = services.monitor.health.telegram_answered
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=CallbackContext, bot_data=BotState))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .rate_limiter(ChatRateLimiter(max_retries=3))
        .request(ObservedRequest(answered, connection_pool_size=256))
        # Two: at shutdown the updater's last getUpdates (confirming the offset) can come
        # while the cancelled long poll still holds its connection; with one, that call
        # waited for the pool and failed with PoolTimeout (seen in e2e/test_feeds.py).
        .get_updates_request(ObservedRequest(answered, connection_pool_size=2))
        .build()
    )
    app.bot_data.bind(services)
    services.alerts.bind(app.bot)  # through the rate limiter, as every other reply

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new = filters.UpdateType.MESSAGE
    chats = new & (private | groups)
    app.add_handlers([
        CommandHandler("start", start, filters=new),
        CommandHandler("help", show_help, filters=new),
        CommandHandler(ASK_COMMAND, ask_command, filters=chats),
        CommandHandler("dangky", subscribe, filters=chats),
        CommandHandler("huydangky", unsubscribe, filters=chats),
        CommandHandler("reload", reload_command, filters=chats),
        CommandHandler("stats", stats_command, filters=chats),
        CommandHandler("subscribers", subscribers_command, filters=chats),
        CommandHandler("broadcast", broadcast_command, filters=chats),
        CommandHandler("preview", preview_command, filters=chats),
        CommandHandler("ingest", ingest_command, filters=chats),
        CommandHandler("feeds", feeds_command, filters=chats),
        MessageHandler(new & private & filters.TEXT & ~filters.COMMAND, answer_private_text),
        MessageHandler(new & groups & filters.TEXT & ~filters.COMMAND, answer_group_message),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT & (private | groups),
                       answer_edited),
        MessageHandler(filters.StatusUpdate.MIGRATE, move_migrated_chat),
        MessageHandler(new & private & filters.COMMAND, explain_unknown_command),
        # An admin's file in private is an OPML list of feeds (`bot.admin.feeds`); anyone
        # else's goes on to the "text only" hint.
        MessageHandler(new & private & filters.Document.ALL
                       & filters.User(user_id=settings.admin_ids), import_opml),
        MessageHandler(new & private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                       explain_not_text),
        CallbackQueryHandler(press_button),
        InlineQueryHandler(answer_inline_query),
        ChatMemberHandler(track_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ])
    app.add_error_handler(report_error)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_purge_job, interval=dt.timedelta(days=1),
                                    first=dt.timedelta(days=1), name=PURGE_JOB)
    if app.job_queue is not None and settings.webhook is not None and settings.health_port:
        # Nothing polls in webhook mode: a getMe now and then keeps "reachable" current.
        app.job_queue.run_repeating(_ask_telegram, interval=dt.timedelta(minutes=1),
                                    first=dt.timedelta(seconds=5), name="health getMe")
    schedule_reloads(app, corpus_dir=settings.corpus_dir, watch=settings.watch,
                     watch_interval=settings.watch_interval, reload_every=settings.reload_every)
    schedule_ingest(app, settings)
    return app


async def purge_expired(services: Services) -> tuple[int, int, int]:
    """Forget what is older than the retention: answers (their buttons then say
    "expired"), finished delivery rows and announcements left without rows.

    Returns (answers, deliveries, announcements) removed. What exactly-once needs is
    kept: open rows, known articles and every directive item (`bot.store.ledger`).
    """
    retention = services.settings.retention
    answers = await services.answers.apurge(retention)
    ledger = await services.ledger.apurge(retention.total_seconds())
    logger.info("purged rows older than %d days: %d answers, %d deliveries, "
                "%d announcements", retention.days, answers, ledger.deliveries,
                ledger.announcements)
    return answers, ledger.deliveries, ledger.announcements


async def _purge_job(context: Context) -> None:
    """The daily purge (`purge_expired`)."""
    await purge_expired(context.bot_data.services)


async def _ask_telegram(context: Context) -> None:
    """A getMe for the health verdict; a failure only means no fresh answer."""
    try:
        await context.bot.get_me()
    except TelegramError as error:
        logger.info("health getMe failed: %s", error)


async def startup(app: Application) -> int:
    """What a starting bot does once connected: purge expired rows, record the corpus'
    articles (announcing those added while it was down), set the menus.

    Returns the number of command menus set.
    """
    services: Services = app.bot_data.services
    await purge_expired(services)
    async with services.reload_lock:
        await record_new_articles(services, services.searcher, app.bot.username)
    return await register_menus(app.bot, services.settings.admin_ids)


@asynccontextmanager
async def running(app: Application, settings: Settings) -> AsyncIterator[int]:
    """Connect, start and receive updates (long polling or webhook) until the block ends.

    Pending updates are never dropped: questions sent while the bot was down are answered.
    Yields the number of command menus set. Raises what `Application.initialize` raises
    (`telegram.error.InvalidToken`, `telegram.error.NetworkError`) before anything starts.
    """
    await app.initialize()
    broadcaster = app.bot_data.services.broadcaster
    try:
        menus = await startup(app)
        await app.start()
        await broadcaster.start()
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater")
        if settings.webhook is not None:
            await updater.start_webhook(
                listen=settings.webhook.listen, port=settings.webhook.port,
                url_path=settings.webhook.path, webhook_url=settings.webhook.url,
                secret_token=settings.webhook.secret, allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        else:
            await updater.start_polling(
                poll_interval=0, timeout=dt.timedelta(seconds=settings.poll_timeout),
                allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
            )
        yield menus
    finally:
        broadcaster.park()  # first: nothing more is claimed while the rest stops
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await broadcaster.stop()
        await app.shutdown()
