"""Menus per scope; admin scopes appear only when there are admin commands."""

from bot.menus import COMMANDS, MenuCommand, menus


def scopes(result):
    return [(scope.type, getattr(scope, "chat_id", None), [c.command for c in commands])
            for scope, commands in result]


def test_without_admin_commands_no_admin_menus():
    assert scopes(menus(COMMANDS, {1, 2})) == [
        ("all_private_chats", None, ["start", "help", "hoi"]),
        ("all_group_chats", None, ["help", "hoi"]),
    ]


def test_admin_commands_go_to_each_admin_chat_only():
    commands = (*COMMANDS, MenuCommand("stats", "Thống kê", admin=True),
                MenuCommand("reload", "Nạp lại dữ liệu", admin=True))
    result = scopes(menus(commands, {20, 10}))
    assert result[:2] == scopes(menus(COMMANDS, ()))
    assert result[2:] == [
        ("chat", 10, ["start", "help", "hoi", "stats", "reload"]),
        ("chat", 20, ["start", "help", "hoi", "stats", "reload"]),
    ]


def test_descriptions_are_vietnamese_and_within_limits():
    for command in COMMANDS:
        assert 1 <= len(command.description) <= 256
        assert any(ord(ch) > 127 for ch in command.description)
