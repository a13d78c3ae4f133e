"""How fast broadcasts go: Telegram's flood limits, with a margin, as plain arithmetic.

Telegram allows a bot about 30 messages a second overall, at most 20 a minute to one
group, and about one a second to one person (core.telegram.org/bots/faq). Going over
earns a 429 with ``retry_after``, and a bot that keeps going over risks a longer ban.
The defaults stay under all three with room for the bot's answers to questions, which
share the same limits:

- 25 messages a second overall, spaced evenly (at most 26 in any one-second window);
- 3.2 seconds between two messages to one group (18.75 a minute), 1 second for a person;
- a chat that got a 429 is parked for ``retry_after``; the others go on.

`Pacer` is pure bookkeeping over an injectable clock: the sender asks it how long to
wait and sleeps itself, so the rules are tested without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Pacer", "Pacing"]


@dataclass(frozen=True, slots=True)
class Pacing:
    """Broadcast pacing and retry policy (seconds unless said otherwise).

    Attributes:
        per_second: messages per second over all chats.
        group_interval: least time between two messages to one group.
        private_interval: least time between two messages to one person.
        max_in_flight: HTTP requests at once (latency hiding, not speed: the rate rules).
        max_errors: network/5xx errors after which a delivery is given up.
        backoff_base: wait after the first such error; doubled after each next one.
        backoff_max: longest wait between two tries.
        forbidden_limit: consecutive 403 answers after which a subscription stops
            (at once when Telegram says the bot was blocked or removed).
        drain_timeout: on stop, how long sends already under way may take to finish.
        idle_check: how often an idle sender looks at the ledger without being woken.
    """

    per_second: float = 25.0
    group_interval: float = 3.2
    private_interval: float = 1.0
    max_in_flight: int = 16
    max_errors: int = 5
    backoff_base: float = 5.0
    backoff_max: float = 900.0
    forbidden_limit: int = 3
    drain_timeout: float = 10.0
    idle_check: float = 60.0

    def __post_init__(self) -> None:
        """Reject settings that would stall the sender."""
        if self.per_second <= 0:
            raise ValueError(f"per_second must be positive, got {self.per_second}")
        if self.group_interval < 0 or self.private_interval < 0:
            raise ValueError("intervals must not be negative")
        if self.max_in_flight < 1 or self.max_errors < 1 or self.forbidden_limit < 1:
            raise ValueError("max_in_flight, max_errors and forbidden_limit must be >= 1")

    def backoff(self, errors: int) -> float:
        """Wait before the next try after `errors` errors in a row (1, 2, ...)."""
        return min(self.backoff_max, self.backoff_base * 2 ** max(errors - 1, 0))


class Pacer:
    """Hands out send slots: one global rate, one spacing per chat, parked chats."""

    def __init__(self, pacing: Pacing, clock: Callable[[], float] = time.monotonic) -> None:
        """Start with every chat ready; `clock` gives monotonic seconds."""
        self.pacing = pacing
        self._clock = clock
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may get its next message (0: now)."""
        return max(0.0, self._next_chat.get(chat_id, 0.0) - self._clock())

    def reserve(self, chat_id: int, *, private: bool) -> float:
        """Take the next slot for a message to `chat_id`; returns how long to wait for it.

        The slot is taken at once, so successive calls queue up behind each other even
        before the caller has slept.
        """
        now = self._clock()
        start = max(now, self._next_global, self._next_chat.get(chat_id, 0.0))
        self._next_global = start + 1.0 / self.pacing.per_second
        spacing = self.pacing.private_interval if private else self.pacing.group_interval
        self._next_chat[chat_id] = start + spacing
        if len(self._next_chat) > 4096:
            self._forget_past(now)
        return start - now

    def park(self, chat_id: int, seconds: float) -> None:
        """Nothing to `chat_id` for `seconds` (a 429's ``retry_after``)."""
        until = self._clock() + max(seconds, 0.0)
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), until)

    def _forget_past(self, now: float) -> None:
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
