"""`bot.platform.rate_limit.ChatRateLimiter`: a 429 holds up the chat it was about, not the bot.

Real objects: an `ExtBot` with the limiter, sending over HTTP to the strict fake Bot API,
which answers 429 with ``retry_after`` for the chat the test floods.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_asyncio
from support.fake_bot_api import FakeBotAPI
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.platform.rate_limit import ChatRateLimiter

FLOODED, OTHER, GROUP = 5001, 5002, -100777
LATER = ("ba", "bốn", "năm", "sáu", "bảy", "tám")


@pytest_asyncio.fixture
async def fake():
    async with FakeBotAPI(enforce_limits=False) as api:
        for chat in (FLOODED, OTHER, GROUP):
            api.add_chat(chat)
        yield api


async def timed(coro) -> float:
    started = time.monotonic()
    await coro
    return time.monotonic() - started


async def test_a_429_parks_only_its_chat_and_the_message_goes_out_after_the_wait(fake):
    limiter = ChatRateLimiter(max_retries=2)
    async with ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter) as bot:
        fake.flood(FLOODED, retry_after=2)
        flooded = asyncio.create_task(timed(bot.send_message(FLOODED, "một")))
        await fake.wait_for(lambda: limiter.parked_for(FLOODED) > 0, 5, "the 429")
        # While the flooded chat waits, another chat's messages go at once...
        other = await timed(bot.send_message(OTHER, "hai"))
        # ...and later messages to the flooded chat wait their turn, not sent early, and
        # go after the refused one in the order they were sent.
        later = [asyncio.create_task(bot.send_message(FLOODED, text)) for text in LATER]
        waited = await flooded
        await asyncio.gather(*later)
    assert other < 1.0, other
    assert waited >= 2.0, waited
    assert [m.text for m in fake.sent(FLOODED)] == ["một", *LATER]
    assert [m.text for m in fake.sent(OTHER)] == ["hai"]


async def test_retries_end_with_the_429_raised(fake):
    async with ExtBot(fake.token, base_url=fake.base_url,
                      rate_limiter=ChatRateLimiter(max_retries=1)) as bot:
        fake.flood(FLOODED, retry_after=1, times=2)
        with pytest.raises(RetryAfter):
            await bot.send_message(FLOODED, "một")
    assert fake.sent(FLOODED) == []


async def test_a_group_is_paced_before_telegram_refuses(fake):
    # 3 a second to one group here (20 a minute in production): the fourth waits.
    limiter = ChatRateLimiter(group_rate=3, group_period=1.0)
    async with ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter) as bot:
        elapsed = await timed(asyncio.gather(*(bot.send_message(GROUP, str(i))
                                               for i in range(4))))
        person = await timed(asyncio.gather(*(bot.send_message(OTHER, str(i))
                                              for i in range(4))))
    assert elapsed >= 0.25, elapsed
    assert person < 0.25, person  # people are not paced by the limiter
    assert len(fake.sent(GROUP)) == 4


def test_negative_retries_are_refused():
    with pytest.raises(ValueError, match="max_retries"):
        ChatRateLimiter(max_retries=-1)
