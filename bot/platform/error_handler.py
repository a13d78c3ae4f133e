"""The one global error handler: log with context, tell the user briefly, never raise.

Expected API answers are not bugs and are logged without a traceback: a user who blocked
the bot (403), a group that became a supergroup, flood control that outlasted the rate
limiter's retries. Everything else is logged as an error with its traceback and the
update's ids (never its text: user content stays at debug level), and the admins get an
alert (`bot.platform.alerts`): the exception's type, where it was raised, the update's kind and
chat id. Not the exception's message: it may quote the user's text (or a URL with the
token), and the traceback in the log has it. The same error in the same place is one
alert, however many users meet it.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.render import to_html
from bot.platform.state import Context

__all__ = ["UNHANDLED_ERROR", "is_not_modified", "report_error"]

logger = logging.getLogger(__name__)


def is_not_modified(error: BadRequest) -> bool:
    """Telegram refuses an edit that changes nothing (a double tap, an unchanged edit):
    nothing went wrong, whichever feature made the edit."""
    return "not modified" in error.message.lower()

UNHANDLED_ERROR = "unhandled error"  # the alerts' kind
_KINDS = ("message", "edited_message", "callback_query", "inline_query", "channel_post",
          "my_chat_member")
_OURS = ("bot", "retrieval", "corpus")


def _kind(update: object) -> str:
    if not isinstance(update, Update):
        return "job" if update is None else "other"
    return next((name for name in _KINDS if getattr(update, name, None) is not None), "other")


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return f"non-update {type(update).__name__}"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update {update.update_id} ({_kind(update)}, chat {chat}, user {user})"


def _place(error: BaseException) -> str:
    """``file.py:123 (function)`` of the innermost frame in our packages (else the
    innermost frame): where to look, without any value from the frame."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if any(f"/{name}/" in f.filename.replace("\\", "/")
                                     for name in _OURS)]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    return f"{Path(frame.filename).name}:{frame.lineno} ({frame.name})"


async def _alert(update: object, context: Context, error: BaseException) -> None:
    kind = _kind(update)
    chat = (update.effective_chat.id if isinstance(update, Update) and update.effective_chat
            else None)
    label = texts.UPDATE_KINDS.get(kind, kind)
    if kind == "job" and context.job is not None and context.job.name:
        label = f"{label} «{context.job.name}»"
    place = _place(error)
    await context.bot_data.services.alerts.alert(
        UNHANDLED_ERROR, f"{type(error).__name__} at {place}",
        texts.unhandled_error(type(error).__name__, place, label, chat))


async def report_error(update: object, context: Context) -> None:
    """Log the handler's exception and, where there is someone to tell, apologise; then
    alert the admins."""
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
    try:
        await _apologise(update, context)
    finally:
        if error is not None:
            await _alert(update, context, error)


async def _apologise(update: object, context: Context) -> None:
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
