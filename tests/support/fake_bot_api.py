"""A strict local fake of the Telegram Bot API for end-to-end tests.

The real bot (python-telegram-bot) talks to it over real HTTP on 127.0.0.1, so request
encoding, error mapping (BadRequest, Forbidden, RetryAfter, ChatMigrated, Conflict) and long
polling are exercised exactly as in production. The fake is stricter than Telegram where
Telegram silently tolerates bot bugs; those are rejected or listed in ``fake.problems``.

Usage::

    async with FakeBotAPI(bot_username="HaiQuanTestBot") as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        fake.user_says(42, "/start")
        [reply] = await fake.wait_for_messages(42)

The token never appears in logs or recordings: it is only compared, never stored per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import telegram
from aiohttp import web

from support.fake_bot_files import FileMethods, Upload
from support.fake_bot_limits import Limits, RateLimiter
from support.fake_bot_methods import COUNTED_METHODS, Params, counted_send
from support.fake_bot_queries import (
    CALLBACK_ANSWER_TIMEOUT,
    INLINE_ANSWER_TIMEOUT,
    ChatAndQueryMethods,
)
from support.fake_bot_state import (
    ALL_UPDATE_TYPES,
    DEFAULT_UPDATE_TYPES,
    RecordedRequest,
    Rejection,
    SentMessage,
)
from support.fake_bot_text import ApiError, bad_request

__all__ = ["DEFAULT_TOKEN", "FakeBotAPI", "Limits"]

_LOGGER = logging.getLogger(__name__)
DEFAULT_TOKEN = "123456:TEST-fake-token-for-local-tests-only"  # noqa: S105 - not a secret
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot " \
           "instance is running"
WEBHOOK_CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use " \
                   "deleteWebhook to delete the webhook first"
# Every method PTB knows is a real Bot API method: those the fake lacks answer 400, not 404.
_REAL_METHODS = frozenset(
    n for n in dir(telegram.Bot) if n[:1].islower() and any(c.isupper() for c in n)
) | {"close"}
_SEND = ("business_connection_id", "chat_id", "message_thread_id", "direct_messages_topic_id",
         "disable_notification", "protect_content", "allow_paid_broadcast", "message_effect_id",
         "suggested_post_parameters", "reply_parameters", "reply_markup", "reply_to_message_id",
         "allow_sending_without_reply")
_TEXT = ("text", "parse_mode", "entities", "link_preview_options", "disable_web_page_preview")
_EDIT = ("business_connection_id", "chat_id", "message_id", "inline_message_id", "reply_markup")
_ACCEPTED: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "sendMessage": _SEND + _TEXT,
    "editMessageText": _EDIT + _TEXT,
    "editMessageReplyMarkup": _EDIT,
    "deleteMessage": ("chat_id", "message_id"),
    "sendChatAction": ("business_connection_id", "chat_id", "message_thread_id", "action"),
    "answerCallbackQuery": ("callback_query_id", "text", "show_alert", "url", "cache_time"),
    "answerInlineQuery": ("inline_query_id", "results", "cache_time", "is_personal",
                          "next_offset", "button"),
    "getUpdates": ("offset", "limit", "timeout", "allowed_updates"),
    # Files (support.fake_bot_files).
    "sendPhoto": (*_SEND, "photo", "caption", "parse_mode", "caption_entities",
                  "show_caption_above_media", "has_spoiler"),
    "sendDocument": (*_SEND, "document", "thumbnail", "caption", "parse_mode",
                     "caption_entities", "disable_content_type_detection"),
    "getFile": ("file_id",),
    "setWebhook": ("url", "certificate", "ip_address", "max_connections", "allowed_updates",
                   "drop_pending_updates", "secret_token"),
    "deleteWebhook": ("drop_pending_updates",),
    "setMyCommands": ("commands", "scope", "language_code"),
    "getMyCommands": ("scope", "language_code"),
    "deleteMyCommands": ("scope", "language_code"),
    "setMyDescription": ("description", "language_code"),
    "setMyShortDescription": ("short_description", "language_code"),
    "getChatMember": ("chat_id", "user_id"),
    **dict.fromkeys(("getChat", "getChatAdministrators", "getChatMemberCount", "leaveChat"),
                    ("chat_id",)),
    **dict.fromkeys(("getMe", "logOut", "close", "getWebhookInfo"), ()),
}.items()}
_JSON_FIELDS = frozenset({"reply_markup", "entities", "link_preview_options", "reply_parameters",
                          "results", "commands", "scope", "allowed_updates", "button",
                          "caption_entities"})


_BOOL_FIELDS = frozenset({"disable_notification", "protect_content", "show_alert", "is_personal",
                          "drop_pending_updates", "allow_sending_without_reply",
                          "disable_web_page_preview", "allow_paid_broadcast"})
_INT_FIELDS = frozenset({"chat_id", "message_id", "message_thread_id", "offset", "limit",
                         "timeout", "user_id", "cache_time", "reply_to_message_id",
                         "max_connections"})


def _decoded(raw: dict[str, Any]) -> dict[str, Any]:
    """Parameters as the bot meant them: JSON fields parsed, ids and flags typed."""
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in _JSON_FIELDS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif isinstance(value, str) and key in _INT_FIELDS and value.lstrip("-").isdigit():
            value = int(value)
        elif key in _BOOL_FIELDS and value in ("true", "false"):
            value = value == "true"
        result[key] = value
    return result


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class FakeBotAPI(ChatAndQueryMethods, FileMethods):
    """The fake server; use ``async with FakeBotAPI() as fake`` inside the test's event loop."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = "HaiQuanTestBot", *,
                 bot_first_name: str = "Hải Quan Test Bot", enforce_limits: bool = True,
                 limits: Limits | None = None, privacy_mode: bool = True,
                 unanswered_query_grace: float = 10.0,
                 callback_answer_timeout: float = CALLBACK_ANSWER_TIMEOUT,
                 inline_answer_timeout: float = INLINE_ANSWER_TIMEOUT) -> None:
        """Configure the fake; nothing listens until :meth:`start` / ``async with``.

        Args:
            token: the bot token the fake accepts (its numeric prefix is the bot's user id).
            bot_username: the bot's username, used for mentions and getMe.
            bot_first_name: the bot's display name.
            enforce_limits: answer 429 when the bot exceeds Telegram's flood limits (on by
                default, as in production; a test that turns it off must say why).
            limits: the limits used with ``enforce_limits`` (see fake_bot_limits).
            privacy_mode: like Telegram's default, group bots only get commands, mentions and
                replies to themselves unless they are admins.
            unanswered_query_grace: at close, a callback/inline query is a problem if it was
                delivered to the bot or is older than this many seconds and still unanswered.
            callback_answer_timeout: seconds after the press within which
                answerCallbackQuery is accepted (Telegram: about 15 s).
            inline_answer_timeout: seconds after an inline query within which
                answerInlineQuery is accepted.
        """
        super().__init__(token, bot_username, bot_first_name)
        self.privacy_mode = privacy_mode
        self.limiter = RateLimiter(limits or Limits()) if enforce_limits else None
        self.unanswered_query_grace = unanswered_query_grace
        self.query_timeouts = {"callback_query": callback_answer_timeout,
                               "inline_query": inline_answer_timeout}
        self._handlers = {n[2:]: getattr(self, n) for n in dir(self) if n.startswith("m_")}
        self._canonical = {n.lower(): n for n in _REAL_METHODS | set(self._handlers)}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._generation = 0
        self._active_poll: int | None = None
        self._poll_ended = asyncio.Event()
        self.init_files()  # sendPhoto, sendDocument, getFile (support.fake_bot_files)
        self._stall_once: set[int] = set()

    def __repr__(self) -> str:
        """Deliberately without the token."""
        return f"<FakeBotAPI @{self.bot_username} {self.url if self._runner else 'stopped'}>"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``; PTB appends the token itself."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """What to pass as PTB's ``base_file_url`` (support.fake_bot_files)."""
        return f"{self.url}/file/bot"

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> FakeBotAPI:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # No access log: request lines contain the token. Cancelling handlers of vanished
        # clients lets an abandoned long poll end instead of conflicting with the next one.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        """End pending long polls, note unanswered queries and stop listening."""
        if self._runner is None:
            return
        self._closing = True
        for _, _, release in self.stalls:
            release.set()
        self._notify_updates()
        now = time.monotonic()
        for query in self.queries.values():
            delivered = query.update_id in self.delivered_update_ids
            if not query.answered and (delivered or now - query.created > self.unanswered_query_grace):
                self.problems.append(f"{query.kind} {query.id} was never answered")
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        """Start the server."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server."""
        await self.close()

    # -- failure scripting ---------------------------------------------------------------------
    def flood(self, chat_id: int, retry_after: int = 3, times: int = 1) -> None:
        """The next ``times`` sends to ``chat_id`` answer 429 with ``retry_after``."""
        self.floods[chat_id] = [retry_after, times]

    def stall(self, method: str, chat_id: int | None = None, *,
              once: bool = False) -> asyncio.Event:
        """Hold every call of ``method`` (for ``chat_id``, or for any chat) until the returned
        event is set: a Telegram that is slow for one chat. ``once``: hold only the next
        such call. :meth:`close` releases all."""
        canonical = self._canonical.get(method.lower())
        if canonical is None:
            raise ValueError(f"{method} is not a Bot API method")
        release = asyncio.Event()
        self.stalls.append((canonical, chat_id, release))
        if once:
            self._stall_once.add(id(release))
        return release

    def fail_next(self, method: str, status: int, description: str, times: int = 1,
                  parameters: dict | None = None) -> None:
        """The next ``times`` calls of ``method`` fail with this status and description."""
        canonical = self._canonical.get(method.lower())
        if canonical is None:
            raise ValueError(f"{method} is not a Bot API method")
        self.fail_rules.setdefault(canonical, []).extend([(status, description, parameters)]
                                                         * times)

    # -- recordings ----------------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent successfully, optionally only to one chat."""
        return [m for m in self.sent_messages if chat_id is None or m.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The current state of a stored message (after edits), None if absent/deleted."""
        return self.find_message(chat_id, message_id)

    def dump(self) -> str:
        """A readable summary of what happened, for assertion messages."""
        def short(value: Any) -> str:
            text = json.dumps(value, ensure_ascii=False, default=str)
            return text if len(text) <= 200 else text[:197] + "..."

        lines = [f"pending updates: {short(self.pending_updates)}", "requests (last 25):"]
        lines += [f"  {r.method} -> {r.status} {r.description or ''} {short(r.params)}"
                  for r in self.requests[-25:]]
        lines.append("sent messages (last 25):")
        lines += [f"  chat {m.chat_id} #{m.message_id}: {short(m.text)}"
                  for m in self.sent_messages[-25:]]
        lines += ["rejected:"] + [f"  {r.method} {r.status} {r.description}"
                                  for r in self.rejected]
        lines += ["problems:"] + [f"  {p}" for p in self.problems]
        lines += ["filtered updates:"] + [f"  {why}: {short(u)}" for u, why in self.filtered_updates]
        return "\n".join(lines)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0,  # noqa: ASYNC109
                       what: str | None = None) -> Any:
        """Wait until ``predicate()`` is truthy and return its value.

        Re-checked whenever the fake's state changes (and every 50 ms for predicates that look
        elsewhere). Raises AssertionError with :meth:`dump` on timeout.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (value := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for "
                                     f"{what or predicate}\n{self.dump()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))
        return value

    async def wait_for_messages(self, chat_id: int, count: int = 1,
                                timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109
        """Wait until the bot has sent at least ``count`` messages to ``chat_id``."""
        return await self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id),
                                   timeout, f"{count} message(s) to chat {chat_id}")

    # -- HTTP ----------------------------------------------------------------------------------
    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    async def _download(self, request: web.Request) -> web.Response:
        """Telegram's file server: ``/file/bot<token>/<file_path>`` (support.fake_bot_files)."""
        self.requests.append(RecordedRequest("download", {"path": request.match_info["path"]},
                                             time.time()))
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        content = self.download(request.match_info["path"])
        if content is None:
            return await self._not_found(request)
        return web.Response(body=content, content_type="application/octet-stream")

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded",
                                      "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):  # kept for support.fake_bot_files
                    value = Upload(value.filename, value.content_type, value.file.read())
                params[key] = value.decode() if isinstance(value, bytes) else value
        else:
            raise bad_request(f"unsupported Content-Type {request.content_type}")
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        method = self._canonical.get(name.lower())
        record = RecordedRequest(method or name, {}, time.time())
        self.requests.append(record)
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return self._error(request, record, ApiError(401, "Unauthorized"))
        if method is None:
            return self._error(request, record, ApiError(404, "Not Found"))
        try:
            raw = await self._read_params(request)
            record.params = _decoded(raw)
            result = await self._call(method, raw)
        except ApiError as exc:
            return self._error(request, record, exc)
        except asyncio.CancelledError:
            record.status, record.description = 499, "client disconnected"
            self._notify()
            raise
        except Exception as exc:  # a crash of the fake must fail the test, not hang it
            _LOGGER.exception("fake Bot API crashed in %s", method)
            self.problems.append(f"fake Bot API crashed in {method}: {exc!r}")
            return self._error(request, record, ApiError(500, "Internal Server Error"))
        record.status = 200
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _call(self, method: str, raw: dict[str, Any]) -> Any:
        for entry in list(self.stalls):
            stalled, chat_id, release = entry
            if stalled == method and chat_id in (None, _int_or_none(raw.get("chat_id"))):
                if id(release) in self._stall_once:
                    self.stalls.remove(entry)
                await release.wait()
        if rules := self.fail_rules.get(method):
            status, description, parameters = rules.pop(0)
            raise ApiError(status, description, parameters)
        handler = self._handlers.get(method)
        if handler is None:
            raise bad_request("method not implemented in fake")
        unknown = sorted(set(raw) - _ACCEPTED.get(method, frozenset(raw)))
        if unknown:
            self.problems.append(f"{method}: Telegram ignores unknown parameter(s) {unknown}")
        token = counted_send.set(method in COUNTED_METHODS)
        try:
            result = handler(Params(raw))
            result = await result if inspect.isawaitable(result) else result
        finally:
            counted_send.reset(token)
        if method in COUNTED_METHODS and self.limiter is not None:
            self._count_send(raw)
        return result

    def _count_send(self, raw: dict[str, Any]) -> None:
        """A successful message-producing call counts against the chat's and the global
        windows (edits of inline messages have no chat: only the global one)."""
        try:
            chat = self.resolve_chat(Params(raw)) if raw.get("chat_id") not in (None, "") else None
        except ApiError:
            chat = None
        assert self.limiter is not None
        self.limiter.record(chat.id if chat is not None else 0)

    def _error(self, request: web.Request, record: RecordedRequest,
               exc: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": exc.status,
                                "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        record.status, record.description = exc.status, exc.description
        client_gone = request.transport is None or request.transport.is_closing()
        if 400 <= exc.status < 500 and not client_gone:
            self.rejected.append(Rejection(record.method, exc.status, exc.description,
                                           record.params, record.time))
        _LOGGER.debug("%s -> %s %s", record.method, exc.status, exc.description)
        self._notify()
        return web.json_response(body, status=exc.status)

    # -- getUpdates ----------------------------------------------------------------------------
    async def m_getUpdates(self, p: Params) -> list[dict]:
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset, limit, timeout = p.int("offset"), p.int("limit"), p.int("timeout")
        limit = 100 if not limit or limit < 1 else min(limit, 100)
        allowed = p.json("allowed_updates", "can't parse allowed updates JSON object")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad_request("can't parse allowed updates JSON object")
            if unknown := sorted(set(allowed) - set(ALL_UPDATE_TYPES)):
                self.problems.append(f"getUpdates: unknown allowed_updates {unknown}")
            self.allowed_updates = tuple(allowed) or DEFAULT_UPDATE_TYPES
        if offset is not None:
            if offset < 0:
                del self.pending_updates[:offset]
            else:
                self.pending_updates[:] = [u for u in self.pending_updates
                                           if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        # An abandoned poll is cancelled as soon as aiohttp notices its client is gone;
        # only a poll that is still alive after that is "terminated by other getUpdates".
        if self._active_poll is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poll_ended.wait(), 0.2)
        self._generation += 1
        me = self._active_poll = self._generation
        self._poll_ended = asyncio.Event()
        self._notify_updates()
        deadline = loop.time() + max(timeout or 0, 0)
        try:
            while True:
                batch = self._deliverable(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closing:
                    break
                event = self._updates_changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
                if self._generation != me:
                    raise ApiError(409, CONFLICT)
        finally:
            if self._active_poll == me:
                self._active_poll = None
                self._poll_ended.set()
        self.delivered_update_ids.update(u["update_id"] for u in batch)
        return batch

    def _deliverable(self, limit: int) -> list[dict]:
        batch: list[dict] = []
        for update in list(self.pending_updates):
            kind = self.update_kind(update)
            if kind in ALL_UPDATE_TYPES and kind not in self.allowed_updates:
                self.pending_updates.remove(update)
                self.filtered_updates.append((update, f"allowed_updates excludes {kind}"))
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        return batch
