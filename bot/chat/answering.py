"""Answering a question: search off the event loop, store the answer, send or edit it.

Shared by every way a question arrives (private text, ``/hoi``, group mentions and
replies, deep links, edited questions). Searching and the database run in worker
threads, so one slow question never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.platform import texts
from bot.platform.cards import (
    GROUP_RESULTS,
    MAX_RESULTS,
    PAGE_SIZE,
    answer_blocks,
    text_block,
)
from bot.platform.error_handler import is_not_modified
from bot.platform.keyboards import answer_keyboard, group_keyboard
from bot.platform.render import single_message, to_html
from bot.platform.state import Context, Services
from bot.store import AnswerLink
from retrieval import MAX_QUERY_CHARS, Hit

__all__ = [
    "MAX_QUESTION_CHARS",
    "Rendered",
    "answer_question",
    "hint",
    "question_problem",
    "render_group",
    "render_private",
    "revise_answer",
    "search",
]

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = MAX_QUERY_CHARS


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: HTML and its keyboard."""

    html: str
    markup: InlineKeyboardMarkup | None = None


def question_problem(question: str) -> str | None:
    """Why the bot cannot search for `question` (a hint for the user), or None."""
    if not any(ch.isalnum() for ch in question):
        return texts.EMPTY_QUESTION
    if len(question) > MAX_QUESTION_CHARS:
        return texts.question_too_long(MAX_QUESTION_CHARS)
    return None


async def search(services: Services, question: str, k: int = MAX_RESULTS,
                 shown: slice = slice(0, PAGE_SIZE)) -> list[Hit]:
    """The current searcher's hits, computed off the event loop; those in `shown` (the
    page to render) come with their best sentence and highlights worked out there."""
    return await services.search(question, k, shown)


def render_private(answer_id: int, question: str, hits: Sequence[Hit], page: int) -> Rendered:
    """One page of a private answer, with its buttons."""
    blocks = single_message(answer_blocks(question, hits, page))
    return Rendered(to_html(blocks), answer_keyboard(answer_id, hits, page))


def render_group(bot_username: str, token: str | None, question: str,
                 hits: Sequence[Hit]) -> Rendered:
    """A compact group answer: the top results and a button to continue in private.

    The button's link carries the answer's share `token`; an answer stored before tokens
    existed (None) gets no button rather than a link that would only be refused.
    """
    blocks = answer_blocks(question, hits, 0, page_size=GROUP_RESULTS, compact=True)
    markup = group_keyboard(bot_username, token) if hits and token else None
    return Rendered(to_html(single_message(blocks)), markup)


async def _typing(message: Message) -> None:
    """The "typing…" indicator; a failure here must not cost the answer."""
    with contextlib.suppress(TelegramError):
        await message.get_bot().send_chat_action(
            message.chat_id, ChatAction.TYPING,
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )


async def hint(message: Message, text: str) -> Message:
    """A short plain reply (usage hints, notices)."""
    return await message.reply_html(to_html([text_block(text)]), do_quote=False)


async def answer_question(message: Message, context: Context, question: str, *,
                          group: bool) -> None:
    """Search `question` and reply to `message` with the answer (or a hint).

    Private chats get a typing indicator, a page of results and buttons; groups get the
    top results as a reply in the asker's topic, or silence when there is no question.
    """
    services = context.bot_data.services
    started = time.perf_counter()
    logger.debug("question in chat %s: %r", message.chat_id, question)
    problem = question_problem(question)
    if problem is not None:
        if not group:
            services.monitor.question("declined")
            await hint(message, problem)
        return
    typing = None if group else asyncio.create_task(_typing(message))
    try:
        hits = await search(services, question)
    finally:
        if typing is not None:
            await typing  # before the answer, or "typing…" would linger after it
    asker = message.from_user.id if message.from_user is not None else None
    stored = await services.answers.acreate(message.chat_id, question,
                                            [hit.article_id for hit in hits],
                                            owner_id=asker, private=not group)
    if group:
        rendered = render_group(context.bot.username, stored.token, question, hits)
    else:
        rendered = render_private(stored.id, question, hits, 0)
    sent = await message.reply_html(rendered.html, reply_markup=rendered.markup,
                                    do_quote=group, allow_sending_without_reply=True)
    services.monitor.question("answered" if hits else "no_result",
                              time.perf_counter() - started)
    await services.answers.alink(message.chat_id, message.message_id, stored.id,
                                 [sent.message_id])


async def revise_answer(message: Message, context: Context, question: str,
                        link: AnswerLink, *, group: bool) -> None:
    """An answered question was edited: edit its answer in place.

    When the answer message is gone (deleted by the user), answer afresh instead.
    """
    services = context.bot_data.services
    logger.debug("edited question in chat %s: %r", message.chat_id, question)
    if question == link.answer.question:
        return  # an edit that leaves the question as it was (a link preview, a typo undone)
    problem = question_problem(question)
    hits: list[Hit] | None = None
    if problem is not None:
        if group:
            return
        rendered = Rendered(to_html([text_block(problem)]))
    else:
        hits = await search(services, question)
        if group:
            rendered = render_group(context.bot.username, link.answer.token, question, hits)
        else:
            rendered = render_private(link.answer.id, question, hits, 0)
    try:
        await context.bot.edit_message_text(
            rendered.html, chat_id=message.chat_id, message_id=link.message_ids[0],
            reply_markup=rendered.markup,
        )
    except BadRequest as error:
        if not is_not_modified(error):
            if "not found" not in error.message.lower():
                raise
            await answer_question(message, context, question, group=group)
            return
    if hits is not None:
        await services.answers.arevise(link.answer.id, question,
                                       [hit.article_id for hit in hits])
