"""The command menus: every command the bot lists, in one place, per scope.

Telegram shows a menu per scope: private chats, groups, the groups' own administrators
(``BotCommandScopeAllChatAdministrators``: only they may change a group's subscription,
so only they see ``/dangky`` there), and -- for the bot's admins only -- each admin's
private chat (``BotCommandScopeChat``). Members see only what they may use. `COMMANDS`
is the one list to extend (admin commands with ``admin=True``); `register_menus` sets
every scope on start, so a menu is never stale after an upgrade.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.platform import texts

__all__ = ["COMMANDS", "MenuCommand", "menus", "register_menus"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """A command as listed in a menu, and where it is listed."""

    name: str
    description: str
    private: bool = True
    group: bool = False
    group_admin: bool = False  # in groups, listed only for the group's administrators
    admin: bool = False  # listed only in the bot admins' private chats


COMMANDS: tuple[MenuCommand, ...] = (
    MenuCommand("start", texts.COMMAND_DESCRIPTIONS["start"]),
    MenuCommand("help", texts.COMMAND_DESCRIPTIONS["help"], group=True),
    MenuCommand("hoi", texts.COMMAND_DESCRIPTIONS["hoi"], group=True),
    MenuCommand("dangky", texts.COMMAND_DESCRIPTIONS["dangky"], group=True, group_admin=True),
    MenuCommand("huydangky", texts.COMMAND_DESCRIPTIONS["huydangky"], group=True,
                group_admin=True),
    MenuCommand("reload", texts.COMMAND_DESCRIPTIONS["reload"], admin=True),
    MenuCommand("stats", texts.COMMAND_DESCRIPTIONS["stats"], admin=True),
    MenuCommand("subscribers", texts.COMMAND_DESCRIPTIONS["subscribers"], admin=True),
    MenuCommand("broadcast", texts.COMMAND_DESCRIPTIONS["broadcast"], admin=True),
    MenuCommand("preview", texts.COMMAND_DESCRIPTIONS["preview"], admin=True),
    MenuCommand("ingest", texts.COMMAND_DESCRIPTIONS["ingest"], admin=True),
    MenuCommand("feeds", texts.COMMAND_DESCRIPTIONS["feeds"], admin=True),
)


def menus(commands: Sequence[MenuCommand],
          admin_ids: Iterable[int]) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope with its commands; admin chats only when there are admin commands."""
    def listed(selected: Iterable[MenuCommand]) -> list[BotCommand]:
        return [BotCommand(c.name, c.description) for c in selected]

    everyone = [c for c in commands if not c.admin]
    result: list[tuple[BotCommandScope, list[BotCommand]]] = [
        (BotCommandScopeAllPrivateChats(), listed(c for c in everyone if c.private)),
        (BotCommandScopeAllGroupChats(),
         listed(c for c in everyone if c.group and not c.group_admin)),
        (BotCommandScopeAllChatAdministrators(), listed(c for c in everyone if c.group)),
    ]
    admin_only = [c for c in commands if c.admin]
    if admin_only:
        for admin_id in sorted(admin_ids):
            result.append((BotCommandScopeChat(admin_id),
                           listed([*(c for c in everyone if c.private), *admin_only])))
    return result


async def register_menus(bot: Bot, admin_ids: Iterable[int],
                         commands: Sequence[MenuCommand] = COMMANDS) -> int:
    """Set every menu and the bot's descriptions; returns how many menus were set.

    A menu Telegram refuses (an admin who never opened a chat with the bot: "chat not
    found") is logged and skipped: a menu is a convenience, not a reason not to start.
    """
    registered = 0
    for scope, listed in menus(commands, admin_ids):
        try:
            await bot.set_my_commands(listed, scope=scope)
            registered += 1
        except TelegramError as error:
            logger.warning("could not set the %s command menu: %s", scope.type, error)
    for setter, text in ((bot.set_my_description, texts.DESCRIPTION),
                         (bot.set_my_short_description, texts.SHORT_DESCRIPTION)):
        try:
            await setter(text)
        except TelegramError as error:
            logger.warning("could not set the bot description: %s", error)
    return registered
