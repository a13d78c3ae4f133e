"""The callback-button handler: answer pages, "read in full", subscription settings and
admins' announcement confirmations.

Every callback query is answered, and quickly: the data is parsed and the stored state
looked up first (milliseconds), a stale or forged button gets a short notice, and only
then does the slower work (search, edits, long messages) run.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, MaybeInaccessibleMessage, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.admin.commands import confirm_announcement
from bot.chat.answering import render_private, search
from bot.directives.subscriptions import change_settings
from bot.platform import texts
from bot.platform.cards import (
    ARTICLE_MAX_MESSAGES,
    PAGE_SIZE,
    article_blocks,
    n_pages,
    truncated_notice,
)
from bot.platform.error_handler import is_not_modified
from bot.platform.keyboards import (
    AnnouncementRequest,
    PageRequest,
    ReadRequest,
    SettingsRequest,
    parse_callback,
)
from bot.platform.render import pack, to_html
from bot.platform.state import Context
from corpus import Article

__all__ = ["press_button", "send_article"]

logger = logging.getLogger(__name__)


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer the callback query; a press older than Telegram waits (about 15 s, e.g. made
    while the bot was down) can no longer be answered, but its work is still done."""
    try:
        await query.answer(text)
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        logger.info("callback query answered too late (pressed while the bot was busy or down)")


async def press_button(update: Update, context: Context) -> None:
    """Turn a page, send an article in full, change a subscription, confirm an announcement."""
    query = update.callback_query
    if query is None:
        return
    request = parse_callback(query.data)
    message = query.message
    if request is None or message is None:
        logger.debug("callback with unknown data or no message: %r", query.data)
        await query.answer(texts.BUTTON_EXPIRED)
        return
    if isinstance(request, SettingsRequest):
        await change_settings(query, message, context, request)
        return
    if isinstance(request, AnnouncementRequest):
        await confirm_announcement(update, context, request)
        return
    services = context.bot_data.services
    if isinstance(request, ReadRequest):
        article = services.article_for_key(request.key)
        if article is None:
            await query.answer(texts.ARTICLE_GONE)
            return
        await _acknowledge(query)
        await send_article(context, message, article)
        return
    await turn_page(query, message, context, request)


async def turn_page(query: CallbackQuery, message: MaybeInaccessibleMessage, context: Context,
                    request: PageRequest) -> None:
    """Edit an answer message to show another page of the same answer.

    The button is checked against the stored answer (its chat, who asked it, how many
    results it had) and answered before the search runs again; if a reload changed the
    results since, the page shown is the nearest one that still exists. Callback data can
    be forged and row ids are sequential, so the chat check is what keeps one user from
    paging through another's private answer; the asker check is a second lock.
    """
    services = context.bot_data.services
    stored = await services.answers.aget(request.answer_id)
    presser = query.from_user.id if query.from_user is not None else None
    if (stored is None or stored.chat_id != message.chat.id
            or message.chat.type != ChatType.PRIVATE
            or (stored.owner_id is not None and stored.owner_id != presser)
            or not stored.article_ids or request.page >= n_pages(len(stored.article_ids))):
        await query.answer(texts.BUTTON_EXPIRED)
        return
    await _acknowledge(query)
    if request.page == stored.page:
        return  # already shown (a double tap): the same edit would be "not modified"
    first = request.page * PAGE_SIZE
    hits = await search(services, stored.question, shown=slice(first, first + PAGE_SIZE))
    page = min(request.page, n_pages(len(hits)) - 1)
    rendered = render_private(stored.id, stored.question, hits, page)
    try:
        await context.bot.edit_message_text(
            rendered.html, chat_id=message.chat.id, message_id=message.message_id,
            reply_markup=rendered.markup,
        )
    except BadRequest as error:
        if not is_not_modified(error):
            raise
    await services.answers.aset_page(stored.id, page)


async def send_article(context: Context, anchor: MaybeInaccessibleMessage,
                       article: Article) -> None:
    """The article's whole text, in as few messages as fit (at most a few), in the chat
    (and forum topic) of `anchor`."""
    messages = pack(article_blocks(article))
    if len(messages) > ARTICLE_MAX_MESSAGES:
        notice = truncated_notice(article)
        last = list(messages[ARTICLE_MAX_MESSAGES - 1])
        while last and len(pack([*last, notice])) > 1:
            last.pop()
        messages = [*messages[: ARTICLE_MAX_MESSAGES - 1], (*last, notice)]
    thread = getattr(anchor, "message_thread_id", None)
    topic = thread if getattr(anchor, "is_topic_message", False) else None
    for blocks in messages:
        await context.bot.send_message(anchor.chat.id, to_html(blocks), message_thread_id=topic)
