"""Which messages are questions to this bot, and what the question is.

In a private chat every text is a question, ``/hoi <question>`` too. In a group the bot
answers only when addressed -- ``/hoi`` (``/hoi@ThisBot``), a mention of the bot, or a
reply to one of its messages -- and stays silent otherwise (with privacy mode on,
Telegram delivers little else, but admins' bots and edits see everything).
"""

from __future__ import annotations

import html
import re

from telegram import Message, MessageEntity

__all__ = ["ASK_COMMAND", "command_of", "group_question", "private_question"]

ASK_COMMAND = "hoi"


def command_of(message: Message) -> tuple[str, str | None, str] | None:
    """(command, target bot or None, argument text) when the text starts with a command."""
    text = message.text or ""
    entities = message.entities or ()
    if not entities or entities[0].type != MessageEntity.BOT_COMMAND or entities[0].offset:
        return None
    # Commands are ASCII, so their UTF-16 length is their length in characters.
    length = entities[0].length
    name, _, target = text[1:length].partition("@")
    return name.lower(), target or None, text[length:].strip()


def command_argument_html(message: Message) -> str:
    """The argument of a command as Telegram HTML, with the sender's own formatting.

    PTB's ``text_html`` renders formatting entities (bold, italic, links…) and leaves the
    command itself as plain text, so the command is a literal prefix to cut off. When a
    formatting entity starts inside the command that prefix is not there; the argument is
    then sent as escaped plain text rather than as broken HTML.
    """
    command = command_of(message)
    if command is None:
        return ""
    length = (message.entities or ())[0].length
    prefix = html.escape((message.text or "")[:length], quote=False)
    rendered = message.text_html
    if rendered.startswith(prefix):
        return rendered[len(prefix):].strip()
    return html.escape(command[2], quote=False)


def private_question(message: Message) -> str | None:
    """The question of a private text message; None for commands other than /hoi."""
    command = command_of(message)
    if command is None:
        return (message.text or "").strip()
    name, _, argument = command
    return argument if name == ASK_COMMAND else None


def group_question(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question a group message asks this bot, or None when it does not address it.

    An empty string means "addressed, but no question" (``/hoi`` alone, a bare mention).
    """
    text = message.text or ""
    command = command_of(message)
    if command is not None:
        name, target, argument = command
        if target is not None and target.lower() != bot_username.lower():
            return None
        return argument if name == ASK_COMMAND else None
    mention = re.compile(rf"(?<![\w@])@{re.escape(bot_username)}(?!\w)", re.IGNORECASE)
    if any(
        entity.type == MessageEntity.MENTION
        and value.lower() == f"@{bot_username.lower()}"
        for entity, value in message.parse_entities([MessageEntity.MENTION]).items()
    ):
        return " ".join(mention.sub(" ", text).split())
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text.strip()
    return None
