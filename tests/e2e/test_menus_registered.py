"""Command menus per scope, in Vietnamese; admin menus only in the admins' chats."""

from __future__ import annotations

import pytest
from support.bot_harness import make_settings
from support.fixtures import running_bot

from bot.platform import texts
from bot.platform.menus import COMMANDS, register_menus

pytestmark = pytest.mark.e2e

ADMIN = 7001


async def test_start_registers_private_and_group_menus(fake, bot_running):
    settings = make_settings(fake, admin_ids=frozenset({ADMIN}))
    async with bot_running(fake, settings=settings, expect_rejections=True):
        pass
    private = fake.commands[("all_private_chats", "")]
    groups = fake.commands[("all_group_chats", "")]
    group_admins = fake.commands[("all_chat_administrators", "")]
    assert [c["command"] for c in private] == ["start", "help", "hoi", "dangky", "huydangky"]
    # Members of a group see what they may use; only the group's admins may subscribe it.
    assert [c["command"] for c in groups] == ["help", "hoi"]
    assert [c["command"] for c in group_admins] == ["help", "hoi", "dangky", "huydangky"]
    assert private[2]["description"] == texts.COMMAND_DESCRIPTIONS["hoi"]
    # The admin commands are listed only in the admin's own chat (the admin has never
    # written to the bot, so Telegram refuses that menu: a warning, not a failure).
    assert not any(scope.startswith("chat:") for scope, _ in fake.commands)
    assert [r.description for r in fake.rejected] == ["Bad Request: chat not found"]
    fake.rejected.clear()
    assert fake.descriptions[("description", "")] == texts.DESCRIPTION


async def test_admin_commands_are_listed_only_in_the_admins_chats(fake):
    fake.add_chat(ADMIN)
    async with running_bot(fake) as bot:
        count = await register_menus(bot, {ADMIN, 7002}, commands=COMMANDS)
    # 7002 never opened a chat with the bot: Telegram refuses that menu; the others stand.
    assert count == 4
    assert [r.description for r in fake.rejected] == ["Bad Request: chat not found"]
    fake.rejected.clear()
    admin_menu = fake.commands[(f"chat:{ADMIN}", "")]
    assert [c["command"] for c in admin_menu] == [
        "start", "help", "hoi", "dangky", "huydangky",
        "reload", "stats", "subscribers", "broadcast", "preview", "ingest", "feeds"]
    assert "stats" not in [c["command"] for c in fake.commands[("all_private_chats", "")]]
