"""One chat's flood does not stall another chat, and each chat keeps its order.

The fake enforces Telegram's flood limits here, so a flooding private chat is answered at
about one message a second, as in production: if the flood's waiting updates held the
update processor's slots, the quiet chat would wait behind dozens of them (44 s behind
300 messages before the fix, `bot.platform.concurrency`), and if a 429 for the flooding chat
paused every request, as python-telegram-bot's `AIORateLimiter` does, the quiet chat would
wait out the flooder's flood control (about 9 s, `bot.platform.rate_limit`).
"""

from __future__ import annotations

import asyncio

import pytest
from support.bot_harness import BOT, sample_queries
from support.fake_bot_api import FakeBotAPI
from support.flood import FLOODER, QUIET, answer_latency, flood, let_flood_drain

from bot.platform.concurrency import PerChatUpdateProcessor

pytestmark = pytest.mark.e2e

QUERIES = [q["query"] for q in sample_queries().values()]
FLOOD = 300


async def test_a_flooding_chat_does_not_delay_a_quiet_chats_answer(bot_running):
    async with FakeBotAPI(bot_username=BOT, enforce_limits=True) as fake:
        async with bot_running(fake, expect_rejections=True):  # the flood meets 429s
            await answer_latency(fake, QUIET, QUERIES[0], 0, patience=10)  # warm up
            normal = await answer_latency(fake, QUIET, QUERIES[2], 1, patience=10)
            try:
                await flood(fake, QUERIES, FLOOD)  # returns once the flood is being served
                flooded = [await answer_latency(fake, QUIET, QUERIES[1], 2, patience=20)]
                # Then while the flooder is held up by Telegram's flood control (a 429 for
                # its chat): that wait must be the flooder's alone (`bot.platform.rate_limit`).
                await fake.wait_for(lambda: any(
                    r.status == 429 and r.params.get("chat_id") == FLOODER
                    for r in fake.rejected), 20, "a 429 for the flooder")
                for n, question in enumerate(QUERIES[3:6]):
                    await asyncio.sleep(1.2)  # the quiet chat keeps to its own limit
                    flooded.append(await answer_latency(fake, QUIET, question, 3 + n,
                                                        patience=20))
                answered_to_flooder = len(fake.sent(FLOODER))
            finally:
                fake.limiter = None  # let the rest of the flood drain: the bot stops quickly
            await let_flood_drain(fake, FLOOD)
        assert fake.problems == [], fake.dump()
    # Generous: the quiet chat shares the loop and the search thread with the flood, but
    # it must not wait behind the flood's queue (that took many seconds).
    assert max(flooded) < max(5 * normal, normal + 1.5), (normal, flooded)
    assert answered_to_flooder < FLOOD  # the quiet chat was answered mid-flood
    answers = fake.sent(QUIET)[2:]
    assert len(answers) == 4
    assert all(a.text.startswith(("🔎", "Không tìm thấy")) for a in answers)


async def test_a_chats_answers_keep_the_order_of_its_questions(fake, bot_running):
    """The first question is held up at Telegram (its typing action hangs); the next two
    must still be answered after it, not overtake it -- which they do without the chat's
    lock, since each update then runs on its own."""
    questions = QUERIES[:3]
    release = fake.stall("sendChatAction", chat_id=FLOODER)
    async with bot_running(fake):
        fake.user_says(FLOODER, questions[0])
        await fake.wait_for(lambda: any(
            r.method == "sendChatAction" and r.params.get("chat_id") == FLOODER
            for r in fake.requests))
        fake.stalls.clear()  # later calls pass; the first question's call is still held
        for question in questions[1:]:
            fake.user_says(FLOODER, question)
        await asyncio.sleep(0.5)  # time enough for the later ones to overtake, if they may
        release.set()
        replies = await fake.wait_for_messages(FLOODER, len(questions), timeout=10)
    for question, reply in zip(questions, replies, strict=True):
        assert question[:40] in reply.text, (question, reply.text[:80])


async def test_the_chat_lock_is_released_for_updates_without_a_chat():
    """Inline queries (no chat) take a global slot only, and run at once."""
    processor = PerChatUpdateProcessor(2)
    done = asyncio.Event()

    async def work() -> None:
        done.set()

    await asyncio.wait_for(processor.process_update(object(), work()), 1)
    assert done.is_set()
