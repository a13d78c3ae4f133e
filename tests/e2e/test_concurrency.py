"""Many users at once: updates are processed concurrently, in order within a chat."""

from __future__ import annotations

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
    questions = [QUERIES[i]["query"] for i in range(6)]
    async with bot_running(fake):
        for question in questions:
            fake.user_says(USER, question)
        replies = await fake.wait_for_messages(USER, len(questions))
    for question, reply in zip(questions, replies, strict=True):
        assert question[:40] in reply.text or "Không tìm thấy" in reply.text
