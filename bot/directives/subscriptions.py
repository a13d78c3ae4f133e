"""``/dangky`` and ``/huydangky``: a chat subscribes to new directives, with filters.

In a private chat a person manages their own subscription. In a group only the group's
administrators may (asked of Telegram each time, so a demoted admin loses the right at
once); a message from an anonymous administrator comes from the group itself
(``sender_chat``) and counts as an administrator's. Everyone else gets a short refusal.

``/dangky`` with filters sets them; alone it subscribes (keeping earlier filters) or,
when already subscribed, shows the settings with buttons. Either way the cards go where
the command was typed: a forum topic, or the chat itself.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError

from bot.directives.filters import Filters, parse_filters
from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.error_handler import is_not_modified
from bot.platform.keyboards import SettingsRequest, settings_keyboard
from bot.platform.render import Block, Span, to_html
from bot.platform.state import Context
from bot.platform.triggers import command_of
from bot.store import Reason, Subscription
from corpus import KIND_LABELS, fold_diacritics

__all__ = ["change_settings", "is_chat_admin", "settings_blocks", "subscribe", "unsubscribe"]

logger = logging.getLogger(__name__)

_MANAGED_CHATS = (ChatType.PRIVATE, ChatType.GROUP, ChatType.SUPERGROUP)


async def is_chat_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says `user_id` is the group's creator or an administrator."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        logger.warning("cannot check the admins of chat %s: %s", chat_id, error)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def _may_manage(message: Message, user: User | None, context: Context) -> bool:
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator writes as the group
    if user is None or message.sender_chat is not None:
        return False  # a channel posting in the group is nobody's admin
    return await is_chat_admin(context, chat.id, user.id)


def _where(message: MaybeInaccessibleMessage) -> int | None:
    """The forum topic a message is in, if any."""
    return message.message_thread_id if getattr(message, "is_topic_message", False) else None


def _title(chat: Chat) -> str:
    """Group titles are kept for /subscribers; a person's name is not."""
    return "" if chat.type == ChatType.PRIVATE else (chat.title or "")


def settings_blocks(subscription: Subscription | None, *, header: str | None = None,
                    dropped: list[str] | None = None) -> list[Block]:
    """The settings message: header, kinds, keywords, destination and how to change."""
    if subscription is None:
        return [text_block(texts.NOT_SUBSCRIBED)]
    title = header or (texts.SETTINGS_HEADER if subscription.active
                       else texts.SETTINGS_HEADER_OFF)
    kinds = [KIND_LABELS[k] for k in subscription.filters.kinds]
    where = texts.destination(subscription.private, subscription.thread_id is not None)
    lines = texts.subscription_lines(kinds, list(subscription.filters.keywords), where)
    blocks: list[Block] = [(Span(title, bold=True), Span("\n" + "\n".join(lines)))]
    if dropped:
        blocks.append(text_block(texts.dropped_keywords(dropped)))
    if subscription.active:
        blocks.append(text_block(texts.FILTER_HELP))
    return blocks


async def _reply(message: Message, blocks: list[Block], subscription: Subscription | None
                 ) -> None:
    markup = None
    if subscription is not None:
        markup = settings_keyboard(subscription.filters.kinds, active=subscription.active)
    await message.reply_html(to_html(blocks), reply_markup=markup,
                             do_quote=message.chat.type != ChatType.PRIVATE)


def _clears_filters(argument: str) -> bool:
    return " ".join(fold_diacritics(argument).lower().split()) in {
        " ".join(fold_diacritics(w).split()) for w in texts.CLEAR_FILTERS_WORDS}


async def _managed_message(update: Update, context: Context) -> Message | None:
    """The message of a chat whose subscription this sender may change, else None
    (after telling a group member who may not)."""
    message = update.message
    if message is None or message.chat.type not in _MANAGED_CHATS:
        return None
    if not await _may_manage(message, update.effective_user, context):
        await message.reply_html(to_html([text_block(texts.SUBSCRIBE_ADMINS_ONLY)]))
        return None
    return message


async def subscribe(update: Update, context: Context) -> None:
    """``/dangky [kinds] [keywords]``: subscribe here, set filters, or show settings."""
    message = await _managed_message(update, context)
    if message is None:
        return
    command = command_of(message)
    argument = command[2] if command else ""
    store = context.bot_data.services.subscriptions
    chat = message.chat
    current = await store.aget(chat.id)
    thread = _where(message)
    dropped: list[str] = []
    filters: Filters | None = None
    if argument:
        filters, dropped = (Filters(), []) if _clears_filters(argument) else \
            parse_filters(argument)
    elif current is not None and current.active and current.thread_id == thread:
        await _reply(message, settings_blocks(current), current)
        return
    subscription = await store.asubscribe(chat.id, chat.type, _title(chat), thread, filters)
    logger.info("chat %s subscribed (%d kinds, %d keywords, topic %s)", chat.id,
                len(subscription.filters.kinds), len(subscription.filters.keywords), thread)
    await _reply(message, settings_blocks(subscription, header=texts.SUBSCRIBED,
                                          dropped=dropped), subscription)


async def unsubscribe(update: Update, context: Context) -> None:
    """``/huydangky``: stop the chat's subscription (its filters are kept)."""
    message = await _managed_message(update, context)
    if message is None:
        return
    stopped = await context.bot_data.services.subscriptions.adeactivate(
        message.chat.id, Reason.UNSUBSCRIBED)
    if stopped:
        logger.info("chat %s unsubscribed", message.chat.id)
    await message.reply_html(
        to_html([text_block(texts.UNSUBSCRIBED if stopped else texts.NOT_SUBSCRIBED)]),
        do_quote=message.chat.type != ChatType.PRIVATE)


async def change_settings(query: CallbackQuery, message: MaybeInaccessibleMessage,
                          context: Context, request: SettingsRequest) -> None:
    """A button under the settings: toggle a kind, all kinds, stop, or subscribe again."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        allowed = query.from_user.id == chat.id
    else:
        allowed = await is_chat_admin(context, chat.id, query.from_user.id)
    if not allowed:
        await query.answer(texts.SUBSCRIBE_ADMINS_ONLY, show_alert=True)
        return
    store = context.bot_data.services.subscriptions
    current = await store.aget(chat.id)
    if request.action == "on":
        thread = current.thread_id if current is not None else _where(message)
        updated = await store.asubscribe(chat.id, chat.type, _title(chat), thread, None)
    elif current is None:
        await query.answer(texts.NOT_SUBSCRIBED)
        return
    elif request.action == "off":
        await store.adeactivate(chat.id, Reason.UNSUBSCRIBED)
        updated = await store.aget(chat.id)
    else:
        kinds = current.filters.with_kind_toggled(request.kind) if request.kind else \
            Filters((), current.filters.keywords)
        updated = await store.aset_filters(chat.id, Filters(kinds.kinds,
                                                            current.filters.keywords))
    await query.answer(texts.SAVED)
    markup = None
    if updated is not None:
        markup = settings_keyboard(updated.filters.kinds, active=updated.active)
    try:
        await context.bot.edit_message_text(to_html(settings_blocks(updated)),
                                            chat_id=chat.id, message_id=message.message_id,
                                            reply_markup=markup)
    except BadRequest as error:  # a double tap, or the message was deleted meanwhile
        if not is_not_modified(error):
            logger.warning("could not update the settings in chat %s: %s", chat.id, error)
