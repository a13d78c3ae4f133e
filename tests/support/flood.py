"""One chat floods, another asks: the set-up shared by tests/e2e/test_fairness.py and
benchmarks/flood.py.

The fake enforces Telegram's flood limits, so the flooding private chat is answered at
about one message a second; what is measured is the quiet chat's answer latency, from
its question to the answer's sendMessage (not the typing action).
"""

from __future__ import annotations

import time

from support.fake_bot_api import FakeBotAPI

__all__ = ["FLOODER", "QUIET", "answer_latency", "flood", "let_flood_drain"]

FLOODER = 5001
QUIET = 5002


async def answer_latency(fake: FakeBotAPI, chat_id: int, question: str, already: int,
                         patience: float) -> float:
    """Seconds from the question to the answer's sendMessage; `already`: the messages the
    chat had before."""
    asked = time.monotonic()
    fake.user_says(chat_id, question)
    await fake.wait_for_messages(chat_id, already + 1, timeout=patience)
    return time.monotonic() - asked


async def flood(fake: FakeBotAPI, questions: list[str], count: int) -> None:
    """`FLOODER` sends `count` questions at once; returns when the first is answered."""
    for i in range(count):
        fake.user_says(FLOODER, questions[i % len(questions)])
    await fake.wait_for_messages(FLOODER, 1, timeout=10)


async def let_flood_drain(fake: FakeBotAPI, count: int, patience: float = 60) -> None:
    """Lift the flood limits and wait for the rest of the flood, so the bot stops quickly."""
    fake.limiter = None
    await fake.wait_for_messages(FLOODER, count, timeout=patience)
