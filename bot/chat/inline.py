"""Inline mode: ``@BotName câu hỏi`` in any chat lists result cards, page by page.

Each result sends a card (title, date, best passage, source link) with a button that
opens the article in a private chat with the bot. Pages follow Telegram's ``offset`` /
``next_offset`` protocol: the offset is the number of results already shown.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode

from bot.chat.answering import question_problem, search
from bot.platform import texts
from bot.platform.article_keys import article_key
from bot.platform.cards import hit_card_block
from bot.platform.excerpt import trim
from bot.platform.keyboards import inline_card_keyboard
from bot.platform.render import clean, single_message, to_html
from bot.platform.state import Context
from retrieval import Hit

__all__ = ["INLINE_PAGE", "answer_inline_query"]

logger = logging.getLogger(__name__)

INLINE_PAGE = 10
INLINE_MAX = int(InlineQueryLimit.RESULTS)  # 50: what one answer may hold, and our total
CACHE_SECONDS = 60
_TITLE_CHARS = 120
_DESCRIPTION_CHARS = 160


def _offset(raw: str) -> int:
    """The offset we sent as ``next_offset``; anything else starts from the beginning."""
    return int(raw) if raw.isdigit() and int(raw) < INLINE_MAX else 0


def _result(hit: Hit, bot_username: str) -> InlineQueryResultArticle:
    key = article_key(hit.article_id)
    snippet = trim(" ".join(clean(hit.best_sentence).split()), _DESCRIPTION_CHARS)
    return InlineQueryResultArticle(
        id=key,
        title=trim(clean(hit.title), _TITLE_CHARS),
        description=texts.inline_description(hit.published, snippet, hit.date_source),
        input_message_content=InputTextMessageContent(
            to_html(single_message([hit_card_block(hit)])),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=inline_card_keyboard(bot_username, key),
    )


async def answer_inline_query(update: Update, context: Context) -> None:
    """Result cards for the query, `INLINE_PAGE` at a time."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    help_button = InlineQueryResultsButton(text=texts.INLINE_HELP_BUTTON, start_parameter="help")
    if question_problem(question) is not None:
        await query.answer([], button=help_button, cache_time=CACHE_SECONDS)
        return
    offset = _offset(query.offset)
    logger.debug("inline query at offset %d: %r", offset, question)
    # One more than the page: tells whether a next page exists.
    hits = await search(context.bot_data.services, question,
                        min(offset + INLINE_PAGE + 1, INLINE_MAX + 1),
                        shown=slice(offset, offset + INLINE_PAGE))
    page = hits[offset : offset + INLINE_PAGE]
    end = offset + len(page)
    more = len(hits) > end and end < INLINE_MAX
    if not page and offset == 0:
        no_results = InlineQueryResultsButton(text=texts.INLINE_NO_RESULTS,
                                              start_parameter="help")
        await query.answer([], button=no_results, cache_time=CACHE_SECONDS)
        return
    await query.answer(
        [_result(hit, context.bot.username) for hit in page],
        # Not "" for "no more": with Defaults set, PTB 22.8's ExtBot turns an empty string
        # into "[]" (its poll-option default handling matches any empty sequence), and a
        # client would then ask for offset "[]". Leaving the field out means the same.
        next_offset=str(end) if more else None,
        cache_time=CACHE_SECONDS,
        button=help_button if offset == 0 else None,
    )
