"""Fake Bot API handlers for queries, commands, bot profile, chats and webhooks.

Split from the message handlers only to keep modules readable; the rules are the same:
validate like Telegram, answer with Telegram's wording, and record what the bot did.
"""

from __future__ import annotations

import re
import time
from typing import Any

from support.fake_bot_methods import MessageMethods, Params
from support.fake_bot_state import CallbackAnswer, InlineAnswer, chat_member
from support.fake_bot_text import bad_request, check_reply_markup, prepare_text

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
MAX_INLINE_RESULTS = 50
# Telegram accepts answerCallbackQuery for about 15 s after the press (the client stops
# waiting), and answerInlineQuery only shortly after the query; later answers get 400.
CALLBACK_ANSWER_TIMEOUT = 15.0
INLINE_ANSWER_TIMEOUT = 10.0
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SCOPES = frozenset({
    "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
    "chat_administrators", "chat_member",
})
_PROFILE_TEXTS = {  # method -> (parameter and key in fake.descriptions, max length)
    "setMyDescription": ("description", 512),
    "setMyShortDescription": ("short_description", 120),
    "setMyName": ("name", 64),
}


class ChatAndQueryMethods(MessageMethods):
    """Callback/inline answers, commands, profile texts, chat information, webhooks."""

    # -- queries ---------------------------------------------------------------------------
    query_timeouts: dict[str, float]

    def _open_query(self, query_id: str | None, kind: str) -> Any:
        """The query, if it exists, is of ``kind``, is unanswered and not too old."""
        state = self.queries.get(query_id or "")
        if state is None or state.kind != kind or state.answered:
            raise bad_request(QUERY_INVALID)
        if state.age() > self.query_timeouts[kind]:
            state.answered = True  # the client gave up: nothing is owed any more
            raise bad_request(QUERY_INVALID)
        return state

    def m_answerCallbackQuery(self, p: Params) -> bool:
        state = self._open_query(p.str("callback_query_id"), "callback_query")
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        state.answered = True
        self.callback_answers.append(CallbackAnswer(
            state.id, text, p.bool("show_alert"), p.str("url"), p.int("cache_time"), time.time()))
        return True

    def m_answerInlineQuery(self, p: Params) -> bool:
        state = self._open_query(p.str("inline_query_id"), "inline_query")
        results = p.json("results", "can't parse inline query results JSON object")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        next_offset = p.str("next_offset")
        if next_offset is not None and len(next_offset.encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        button = p.json("button", "can't parse InlineQueryResultsButton JSON object")
        state.answered = True
        self.inline_answers.append(InlineAnswer(
            state.id, results, next_offset, p.int("cache_time"), p.bool("is_personal"), button,
            time.time()))
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise bad_request("can't parse InlineQueryResult JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if result["type"] == "article" and not isinstance(content, dict):
            raise bad_request("can't parse InputMessageContent JSON object")
        if isinstance(content, dict) and "message_text" in content:
            prepared = prepare_text(content["message_text"], content.get("parse_mode"),
                                    content.get("entities"), empty="message text is empty",
                                    too_long="MESSAGE_TOO_LONG")
            self.problems.extend(f"inline result {result_id}: {x}" for x in prepared.problems)
        markup = result.get("reply_markup")
        if markup is not None and (not isinstance(markup, dict) or "inline_keyboard" not in markup):
            raise bad_request("can't parse reply keyboard markup JSON object")
        check_reply_markup(markup)

    # -- commands and profile -----------------------------------------------------------------
    def _scope_key(self, p: Params) -> tuple[str, str]:
        scope = p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        key = scope["type"]
        if key in ("chat", "chat_administrators", "chat_member"):
            key += f":{self.resolve_chat(Params({'chat_id': scope.get('chat_id')})).id}"
        if scope["type"] == "chat_member":
            if not isinstance(scope.get("user_id"), int):
                raise bad_request("can't parse BotCommandScope JSON object")
            key += f":{scope['user_id']}"
        language = p.str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return key, language

    def m_setMyCommands(self, p: Params) -> bool:
        commands = p.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(p)
        if commands:
            self.commands[key] = [{"command": c["command"], "description": c["description"]}
                                  for c in commands]
        else:
            self.commands.pop(key, None)
        return True

    def m_getMyCommands(self, p: Params) -> list[dict]:
        return list(self.commands.get(self._scope_key(p), []))

    def m_deleteMyCommands(self, p: Params) -> bool:
        self.commands.pop(self._scope_key(p), None)
        return True

    def _set_profile_text(self, method: str, p: Params) -> bool:
        name, limit = _PROFILE_TEXTS[method]
        value = p.str(name) or ""
        if len(value) > limit:
            raise bad_request(f"{name} is too long")
        self.descriptions[(name, p.str("language_code") or "")] = value
        return True

    def m_setMyDescription(self, p: Params) -> bool:
        return self._set_profile_text("setMyDescription", p)

    def m_setMyShortDescription(self, p: Params) -> bool:
        return self._set_profile_text("setMyShortDescription", p)

    def m_setMyName(self, p: Params) -> bool:
        return self._set_profile_text("setMyName", p)

    def _profile_text(self, name: str, p: Params) -> dict:
        return {name: self.descriptions.get((name, p.str("language_code") or ""), "")}

    def m_getMyDescription(self, p: Params) -> dict:
        return self._profile_text("description", p)

    def m_getMyShortDescription(self, p: Params) -> dict:
        return self._profile_text("short_description", p)

    def m_getMyName(self, p: Params) -> dict:
        name = self.descriptions.get(("name", p.str("language_code") or ""))
        return {"name": name or self.bot_first_name}

    # -- bot, chats and members -----------------------------------------------------------------
    def m_getMe(self, p: Params) -> dict:
        return {**self.bot_user(), "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": True, "can_connect_to_business": False,
                "has_main_web_app": False}

    def _group(self, p: Params) -> Any:
        chat = self.resolve_chat(p)
        if chat.kind != "private":  # a user who blocked the bot can still be looked up
            self.check_reachable(chat, count_flood=False)
        return chat

    def m_getChat(self, p: Params) -> dict:
        chat = self._group(p)
        gifts = {"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                 "premium_subscription": True, "gifts_from_channels": True}
        return {**chat.as_dict(), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}

    def _member(self, chat: Any, user_id: int) -> dict:
        if user_id == self.bot_id:
            status = "administrator" if chat.bot_is_admin else "member"
            return chat_member(self.bot_user(), status)
        if user_id not in self.users:
            raise bad_request("user not found")
        user = self.users[user_id]
        if chat.kind == "private":
            return chat_member(user, "member" if user_id == chat.id else "left")
        if user_id in chat.admins:
            status = "creator" if chat.admins[0] == user_id else "administrator"
            return chat_member(user, status, is_anonymous=user_id in chat.anonymous_admins)
        return chat_member(user, "member" if user_id in chat.members else "left")

    def m_getChatMember(self, p: Params) -> dict:
        chat = self._group(p)
        user_id = p.int("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        return self._member(chat, user_id)

    def m_getChatAdministrators(self, p: Params) -> list[dict]:
        chat = self._group(p)
        if chat.kind == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [self._member(chat, user_id) for user_id in chat.admins]
        if chat.bot_is_admin:
            admins.append(self._member(chat, self.bot_id))
        return admins

    def m_getChatMemberCount(self, p: Params) -> int:
        chat = self._group(p)
        return 2 if chat.kind == "private" else len(chat.members | set(chat.admins)) + 1

    def m_leaveChat(self, p: Params) -> bool:
        chat = self._group(p)
        if chat.kind == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.left = True
        return True

    # -- webhook and session ----------------------------------------------------------------------
    def m_setWebhook(self, p: Params) -> bool:
        url = p.str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if p.bool("drop_pending_updates"):
            self.pending_updates.clear()
        self.webhook_url = url
        self.webhook_secret = (secret or "") if url else ""
        self._notify_updates()
        return True

    def m_deleteWebhook(self, p: Params) -> bool:
        if p.bool("drop_pending_updates"):
            self.pending_updates.clear()
        self.webhook_url = ""
        self.webhook_secret = ""
        return True

    def m_getWebhookInfo(self, p: Params) -> dict:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self.pending_updates)}

    def m_logOut(self, p: Params) -> bool:
        return True

    def m_close(self, p: Params) -> bool:
        return True
