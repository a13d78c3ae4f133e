"""Handlers for questions: private texts, ``/hoi``, group mentions and replies, edits.

Each handler only decides *whether* a message is a question and *what* the question is
(`bot.platform.triggers`); `bot.chat.answering` does the rest.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType

from bot.chat.answering import answer_question, hint, revise_answer
from bot.platform import texts
from bot.platform.state import Context
from bot.platform.triggers import group_question, private_question

__all__ = ["answer_edited", "answer_group_message", "answer_private_text", "ask_command",
           "move_migrated_chat"]

logger = logging.getLogger(__name__)


async def answer_private_text(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    message = update.message
    if message is None or message.text is None:
        return
    await answer_question(message, context, message.text.strip(), group=False)


def _question_in(message: Message, context: Context, *, group: bool) -> str | None:
    """The question a message asks: in groups only when addressed to the bot."""
    if group:
        return group_question(message, context.bot.username, context.bot.id)
    return private_question(message)


async def ask_command(update: Update, context: Context) -> None:
    """``/hoi <question>`` in a private chat or a group."""
    message = update.message
    if message is None:
        return
    group = message.chat.type != ChatType.PRIVATE
    question = _question_in(message, context, group=group)
    if question is None:
        return
    if group and not question:
        # A bare /hoi (or /hoi@bot) was meant for us: say how, in one line, not silence.
        await hint(message, texts.HOI_USAGE)
        return
    await answer_question(message, context, question, group=group)


async def answer_group_message(update: Update, context: Context) -> None:
    """A group text: a question when it mentions the bot or replies to it, else ignored."""
    message = update.message
    if message is None:
        return
    question = group_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    await answer_question(message, context, question, group=True)


async def answer_edited(update: Update, context: Context) -> None:
    """An edited question edits its answer; an edit that becomes a question is answered."""
    message = update.edited_message
    if message is None or message.text is None:
        return
    group = message.chat.type != ChatType.PRIVATE
    question = _question_in(message, context, group=group)
    if question is None:
        return
    link = await context.bot_data.services.answers.afor_question(message.chat_id,
                                                                  message.message_id)
    if link is not None:
        await revise_answer(message, context, question, link, group=group)
    else:
        await answer_question(message, context, question, group=group)


async def move_migrated_chat(update: Update, context: Context) -> None:
    """A group became a supergroup: its stored answers and its subscription (with the
    deliveries it is still owed) follow it to the new chat id."""
    message = update.message
    if message is None or message.migrate_to_chat_id is None:
        return
    services = context.bot_data.services
    moved = await services.answers.amigrate_chat(message.chat_id, message.migrate_to_chat_id)
    subscribed = await services.subscriptions.amigrate(message.chat_id,
                                                       message.migrate_to_chat_id)
    logger.warning("chat %s migrated to %s (%d answers moved%s)", message.chat_id,
                   message.migrate_to_chat_id, moved,
                   ", subscription moved" if subscribed else "")
    if subscribed:
        services.broadcaster.wake()
