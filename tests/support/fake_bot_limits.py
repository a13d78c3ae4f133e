"""Flood limits for ``FakeBotAPI(enforce_limits=True)``.

Telegram does not publish exact algorithms, only guidance (core.telegram.org/bots/faq): about
30 messages per second overall, at most 20 messages per minute to one group, and about one
message per second to one chat, with short bursts tolerated. The fake turns that guidance into
sliding windows over *successful* sends (a rejected send costs nothing, as with Telegram), and
answers 429 with the number of whole seconds until the window has room again.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Sliding-window limits; the defaults are the ones the fake documents and enforces.

    ``private_*``: a private chat may receive ``private_per_window`` messages in any
    ``private_window`` seconds, i.e. one per second sustained with bursts of that size.
    """

    global_per_second: int = 30
    group_per_minute: int = 20
    private_per_window: int = 10
    private_window: float = 10.0


class RateLimiter:
    """Counts successful sends and tells how long the bot must wait before the next one."""

    def __init__(self, limits: Limits) -> None:
        """Start with empty windows."""
        self.limits = limits
        self._all: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    @staticmethod
    def _wait(times: deque[float], window: float, allowed: int, now: float) -> float:
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) < allowed:
            return 0.0
        return times[len(times) - allowed] + window - now

    def retry_after(self, chat_id: int, is_private: bool, now: float | None = None) -> int:
        """Seconds to wait before sending to ``chat_id``; 0 means the send is allowed."""
        now = time.monotonic() if now is None else now
        chat_times = self._per_chat.setdefault(chat_id, deque())
        if is_private:
            chat_wait = self._wait(chat_times, self.limits.private_window,
                                   self.limits.private_per_window, now)
        else:
            chat_wait = self._wait(chat_times, 60.0, self.limits.group_per_minute, now)
        wait = max(chat_wait, self._wait(self._all, 1.0, self.limits.global_per_second, now))
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def record(self, chat_id: int, now: float | None = None) -> None:
        """Count one successful send."""
        now = time.monotonic() if now is None else now
        self._all.append(now)
        self._per_chat.setdefault(chat_id, deque()).append(now)
