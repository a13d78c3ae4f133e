"""Errors the bot raises itself; each ends the program with one line, never a traceback.

BotError                 the bot cannot start or continue (message says why)
├── ConfigError          a setting is missing or malformed (exit status 2)
├── StartupError         Telegram refused the token or could not be reached (exit status 1)
├── DatabaseError        the database file cannot be opened or is too new (exit status 1)
└── BackupError          backup/restore refused: a file exists, is not ours, bot running (2)

Errors inside handlers are not raised to here: the global error handler
(`bot.platform.error_handler`) logs them and tells the user briefly.
"""

from __future__ import annotations

__all__ = ["BackupError", "BotError", "ConfigError", "DatabaseError", "StartupError"]


class BotError(Exception):
    """The bot cannot start or continue; `exit_status` is what the process returns."""

    exit_status = 1


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the variable and the flag."""

    exit_status = 2


class StartupError(BotError):
    """Telegram rejected the token, or the Bot API could not be reached."""


class DatabaseError(BotError):
    """The database cannot be opened, or was written by a newer program."""


class BackupError(BotError):
    """A backup or restore was refused or failed; the message says what to do instead."""

    exit_status = 2
