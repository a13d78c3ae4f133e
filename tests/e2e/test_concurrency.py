"""Many users at once: updates are processed concurrently, in order within a chat."""

from __future__ import annotations

import asyncio

import pytest
from support.bot_harness import USER, sample_queries

pytestmark = pytest.mark.e2e

QUERIES = list(sample_queries().values())


async def test_twenty_users_asking_at_once_all_get_answers(fake, bot_running):
    users = range(1000, 1020)
    async with bot_running(fake):
        for user in users:
            fake.user_says(user, QUERIES[user % len(QUERIES)]["query"])
        for user in users:
            await fake.wait_for_messages(user)
    for user in users:
        [reply] = fake.sent(user)
        assert reply.text.startswith(("🔎", "Không tìm thấy"))


async def test_a_stalled_chat_does_not_hold_up_the_others(fake, bot_running):
    stuck = USER
    release = fake.stall("sendChatAction", chat_id=stuck)  # Telegram is slow for one chat
    async with bot_running(fake):
        fake.user_says(stuck, "hoàn thuế")
        fake.user_says(USER + 1, "hoàn thuế")
        fake.user_says(USER + 2, "thuốc lá")
        await fake.wait_for_messages(USER + 1)
        await fake.wait_for_messages(USER + 2)
        assert fake.sent(stuck) == []
        release.set()
        await fake.wait_for_messages(stuck)


async def test_answers_in_one_chat_keep_the_order_of_the_questions(fake, bot_running):
    # The first question is held up at Telegram (its "typing…" hangs); the later ones in
    # the same chat must wait for it, while another chat is answered meanwhile.
    questions = [QUERIES[i]["query"] for i in range(6)]
    release = fake.stall("sendChatAction", chat_id=USER, once=True)
    async with bot_running(fake):
        fake.user_says(USER, questions[0])
        await fake.wait_for(lambda: any(r.method == "sendChatAction" for r in fake.requests),
                            what="the first question under way")
        for question in questions[1:]:
            fake.user_says(USER, question)
        fake.user_says(USER + 1, questions[0])
        await fake.wait_for_messages(USER + 1)  # the later updates have been fetched
        await asyncio.sleep(0.3)  # time for a wrongly unlocked chat to answer out of turn
        early = list(fake.sent(USER))
        release.set()
        replies = await fake.wait_for_messages(USER, len(questions))
    assert early == []
    for question, reply in zip(questions, replies, strict=True):
        assert question[:40] in reply.text or "Không tìm thấy" in reply.text
