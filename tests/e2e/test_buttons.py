"""Buttons keep working after a restart; stale and forged ones get a short notice."""

from __future__ import annotations

import datetime as dt

import pytest
from support.bot_harness import USER, callback_data

from bot.platform import texts
from bot.platform.keyboards import page_data
from bot.store import AnswerStore, open_database

pytestmark = pytest.mark.e2e

MANY_RESULTS = "hoan thue"


async def test_buttons_work_after_the_bot_restarts(fake, bot_running, tmp_path, searcher):
    async with bot_running(fake, data_dir=tmp_path):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
    data = callback_data(reply.reply_markup)
    more = next(d for d in data if d.startswith("p:"))
    read = data[0]
    async with bot_running(fake, data_dir=tmp_path):  # a new process, the same data dir
        fake.press_button(USER, reply.message_id, read)
        await fake.wait_for_messages(USER, 2)
        fake.press_button(USER, reply.message_id, more)
        await fake.wait_for(lambda: fake.edits, what="page 2 after the restart")
        await fake.wait_for(lambda: len(fake.callback_answers) == 2)
    assert "Kết quả 4–6/" in fake.message(USER, reply.message_id)["text"]
    assert [a.text for a in fake.callback_answers] == [None, None]


async def test_an_expired_answer_and_forged_data_get_a_notice(fake, bot_running, tmp_path):
    async with bot_running(fake, data_dir=tmp_path):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
    more = next(d for d in callback_data(reply.reply_markup) if d.startswith("p:"))
    answer_id = int(more.split(":")[1])
    # Time passes: the stored answer is purged.
    database = open_database(tmp_path)
    later = AnswerStore(database, clock=lambda: dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=90))
    assert later.purge() == 1
    database.close()

    forged = [
        more,  # the real button, its answer purged
        page_data(answer_id + 1000, 0),  # an answer that never existed
        page_data(answer_id, 99),  # a page that does not exist
        "p:1:-1", "p:x:0", "d:short", "d:!!!!!!!!", "d:AAAAAAAA", "hello", "p:" + "9" * 60,
    ]
    async with bot_running(fake, data_dir=tmp_path):
        for data in forged:
            fake.press_button(USER, reply.message_id, data, forged=True)
        await fake.wait_for(lambda: len(fake.callback_answers) == len(forged),
                            what="every callback answered")
    notices = [a.text for a in fake.callback_answers]
    assert set(notices) <= {texts.BUTTON_EXPIRED, texts.ARTICLE_GONE}
    assert notices.count(texts.ARTICLE_GONE) == 1  # d:AAAAAAAA is well-formed but unknown
    assert fake.edits == []
    assert len(fake.sent(USER)) == 1


async def test_a_button_pressed_in_another_chat_is_refused(fake, bot_running):
    async with bot_running(fake):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
        more = next(d for d in callback_data(reply.reply_markup) if d.startswith("p:"))
        fake.user_says(USER + 1, "/help")
        [other] = await fake.wait_for_messages(USER + 1)
        fake.press_button(USER + 1, other.message_id, more, forged=True)
        await fake.wait_for(lambda: fake.callback_answers)
    assert fake.callback_answers[0].text == texts.BUTTON_EXPIRED
    assert fake.edits == []


async def test_a_button_pressed_twice_before_the_bot_reacts_edits_once(fake, bot_running,
                                                                        tmp_path):
    # Telegram answers an identical edit with "message is not modified" (a 400 the
    # harness fails on): the second press of the same page must not edit again.
    async with bot_running(fake, data_dir=tmp_path):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
        more = next(d for d in callback_data(reply.reply_markup) if d.startswith("p:"))
        fake.press_button(USER, reply.message_id, more)
        fake.press_button(USER, reply.message_id, more)
        await fake.wait_for(lambda: len(fake.callback_answers) == 2)
        await fake.wait_for(lambda: fake.edits)
    assert len(fake.edits) == 1
    assert "Kết quả 4–6/" in fake.message(USER, reply.message_id)["text"]


async def test_a_press_older_than_telegram_waits_is_still_served(fake, bot_running, tmp_path):
    # Pressed while the bot was down: Telegram refuses the late answerCallbackQuery
    # ("query is too old"); the page still turns and nothing is logged as an error.
    async with bot_running(fake, data_dir=tmp_path):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
    more = next(d for d in callback_data(reply.reply_markup) if d.startswith("p:"))
    query_id = fake.press_button(USER, reply.message_id, more)
    fake.age_query(query_id, 20)
    async with bot_running(fake, data_dir=tmp_path, expect_rejections=True):
        await fake.wait_for(lambda: fake.edits, what="the page turned")
    assert "Kết quả 4–6/" in fake.message(USER, reply.message_id)["text"]
    assert [(r.method, r.status) for r in fake.rejected] == [("answerCallbackQuery", 400)]
