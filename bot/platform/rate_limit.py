"""The answers' rate limiter: a 429 holds up only the chat it was about.

python-telegram-bot's `AIORateLimiter` answers a 429 (flood control, ``retry_after``) by
pausing *every* request of the bot until the wait is over. Telegram's flood limits are
mostly per chat (about one message a second to a person, 20 a minute to a group), so one
person sending questions faster than the bot may answer them would hold up every other
chat's answer by the whole wait — measured: a quiet chat's answers took 9 s instead of
0.03 s while another chat flooded (`benchmarks/flood.py`, `docs/reliability.md`).

`ChatRateLimiter` keeps the parts of `AIORateLimiter` that are right and changes the
one that is not:

- each group stays under `group_rate` messages per `group_period` (aiolimiter, as PTB
  does), so a busy group is slowed before Telegram refuses it;
- a 429 parks that chat only: its later requests wait until the ``retry_after`` is over,
  the request is retried (at most ``max_retries`` times) before them, in order, and every
  other chat goes on;
- a 429 for a request without a chat (inline and callback answers) retries that request
  alone;
- no overall rate: replies to many users at once are what the bot is for, and Telegram's
  30 messages a second are shared with the broadcaster, which paces itself
  (`bot.directives.pacing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

__all__ = ["ChatRateLimiter"]

logger = logging.getLogger(__name__)

_MAX_GROUP_LIMITERS = 512  # idle ones are dropped past this many (PTB does the same)
_MARGIN = 0.1  # seconds added to Telegram's retry_after


class ChatRateLimiter(BaseRateLimiter[int]):
    """Per-group pacing and per-chat 429 handling (see the module docstring).

    ``rate_limit_args`` of a call (``rate_limit_args=N``) overrides `max_retries`.
    """

    def __init__(self, *, group_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
                 group_period: float = 60.0, max_retries: int = 3,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`group_rate` messages per `group_period` seconds to one group (0: unpaced)."""
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries}")
        self.group_rate = group_rate
        self.group_period = group_period
        self.max_retries = max_retries
        self._clock = clock
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._floods: dict[int | str, _Flood] = {}  # chats in flood control

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def parked_for(self, chat: int | str) -> float:
        """Seconds `chat` still waits after a 429 (0 when it may send)."""
        flood = self._floods.get(chat)
        return max(0.0, flood.until - self._clock()) if flood is not None else 0.0

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Run the request in its chat's turn; after a 429, wait and retry (that chat)."""
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        chat = _chat_key(data.get("chat_id"))
        for attempt in range(retries + 1):
            flood = self._floods.get(chat) if chat is not None else None
            try:
                if flood is not None:
                    return await self._in_turn(chat, flood, callback, args, kwargs)
                async with self._group_limiter(chat):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = (wait.total_seconds() if hasattr(wait, "total_seconds")
                           else float(wait)) + _MARGIN
                if attempt == retries:
                    logger.warning("%s to chat %s refused by flood control after %d "
                                   "retries", endpoint, chat, retries)
                    raise
                logger.info("%s to chat %s: flood control, retrying in %.1f s (this chat "
                            "only)", endpoint, chat, seconds)
                if chat is None:
                    await asyncio.sleep(seconds)
                else:
                    until = self._clock() + seconds
                    flood = self._floods.setdefault(chat, _Flood(until))
                    flood.until = max(flood.until, until)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _in_turn(
        self,
        chat: int | str,
        flood: _Flood,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool | JSONDict | list[JSONDict]:
        """Send to a chat in flood control: after its wait, one request at a time in
        arrival order (the refused one first, its retry being the first to queue). The
        chat leaves flood control when the last queued request is done after the wait."""
        flood.queued += 1
        try:
            async with flood.turn:
                # A loop, not an Event: a 429 meanwhile moves the end, and sleeping to a
                # clock time needs no timer task per chat.
                while (left := flood.until - self._clock()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(left)
                async with self._group_limiter(chat):
                    return await callback(*args, **kwargs)
        finally:
            flood.queued -= 1
            if not flood.queued and self._floods.get(chat) is flood and (
                    flood.until <= self._clock()):
                del self._floods[chat]

    def _group_limiter(self, chat: int | str | None) -> contextlib.AbstractAsyncContextManager:
        """The group's limiter; a null context for people, channels by id, no chat."""
        is_group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        if not is_group or not self.group_rate or not self.group_period:
            return contextlib.nullcontext()
        limiter = self._groups.get(chat)  # type: ignore[arg-type]
        if limiter is None:
            if len(self._groups) >= _MAX_GROUP_LIMITERS:
                self._groups = {key: lim for key, lim in self._groups.items()
                                if not lim.has_capacity(lim.max_rate)}
            limiter = self._groups[chat] = AsyncLimiter(self.group_rate,  # type: ignore[index]
                                                        self.group_period)
        return limiter


@dataclass(slots=True)
class _Flood:
    """A chat in flood control: when its wait ends, and the turn its requests take."""

    until: float  # clock time
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: int = 0  # requests holding or waiting for the turn


def _chat_key(chat_id: object) -> int | str | None:
    """The chat a request goes to: an int id, an @username, or None (no chat)."""
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)  # type: ignore[call-overload]
    return str(chat_id)
