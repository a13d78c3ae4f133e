"""State of the fake Bot API: chats, users, stored messages, pending updates and recordings.

Kept separate from the HTTP server and the method handlers so both the injection helpers
(which play the users' side) and the handlers (the bot's side) read and change one consistent
picture of the world, the way Telegram keeps one history per chat.
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass, field
from typing import Any

GROUP_ANONYMOUS_BOT_ID = 1087968824
DEFAULT_GROUP_USER_ID = 100001
ALL_UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost", "managed_bot", "guest_message",
)
# Telegram's default when allowed_updates was never set or set to [].
DEFAULT_UPDATE_TYPES = tuple(
    t for t in ALL_UPDATE_TYPES if t not in ("chat_member", "message_reaction",
                                             "message_reaction_count")
)
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages",
)
_RESTRICTIONS = (
    "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
    "can_send_polls", "can_send_other_messages", "can_add_web_page_previews", "can_manage_topics",
    "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_edit_tag",
)


def chat_member(user: dict, status: str, *, is_anonymous: bool = False) -> dict[str, Any]:
    """A complete ``ChatMember`` object for ``status`` (PTB rejects incomplete ones)."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = is_anonymous
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False,
                      is_anonymous=is_anonymous)
    elif status == "kicked":
        member["until_date"] = 0
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTIONS, False), is_member=True, until_date=0)
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    return member


@dataclass
class ChatInfo:
    """One chat as the fake knows it; ``kind`` is the Bot API chat type."""

    id: int
    kind: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)
    admins: list[int] = field(default_factory=list)
    anonymous_admins: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    members: set[int] = field(default_factory=set)
    blocked: bool = False  # private: the user blocked the bot; groups: the bot was kicked
    left: bool = False  # the bot left the group itself (leaveChat, my_chat_member "left")
    migrated_to: int | None = None
    # private: the user has written to the bot (pressed Start); else sends answer 403
    started: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The ``Chat`` object as it appears inside messages and updates."""
        chat: dict[str, Any] = {"id": self.id, "type": self.kind}
        if self.kind == "private":
            chat["first_name"] = self.first_name or f"User{self.id}"
        else:
            chat["title"] = self.title or f"Chat {self.id}"
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class RecordedRequest:
    """One call the bot made; ``params`` are decoded, the token is never stored."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 0
    description: str | None = None


@dataclass
class Rejection:
    """A 4xx answer given to the bot."""

    method: str
    status: int
    description: str
    params: dict[str, Any]
    time: float


@dataclass
class SentMessage:
    """A message the bot sent, with the text as parsed by Telegram and as written (HTML)."""

    chat_id: int
    message_id: int
    text: str
    entities: list[dict]
    html: str
    parse_mode: str | None
    reply_markup: dict | None
    message_thread_id: int | None
    reply_to_message_id: int | None
    link_preview_options: dict | None
    message: dict
    time: float


@dataclass
class EditRecord:
    """A successful editMessageText / editMessageReplyMarkup."""

    method: str
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    text: str | None
    entities: list[dict] | None
    html: str | None
    reply_markup: dict | None
    time: float


@dataclass
class CallbackAnswer:
    """A successful answerCallbackQuery."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    time: float


@dataclass
class InlineAnswer:
    """A successful answerInlineQuery."""

    inline_query_id: str
    results: list[dict]
    next_offset: str | None
    cache_time: int | None
    is_personal: bool
    button: dict | None
    time: float


@dataclass
class ChatAction:
    """A successful sendChatAction."""

    chat_id: int
    action: str
    message_thread_id: int | None
    time: float


@dataclass
class QueryState:
    """An injected callback or inline query waiting for the bot's answer."""

    id: str
    kind: str
    update_id: int
    created: float
    answered: bool = False

    def age(self, now: float | None = None) -> float:
        """Seconds since the user pressed / typed."""
        return (time.monotonic() if now is None else now) - self.created


class FakeState:
    """Everything the fake remembers; the server and the handlers mix this in."""

    def __init__(self, token: str, bot_username: str, bot_first_name: str) -> None:
        """Create an empty world with only the bot in it."""
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.chats: dict[int, ChatInfo] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, dict]] = {}
        self._next_message_id: dict[int, int] = {}
        self.pending_updates: list[dict] = []
        self._next_update_id = 1
        self.delivered_update_ids: set[int] = set()
        self.allowed_updates: tuple[str, ...] = DEFAULT_UPDATE_TYPES
        self.queries: dict[str, QueryState] = {}
        self._next_query_id = 4_000_000_000_000_000_001
        self.requests: list[RecordedRequest] = []
        self.sent_messages: list[SentMessage] = []
        self.edits: list[EditRecord] = []
        self.deleted: list[tuple[int, int]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self.chat_actions: list[ChatAction] = []
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.problems: list[str] = []
        self.rejected: list[Rejection] = []
        self.filtered_updates: list[tuple[dict, str]] = []
        self.webhook_url = ""
        self.webhook_secret = ""  # what Telegram sends as X-Telegram-Bot-Api-Secret-Token
        # (method, chat id or None, release): calls wait until release is set (see stall).
        self.stalls: list[tuple[str, int | None, asyncio.Event]] = []
        self.privacy_mode = True
        self.floods: dict[int, list[int]] = {}  # chat id -> [retry_after, remaining times]
        self.fail_rules: dict[str, list[tuple[int, str, dict | None]]] = {}
        self._changed = asyncio.Event()
        self._updates_changed = asyncio.Event()

    # -- change notification ------------------------------------------------------------
    def _notify(self) -> None:
        """Wake every waiter; events are replaced so each waiter re-checks its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _notify_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()
        self._notify()

    # -- registry ---------------------------------------------------------------------------
    def bot_user(self) -> dict[str, Any]:
        """The bot as a ``User`` inside messages."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def add_user(self, user_id: int, first_name: str | None = None, username: str | None = None,
                 language_code: str = "vi") -> dict[str, Any]:
        """Register (or return) a human user; names default to ``User<id>``/``user<id>``."""
        if user_id not in self.users:
            self.users[user_id] = {
                "id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}",
                "username": username or f"user{user_id}", "language_code": language_code,
            }
        return self.users[user_id]

    def add_chat(self, chat_id: int, chat_type: str | None = None, *, title: str | None = None,
                 username: str | None = None, is_forum: bool = False,
                 topics: dict[int, str] | None = None, started: bool | None = None) -> ChatInfo:
        """Register a chat so the bot may send to it; the type is inferred from the id sign.

        Forum topics (``topics``: thread id -> name) only make sense in a forum supergroup.
        ``started=False`` registers a private chat whose user never wrote to the bot: sends
        answer 403 "bot can't initiate conversation" until the user writes.
        """
        kind = chat_type or ("private" if chat_id > 0 else
                             "supergroup" if str(chat_id).startswith("-100") else "group")
        if kind not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {kind!r}")
        if (kind == "private") != (chat_id > 0):
            raise ValueError(f"chat id {chat_id} does not fit chat type {kind!r}")
        if (is_forum or topics) and kind != "supergroup":
            raise ValueError("only supergroups can be forums")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = ChatInfo(chat_id, kind)
            if kind == "private":
                chat.first_name = self.add_user(chat_id)["first_name"]
            self.chats[chat_id] = chat
        elif chat_type is not None and chat.kind != kind:
            raise ValueError(f"chat {chat_id} is already registered as {chat.kind!r}")
        if started is not None:
            chat.started = started
        chat.title = title or chat.title
        chat.username = username or chat.username
        chat.is_forum = chat.is_forum or is_forum or bool(topics)
        chat.topics.update(topics or {})
        return chat

    def add_topic(self, chat_id: int, name: str = "Topic") -> int:
        """Create a forum topic and return its message_thread_id (the creating message)."""
        chat = self.chats.get(chat_id)
        if chat is None or not chat.is_forum:
            raise ValueError(f"chat {chat_id} is not a registered forum supergroup")
        thread_id = self.new_message_id(chat_id)
        chat.topics[thread_id] = name
        return thread_id

    def remove_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deletes a forum topic: sends into it answer "message thread not found"."""
        chat = self.chats.get(chat_id)
        if chat is None or thread_id not in chat.topics:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        del chat.topics[thread_id]

    def block(self, chat_id: int) -> None:
        """The user blocks the bot (private) or the bot is kicked (groups): sends get 403."""
        (self.chats.get(chat_id) or self.add_chat(chat_id)).blocked = True

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block` (the user restarted the bot / re-added it)."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        chat.blocked = chat.left = False

    def migrate(self, old_chat_id: int, new_chat_id: int) -> ChatInfo:
        """The group became a supergroup: sends to the old id answer 400 with the new id."""
        old = self.chats.get(old_chat_id) or self.add_chat(old_chat_id, "group")
        if old.kind != "group":
            raise ValueError("only basic groups migrate to supergroups")
        new = self.add_chat(new_chat_id, "supergroup", title=old.title)
        new.members |= old.members
        new.admins, new.anonymous_admins = list(old.admins), set(old.anonymous_admins)
        new.bot_is_admin = old.bot_is_admin
        old.migrated_to = new_chat_id
        return new

    def set_admins(self, chat_id: int, user_ids: list[int], *, anonymous_admin: bool = False,
                   bot_is_admin: bool = False) -> None:
        """Set a group's administrators; the first one is the creator."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        if chat.kind == "private":
            raise ValueError("private chats have no administrators")
        chat.admins = list(user_ids)
        chat.anonymous_admins = set(user_ids) if anonymous_admin else set()
        chat.bot_is_admin = bot_is_admin
        for user_id in user_ids:
            self.add_user(user_id)
            chat.members.add(user_id)

    # -- messages and updates ------------------------------------------------------------------
    def new_message_id(self, chat_id: int) -> int:
        """Message ids grow per chat, as in Telegram."""
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def store_message(self, message: dict) -> dict:
        """Remember a message so replies, edits, deletes and buttons can refer to it."""
        self.messages.setdefault(message["chat"]["id"], {})[message["message_id"]] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> dict | None:
        """A stored message, or None when it never existed or was deleted."""
        return self.messages.get(chat_id, {}).get(message_id)

    def reply_snapshot(self, chat_id: int, message_id: int) -> dict | None:
        """The replied-to message as embedded in ``reply_to_message`` (one level only)."""
        message = self.find_message(chat_id, message_id)
        if message is None:
            return None
        snapshot = copy.deepcopy(message)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def push_update(self, kind: str, payload: Any) -> dict:
        """Queue an update for getUpdates and return it with its update_id."""
        # A copy: later edits of stored messages must not change what is already queued.
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self.pending_updates.append(update)
        self._notify_updates()
        return update

    def age_query(self, query_id: str, seconds: float) -> None:
        """Make a query ``seconds`` older, as if the bot had been slow (or down) that long."""
        self.queries[query_id].created -= seconds

    def new_query_id(self, kind: str, update_id: int) -> str:
        """Query ids are opaque strings in the Bot API; make them look like the real ones."""
        query_id = str(self._next_query_id)
        self._next_query_id += 7919
        self.queries[query_id] = QueryState(query_id, kind, update_id, time.monotonic())
        return query_id

    @staticmethod
    def update_kind(update: dict) -> str | None:
        """The update's type, i.e. its only key besides update_id."""
        return next((key for key in update if key != "update_id"), None)
