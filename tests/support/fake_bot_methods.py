"""The bot's side of the fake: Bot API method handlers (everything except getUpdates).

Handlers are named ``m_<methodName>``, take decoded :class:`Params` and return the ``result``
or raise :class:`ApiError`. They check in the order Telegram does: local validation (text,
markup) first, then the chat's state (migrated, blocked, flood), then references (thread,
replied message), so a test sees the same error a production bot would.
"""

from __future__ import annotations

import contextvars
import copy
import json
import re
import time
from typing import Any

from support.fake_bot_limits import RateLimiter
from support.fake_bot_state import ChatAction, ChatInfo, EditRecord, SentMessage
from support.fake_bot_text import (
    ApiError,
    bad_request,
    check_reply_markup,
    prepare_text,
)
from support.fake_bot_updates import UpdateInjector

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_INT = re.compile(r"\s*-?\d+\s*")
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
MAX_CAPTION_UTF16 = 1024
# Calls that put a message into a chat or change one: they count against Telegram's flood
# limits. Chat actions, callback/inline answers and reads do not (Telegram limits messages).
COUNTED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact",
    "sendPoll", "sendDice", "sendSticker", "copyMessage", "copyMessages", "forwardMessage",
    "forwardMessages", "editMessageText", "editMessageCaption", "editMessageMedia",
    "editMessageReplyMarkup",
})
# Set by the server around each handler: whether ``check_reachable`` applies flood limits.
counted_send: contextvars.ContextVar[bool] = contextvars.ContextVar("counted_send",
                                                                   default=False)


class Params:
    """Request parameters; form values are strings, JSON-typed fields are decoded on demand."""

    def __init__(self, raw: dict[str, Any]) -> None:
        """Wrap the merged query/body parameters."""
        self.raw = raw

    def str(self, name: str) -> str | None:
        value = self.raw.get(name)
        return None if value is None else value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        raise bad_request(f"invalid {name} specified")

    def bool(self, name: str) -> bool:
        value = self.raw.get(name, False)
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0", ""):
            return False
        raise bad_request(f"invalid {name} specified")

    def json(self, name: str, error: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value


class MessageMethods(UpdateInjector):
    """Sending, editing and deleting; ``limiter`` is set when flood limits are enforced."""

    limiter: RateLimiter | None = None

    # -- shared checks ------------------------------------------------------------------------
    def resolve_chat(self, p: Params) -> ChatInfo:
        raw = p.raw.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            chat = next((c for c in self.chats.values() if (c.username or "").lower() == name),
                        None)
        else:
            try:
                chat = self.chats.get(p.int("chat_id") or 0)
            except ApiError:
                chat = None
        if chat is None and isinstance(raw, int | str) and str(raw).strip().isdigit() \
                and int(raw) in self.users:
            raise ApiError(403, CANT_INITIATE)  # Telegram knows the user, who never wrote
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def check_reachable(self, chat: ChatInfo, *, count_flood: bool = True) -> None:
        """Never started, migration, blocking, scripted flood and (for message-producing methods, see
        ``COUNTED_METHODS``) the enforced flood limits, in this order."""
        if chat.kind == "private" and not chat.started:
            raise ApiError(403, CANT_INITIATE)
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": chat.migrated_to})
        if chat.blocked or chat.left:
            if chat.kind == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            what = "kicked from" if chat.blocked else "not a member of"
            verb = "was" if chat.blocked else "is"
            raise ApiError(403, f"Forbidden: bot {verb} {what} the {chat.kind} chat")
        flood = self.floods.get(chat.id)
        if count_flood and flood and flood[1] > 0:
            flood[1] -= 1
            raise ApiError(429, f"Too Many Requests: retry after {flood[0]}",
                           {"retry_after": flood[0]})
        if count_flood and self.limiter is not None and counted_send.get():
            wait = self.limiter.retry_after(chat.id, chat.kind == "private")
            if wait:
                raise ApiError(429, f"Too Many Requests: retry after {wait}",
                               {"retry_after": wait})

    @staticmethod
    def check_caption(caption: str | None) -> None:
        """Media captions: at most 1024 UTF-16 code units after entity parsing."""
        if caption is not None and len(caption.encode("utf-16-le")) // 2 > MAX_CAPTION_UTF16:
            raise bad_request("message caption is too long")

    def check_thread(self, chat: ChatInfo, thread_id: int | None) -> None:
        if thread_id is not None and (not chat.is_forum or thread_id not in chat.topics):
            raise bad_request("message thread not found")

    def reply_target(self, p: Params, chat: ChatInfo) -> dict | None:
        """The replied-to message from reply_parameters / reply_to_message_id, or None."""
        params = p.json("reply_parameters", "can't parse reply parameters JSON object")
        allow = p.bool("allow_sending_without_reply")
        if params is None:
            message_id = p.int("reply_to_message_id")
            if message_id is None:
                return None
            params = {"message_id": message_id}
        if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        allow = allow or bool(params.get("allow_sending_without_reply"))
        target_chat = chat.id
        if params.get("chat_id") is not None:
            target_chat = self.resolve_chat(Params({"chat_id": params["chat_id"]})).id
        replied = self.reply_snapshot(target_chat, params["message_id"])
        if replied is None and not allow:
            raise bad_request("message to be replied not found")
        return replied

    def _with_users(self, entities: list[dict]) -> list[dict]:
        """text_mention entities carry the full User object in Bot API answers."""
        result = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user_id = entity["user"]["id"]
                entity = {**entity, "user": dict(self.users.get(user_id) or self.add_user(user_id))}
            result.append(entity)
        return result

    # -- sending ------------------------------------------------------------------------------
    def m_sendMessage(self, p: Params) -> dict:
        chat = self.resolve_chat(p)
        prepared = prepare_text(
            p.raw.get("text"), p.str("parse_mode"),
            p.json("entities", "can't parse entities JSON object"),
            empty="message text is empty", too_long="message is too long",
        )
        markup = check_reply_markup(p.json("reply_markup",
                                           "can't parse reply keyboard markup JSON object"))
        preview = p.json("link_preview_options", "can't parse link preview options JSON object")
        if preview is not None and not isinstance(preview, dict):
            raise bad_request("can't parse link preview options JSON object")
        thread_id = p.int("message_thread_id")
        self.check_reachable(chat)
        self.check_thread(chat, thread_id)
        replied = self.reply_target(p, chat)
        self.problems.extend(f"sendMessage to {chat.id}: {x}" for x in prepared.problems)
        message: dict[str, Any] = {"message_id": self.new_message_id(chat.id),
                                   "date": int(time.time()), "chat": chat.as_dict()}
        if chat.kind == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = self.bot_user()
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        if replied is not None:
            message["reply_to_message"] = replied
        message["text"] = prepared.text
        if prepared.entities:
            message["entities"] = self._with_users(prepared.entities)
        if markup is not None:
            message["reply_markup"] = markup
        self.store_message(message)
        self.sent_messages.append(SentMessage(
            chat.id, message["message_id"], prepared.text, message.get("entities", []),
            str(p.raw.get("text")), p.str("parse_mode"), markup, thread_id,
            replied["message_id"] if replied else None, preview, copy.deepcopy(message),
            time.time()))
        return message

    def m_sendChatAction(self, p: Params) -> bool:
        chat = self.resolve_chat(p)
        action = p.str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        thread_id = p.int("message_thread_id")
        self.check_reachable(chat)
        self.check_thread(chat, thread_id)
        self.chat_actions.append(ChatAction(chat.id, action, thread_id, time.time()))
        return True

    # -- editing and deleting -----------------------------------------------------------------
    def _editable(self, p: Params) -> tuple[ChatInfo, dict]:
        chat = self.resolve_chat(p)
        message_id = p.int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        self.check_reachable(chat)
        message = self.find_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id and chat.kind != "channel":
            raise bad_request("message can't be edited")
        return chat, message

    def _inline_markup(self, p: Params) -> dict | None:
        markup = p.json("reply_markup", "can't parse reply keyboard markup JSON object")
        if markup is not None and (not isinstance(markup, dict) or "inline_keyboard" not in markup):
            raise bad_request("inline keyboard expected")  # only inline keyboards are editable
        return check_reply_markup(markup)

    def _record_edit(self, method: str, p: Params, message: dict | None, **fields: Any) -> None:
        self.edits.append(EditRecord(
            method, message["chat"]["id"] if message else None,
            message["message_id"] if message else None, p.str("inline_message_id"),
            fields.get("text"), fields.get("entities"), fields.get("html"),
            fields.get("reply_markup"), time.time()))

    def m_editMessageText(self, p: Params) -> dict | bool:
        prepared = prepare_text(
            p.raw.get("text"), p.str("parse_mode"),
            p.json("entities", "can't parse entities JSON object"),
            empty="message text is empty", too_long="MESSAGE_TOO_LONG",
        )
        markup = self._inline_markup(p)
        fields = {"text": prepared.text, "html": str(p.raw.get("text")), "reply_markup": markup}
        if p.str("inline_message_id"):
            self._record_edit("editMessageText", p, None, entities=prepared.entities, **fields)
            return True
        chat, message = self._editable(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        entities = self._with_users(prepared.entities)
        if (message["text"], message.get("entities", []), message.get("reply_markup")) == (
                prepared.text, entities, markup):
            raise bad_request(NOT_MODIFIED)
        self.problems.extend(f"editMessageText in {chat.id}: {x}" for x in prepared.problems)
        message.update(text=prepared.text, edit_date=int(time.time()))
        message.pop("entities", None)
        message.pop("reply_markup", None)  # editing text without reply_markup drops the keyboard
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._record_edit("editMessageText", p, message, entities=entities, **fields)
        return copy.deepcopy(message)

    def m_editMessageReplyMarkup(self, p: Params) -> dict | bool:
        markup = self._inline_markup(p)
        if p.str("inline_message_id"):
            self._record_edit("editMessageReplyMarkup", p, None, reply_markup=markup)
            return True
        _, message = self._editable(p)
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageReplyMarkup", p, message, reply_markup=markup)
        return copy.deepcopy(message)

    def m_deleteMessage(self, p: Params) -> bool:
        chat = self.resolve_chat(p)
        message_id = p.int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        self.check_reachable(chat)
        message = self.find_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_id
        if not own and chat.kind != "private" and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        del self.messages[chat.id][message_id]
        self.deleted.append((chat.id, message_id))
        return True
