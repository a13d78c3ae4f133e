"""The users' side of the fake: helpers that create updates the bot will receive.

Each helper builds the update the way a real Telegram client would produce it (entities for
commands and mentions, ``sender_chat`` for anonymous admins, both service messages of a group
migration, ...) and keeps the fake's chat registry consistent, so the bot sees the same world
whichever way a test drives it.
"""

from __future__ import annotations

import time
from typing import Any

from support.fake_bot_state import (
    DEFAULT_GROUP_USER_ID,
    GROUP_ANONYMOUS_BOT_ID,
    ChatInfo,
    FakeState,
    chat_member,
)
from support.fake_bot_text import detect_entities

_ANONYMOUS_BOT = {"id": GROUP_ANONYMOUS_BOT_ID, "is_bot": True, "first_name": "Group",
                  "username": "GroupAnonymousBot"}


class UpdateInjector(FakeState):
    """Update injection; every helper returns the Update dict it queued."""

    # -- building blocks ----------------------------------------------------------------------
    def _chat_for(self, chat_id: int, chat_type: str) -> ChatInfo:
        chat = self.chats.get(chat_id)
        if chat is not None and chat.kind != chat_type:
            raise ValueError(f"chat {chat_id} is a {chat.kind}, not a {chat_type}")
        return chat or self.add_chat(chat_id, chat_type)

    def _sender(self, chat: ChatInfo, user_id: int | None) -> dict[str, Any]:
        if chat.kind == "private":
            if user_id not in (None, chat.id):
                raise ValueError("in a private chat the sender is the chat's user")
            chat.started = True  # writing to the bot is what lets it write back
            return self.add_user(chat.id)
        user = self.add_user(DEFAULT_GROUP_USER_ID if user_id is None else user_id)
        chat.members.add(user["id"])
        return user

    def _new_message(self, chat: ChatInfo, sender: dict | None, *,
                     message_thread_id: int | None = None,
                     reply_to_message_id: int | None = None) -> dict[str, Any]:
        if chat.blocked and chat.kind != "private":
            raise ValueError(f"the bot is not a member of chat {chat.id}")
        message: dict[str, Any] = {"message_id": self.new_message_id(chat.id),
                                   "date": int(time.time()), "chat": chat.as_dict()}
        if sender is not None:
            message["from"] = sender
        if message_thread_id is not None:
            if chat.kind != "supergroup":
                raise ValueError("message_thread_id needs a supergroup")
            message["message_thread_id"] = message_thread_id
            if chat.is_forum:
                chat.topics.setdefault(message_thread_id, f"Topic {message_thread_id}")
                message["is_topic_message"] = True
        if reply_to_message_id is not None:
            replied = self.reply_snapshot(chat.id, reply_to_message_id)
            if replied is None:
                raise ValueError(f"message {reply_to_message_id} does not exist in {chat.id}")
            message["reply_to_message"] = replied
        return message

    def _addressed_to_bot(self, message: dict) -> bool:
        """What a group bot in privacy mode receives (see core.telegram.org/bots/features)."""
        text = message.get("text") or message.get("caption") or ""
        me = self.bot_username.lower()
        for entity in message.get("entities", []):
            piece = text[entity["offset"]: entity["offset"] + entity["length"]].lower()
            if entity["type"] == "bot_command" and piece.partition("@")[2] in ("", me):
                return True
            if entity["type"] == "mention" and piece == f"@{me}":
                return True
        replied = message.get("reply_to_message", {})
        return replied.get("from", {}).get("id") == self.bot_id

    def _deliver_message(self, chat: ChatInfo, message: dict, kind: str = "message") -> dict:
        """Store and queue a message, unless privacy mode would hide it from the bot."""
        self.store_message(message)
        if (kind in ("message", "edited_message") and chat.kind in ("group", "supergroup")
                and self.privacy_mode and not chat.bot_is_admin
                and not self._addressed_to_bot(message)):
            update = {"update_id": None, kind: message}
            self.filtered_updates.append((update, "privacy mode: not addressed to the bot"))
            return update
        return self.push_update(kind, message)

    # -- messages ------------------------------------------------------------------------------
    def user_says(self, chat_id: int, text: str, user_id: int | None = None,
                  chat_type: str = "private", message_thread_id: int | None = None,
                  reply_to_message_id: int | None = None,
                  entities: list[dict] | None = None) -> dict:
        """A user writes ``text``; commands/mentions/urls get entities like a real client."""
        if chat_type not in ("private", "group", "supergroup"):
            raise ValueError("users write in private chats and groups; see channel_post")
        if not text.strip():
            raise ValueError("Telegram clients cannot send an empty message; use raw_update")
        chat = self._chat_for(chat_id, chat_type)
        message = self._new_message(chat, self._sender(chat, user_id),
                                    message_thread_id=message_thread_id,
                                    reply_to_message_id=reply_to_message_id)
        message["text"] = text
        found = detect_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        return self._deliver_message(chat, message)

    def anonymous_admin_says(self, chat_id: int, text: str, chat_type: str = "supergroup",
                             message_thread_id: int | None = None) -> dict:
        """An anonymous admin writes: from = GroupAnonymousBot, sender_chat = the group."""
        chat = self._chat_for(chat_id, chat_type)
        message = self._new_message(chat, dict(_ANONYMOUS_BOT),
                                    message_thread_id=message_thread_id)
        message["sender_chat"] = chat.as_dict()
        message["text"] = text
        if found := detect_entities(text):
            message["entities"] = found
        return self._deliver_message(chat, message)

    def edit_message(self, chat_id: int, message_id: int, new_text: str) -> dict:
        """The user edits one of their earlier text messages (an edited_message update)."""
        message = self.find_message(chat_id, message_id)
        if message is None or message.get("from", {}).get("id") == self.bot_id:
            raise ValueError(f"no user message {message_id} in chat {chat_id}")
        message = {**message, "text": new_text, "edit_date": int(time.time())}
        message.pop("entities", None)
        if found := detect_entities(new_text):
            message["entities"] = found
        return self._deliver_message(self.chats[chat_id], message, "edited_message")

    def _media(self, chat_id: int, user_id: int | None, chat_type: str, field: str,
               payload: Any, caption: str | None = None) -> dict:
        chat = self._chat_for(chat_id, chat_type)
        message = self._new_message(chat, self._sender(chat, user_id))
        message[field] = payload
        if caption:
            message["caption"] = caption
        return self._deliver_message(chat, message)

    def _file(self, prefix: str, **extra: Any) -> dict[str, Any]:
        serial = self._next_update_id
        return {"file_id": f"{prefix}{serial:08d}", "file_unique_id": f"U{prefix}{serial}",
                **extra}

    def send_sticker(self, chat_id: int, user_id: int | None = None,
                     chat_type: str = "private", emoji: str = "👍") -> dict:
        """The user sends a sticker."""
        sticker = self._file("CAACAgI", type="regular", width=512, height=512,
                             is_animated=False, is_video=False, emoji=emoji)
        return self._media(chat_id, user_id, chat_type, "sticker", sticker)

    def send_photo(self, chat_id: int, user_id: int | None = None, chat_type: str = "private",
                   caption: str | None = None) -> dict:
        """The user sends a photo (two sizes, like Telegram's thumbnails)."""
        sizes = [self._file("AgACAgI", width=90, height=60, file_size=1200),
                 self._file("AgACAgJ", width=1280, height=853, file_size=98000)]
        return self._media(chat_id, user_id, chat_type, "photo", sizes, caption)

    def send_voice(self, chat_id: int, user_id: int | None = None, chat_type: str = "private",
                   duration: int = 3) -> dict:
        """The user sends a voice note."""
        voice = self._file("AwACAgI", duration=duration, mime_type="audio/ogg", file_size=9000)
        return self._media(chat_id, user_id, chat_type, "voice", voice)

    def channel_post(self, chat_id: int, text: str) -> dict:
        """A post in a channel where the bot is an administrator."""
        chat = self._chat_for(chat_id, "channel")
        chat.bot_is_admin = True
        message = self._new_message(chat, None)
        message["sender_chat"] = chat.as_dict()
        message["text"] = text
        return self._deliver_message(chat, message, "channel_post")

    # -- queries -------------------------------------------------------------------------------
    def press_button(self, chat_id: int, message_id: int, data: str,
                     user_id: int | None = None, *, forged: bool = False) -> str:
        """A user presses an inline button of a bot message; returns the callback query id.

        ``forged=True`` sends ``data`` although no button of the message carries it, as a
        modified client can (Telegram does not check callback data against the keyboard).
        """
        message = self.find_message(chat_id, message_id)
        if message is None or message.get("from", {}).get("id") != self.bot_id:
            raise ValueError(f"the bot has no message {message_id} in chat {chat_id}")
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row]
        if not forged and data not in [b.get("callback_data") for b in buttons]:
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        chat = self.chats[chat_id]
        user = self._sender(chat, user_id)
        update_id = self._next_update_id
        query_id = self.new_query_id("callback_query", update_id)
        query = {"id": query_id, "from": user, "message": message,
                 "chat_instance": str(abs(hash((chat_id, self.bot_id))) % 10**18), "data": data}
        self.push_update("callback_query", query)
        return query_id

    def inline_query(self, user_id: int, query: str, offset: str = "") -> str:
        """A user types ``@bot query``; returns the inline query id."""
        user = self.add_user(user_id)
        query_id = self.new_query_id("inline_query", self._next_update_id)
        self.push_update("inline_query", {"id": query_id, "from": user, "query": query,
                                          "offset": offset, "chat_type": "sender"})
        return query_id

    # -- membership and service messages -----------------------------------------------------
    def my_chat_member(self, chat_id: int, chat_type: str, old_status: str, new_status: str,
                       from_user_id: int) -> dict:
        """The bot's own membership changes (added, promoted, removed, blocked by the user)."""
        chat = self._chat_for(chat_id, chat_type)
        user = self.add_user(from_user_id)
        chat.blocked = new_status == "kicked"
        chat.left = new_status == "left"
        chat.bot_is_admin = new_status in ("administrator", "creator")
        event = {"chat": chat.as_dict(), "from": user, "date": int(time.time()),
                 "old_chat_member": chat_member(self.bot_user(), old_status),
                 "new_chat_member": chat_member(self.bot_user(), new_status)}
        return self.push_update("my_chat_member", event)

    def migrate_event(self, chat_id: int, new_chat_id: int) -> dict:
        """A group becomes a supergroup: both service messages, and sends to the old id fail."""
        old = self._chat_for(chat_id, "group")
        new = self.migrate(chat_id, new_chat_id)
        sender = self.add_user(old.admins[0] if old.admins else DEFAULT_GROUP_USER_ID)
        first = self._new_message(old, sender)
        first["migrate_to_chat_id"] = new_chat_id
        update = self.push_update("message", self.store_message(first))
        second = self._new_message(new, dict(_ANONYMOUS_BOT))
        second["sender_chat"] = new.as_dict()
        second["migrate_from_chat_id"] = chat_id
        self.push_update("message", self.store_message(second))
        return update

    def raw_update(self, update: dict) -> dict:
        """Queue any dict as an update (for malformed input); update_id is assigned if absent."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self.pending_updates.append(update)
        self._notify_updates()
        return update
