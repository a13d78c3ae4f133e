"""``/start`` (with deep links), ``/help``, unknown commands and messages without text."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.chat.answering import answer_question, hint
from bot.platform import texts
from bot.platform.article_keys import article_key
from bot.platform.cards import card_block, text_block
from bot.platform.keyboards import card_keyboard, parse_start
from bot.platform.render import single_message, to_html
from bot.platform.state import Context

__all__ = ["explain_not_text", "explain_unknown_command", "show_help", "start"]


async def show_help(update: Update, context: Context) -> None:
    """What the bot does, with example questions (short in groups)."""
    message = update.message
    if message is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        text = texts.help_text(context.bot.username)
    else:
        text = texts.group_help(context.bot.username)
    await message.reply_html(to_html([text_block(text)]),
                             do_quote=message.chat.type != ChatType.PRIVATE)


async def start(update: Update, context: Context) -> None:
    """``/start``: the help; with a deep-link payload, that answer or article card.

    An answer link opens only through `AnswerStore.shared` (by token, young enough, and
    a private answer only for its asker); any refusal is one notice that reveals
    nothing, not even whether the token existed.
    """
    message = update.message
    if message is None:
        return
    request = parse_start(context.args[0]) if context.args else None
    if request is None or message.chat.type != ChatType.PRIVATE:
        await show_help(update, context)
        return
    services = context.bot_data.services
    if request.token is not None:
        user_id = message.from_user.id if message.from_user is not None else None
        stored = await services.answers.ashared(request.token, user_id)
        if stored is None:
            await hint(message, texts.LINK_REFUSED)
            return
        await answer_question(message, context, stored.question, group=False)
        return
    article = services.article_for_key(request.key or "")
    if article is None:
        await hint(message, texts.ARTICLE_GONE)
        return
    blocks = [card_block(article)]
    if article.directive is not None:  # opened from a directive card: invite a question
        blocks.append(text_block(texts.directive_hint(article.directive.label)))
    await message.reply_html(to_html(single_message(blocks)),
                             reply_markup=card_keyboard(article_key(article.id)),
                             do_quote=False)


async def explain_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have (or one for another bot), in a private chat."""
    if update.message is not None:
        await hint(update.message, texts.UNKNOWN_COMMAND)


async def explain_not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice note… in a private chat: the bot reads text only."""
    if update.message is not None:
        await hint(update.message, texts.NOT_TEXT)
