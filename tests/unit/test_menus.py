"""Menus per scope; admin scopes appear only when there are admin commands."""

from bot.platform.menus import COMMANDS, MenuCommand, menus


def scopes(result):
    return [(scope.type, getattr(scope, "chat_id", None), [c.command for c in commands])
            for scope, commands in result]


EVERYONE = [c for c in COMMANDS if not c.admin]
ADMIN = ["reload", "stats", "subscribers", "broadcast", "preview", "ingest", "feeds"]
PUBLIC = ["start", "help", "hoi", "dangky", "huydangky"]


def test_without_admin_commands_no_admin_menus():
    assert scopes(menus(EVERYONE, {1, 2})) == [
        ("all_private_chats", None, PUBLIC),
        ("all_group_chats", None, ["help", "hoi"]),
        ("all_chat_administrators", None, ["help", "hoi", "dangky", "huydangky"]),
    ]


def test_admin_commands_go_to_each_admin_chat_only():
    result = scopes(menus(COMMANDS, {20, 10}))
    assert result[:3] == scopes(menus(EVERYONE, ()))
    assert result[3:] == [("chat", 10, PUBLIC + ADMIN), ("chat", 20, PUBLIC + ADMIN)]


def test_without_admins_no_admin_menus():
    assert scopes(menus(COMMANDS, ())) == scopes(menus(EVERYONE, ()))


def test_an_admin_command_added_later_joins_the_admin_menus():
    commands = (*COMMANDS, MenuCommand("export", "Xuất dữ liệu", admin=True))
    assert scopes(menus(commands, {10}))[3] == ("chat", 10, [*PUBLIC, *ADMIN, "export"])


def test_descriptions_are_vietnamese_and_within_limits():
    for command in COMMANDS:
        assert 1 <= len(command.description) <= 256
        assert any(ord(ch) > 127 for ch in command.description)
