"""The bot's own membership: added to a group, removed, blocked, unblocked.

Telegram reports each change as a ``my_chat_member`` update:

- added to a group (or supergroup): a short welcome saying how to subscribe;
- removed from a group, or kicked: the group's subscription stops;
- blocked by a person (their private chat turns "kicked"): their subscription stops;
  unblocked again: it restarts as it was (they did not ask to stop);
- channels: ignored (the bot does not post to channels).

A group that becomes a supergroup is handled with the migration service message
(`bot.chat.questions.move_migrated_chat`), and by the sender if a send meets it first.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.render import to_html
from bot.platform.state import Context
from bot.store import Reason

__all__ = ["track_membership"]

logger = logging.getLogger(__name__)

_PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _present(member: object) -> bool:
    status = getattr(member, "status", None)
    if status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return status in _PRESENT


async def track_membership(update: Update, context: Context) -> None:
    """Welcome in a new group; stop or restart subscriptions when the bot leaves or returns."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    store = context.bot_data.services.subscriptions
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        if now and not was:
            logger.info("added to group %s", chat.id)
            try:
                await context.bot.send_message(
                    chat.id, to_html([text_block(texts.welcome_group(context.bot.username))]))
            except TelegramError as error:  # e.g. a group where members may not write
                logger.warning("could not greet group %s: %s", chat.id, error)
        elif was and not now:
            stopped = await store.adeactivate(chat.id, Reason.REMOVED)
            logger.info("removed from group %s%s", chat.id,
                        "; subscription stopped" if stopped else "")
    elif chat.type == ChatType.PRIVATE:
        if change.new_chat_member.status == ChatMemberStatus.BANNED:
            stopped = await store.adeactivate(chat.id, Reason.BLOCKED)
            logger.info("blocked by user %s%s", chat.id,
                        "; subscription stopped" if stopped else "")
        elif (change.old_chat_member.status == ChatMemberStatus.BANNED and now
              and await store.areactivate(chat.id, Reason.BLOCKED)):
            logger.info("unblocked by user %s; subscription restarted", chat.id)
            context.bot_data.services.broadcaster.wake()
