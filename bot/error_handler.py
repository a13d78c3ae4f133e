"""The one global error handler: log with context, tell the user briefly, never raise.

Expected API answers are not bugs and are logged without a traceback: a user who blocked
the bot (403), a group that became a supergroup, flood control that outlasted the rate
limiter's retries. Everything else is logged as an error with its traceback and the
update's ids (never its text: user content stays at debug level).
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot import texts
from bot.cards import text_block
from bot.render import to_html
from bot.state import Context

__all__ = ["report_error"]

logger = logging.getLogger(__name__)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return f"non-update {type(update).__name__}"
    kind = next((name for name in ("message", "edited_message", "callback_query",
                                   "inline_query", "channel_post", "my_chat_member")
                 if getattr(update, name, None) is not None), "other")
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update {update.update_id} ({kind}, chat {chat}, user {user})"


async def report_error(update: object, context: Context) -> None:
    """Log the handler's exception and, where there is someone to tell, apologise."""
    error = context.error
    where = _describe(update)
    if isinstance(error, Forbidden):
        logger.warning("%s: the bot may not write there: %s", where, error)
        return
    if isinstance(error, ChatMigrated):
        logger.warning("%s: chat migrated to %s", where, error.new_chat_id)
        return
    if isinstance(error, RetryAfter):
        logger.warning("%s: flood control outlasted the retries: %s", where, error)
        return
    logger.error("%s: unhandled error", where, exc_info=error)
    if not isinstance(update, Update):
        return
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR)
            return
        message = update.effective_message
        if message is None or update.channel_post is not None:
            return
        await context.bot.send_message(
            message.chat_id, to_html([text_block(texts.ERROR)]),
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )
