"""Bad input and bad luck: a short hint in private, silence elsewhere, never a crash."""

from __future__ import annotations

import logging

import pytest
from support.bot_harness import USER
from support.telegram_html import parse_html

from bot.chat.answering import MAX_QUESTION_CHARS
from bot.platform import texts

pytestmark = pytest.mark.e2e

CHANNEL = -1009876543210


@pytest.mark.parametrize("send", ["send_sticker", "send_photo", "send_voice"])
async def test_non_text_messages_get_a_hint(fake, bot_running, send):
    async with bot_running(fake):
        getattr(fake, send)(USER)
        [reply] = await fake.wait_for_messages(USER)
    assert reply.text == texts.NOT_TEXT


@pytest.mark.parametrize(("text", "hint"), [
    ("x" * 4096, texts.question_too_long(MAX_QUESTION_CHARS)),
    ("thuế " * 820, texts.question_too_long(MAX_QUESTION_CHARS)),
    ("?!…", texts.EMPTY_QUESTION),
    ("/hoi", texts.EMPTY_QUESTION),
    ("/khongco", texts.UNKNOWN_COMMAND),
    ("/help@OtherBot", texts.UNKNOWN_COMMAND),
])
async def test_unusable_text_gets_a_short_hint(fake, bot_running, text, hint):
    async with bot_running(fake):
        fake.user_says(USER, text)
        [reply] = await fake.wait_for_messages(USER)
    assert reply.text == hint


@pytest.mark.parametrize("text", [
    "<b>hoàn thuế</b> & <i>tái xuất</i> \"nguyên trạng\" 'B13'",
    # Mostly question, some markup: a message that is mostly markup ("&lt;script&gt; …")
    # is declined, and a declined reply does not echo the question.
    "*hoàn thuế* _hàng tái xuất_ `nguyên trạng` ~~B13~~ ||tờ khai||",
    "&lt;hoàn thuế&gt; hàng tái xuất nguyên trạng &amp; tờ khai B13 </b>",
])
async def test_html_and_markdown_characters_are_escaped(fake, bot_running, text):
    async with bot_running(fake):
        fake.user_says(USER, text)
        [reply] = await fake.wait_for_messages(USER)
    shown, _ = parse_html(reply.html)
    assert " ".join(text.split())[:40] in shown  # echoed literally in the header


async def test_channel_posts_are_ignored(fake, bot_running):
    async with bot_running(fake):
        fake.channel_post(CHANNEL, "/hoi hoàn thuế")
        fake.channel_post(CHANNEL, "hoàn thuế hàng tái xuất")
        fake.user_says(USER, "/help")
        await fake.wait_for_messages(USER)
        await fake.wait_for(lambda: not fake.pending_updates)
    assert fake.sent(CHANNEL) == []


async def test_odd_updates_do_not_crash_the_bot(fake, bot_running):
    fake.add_chat(-100777, "supergroup", title="Nhóm")  # the bot greets it on being added
    async with bot_running(fake):
        fake.raw_update({"edited_channel_post": {
            "message_id": 5, "date": 1, "chat": {"id": CHANNEL, "type": "channel", "title": "K"},
            "text": "sửa"}})
        fake.raw_update({"my_chat_member": {
            "chat": {"id": -100777, "type": "supergroup", "title": "Nhóm"},
            "from": {"id": 9, "is_bot": False, "first_name": "A"}, "date": 1,
            "old_chat_member": {"user": fake.bot_user(), "status": "left"},
            "new_chat_member": {"user": fake.bot_user(), "status": "member"}}})
        fake.user_says(USER, "/start")
        await fake.wait_for_messages(USER)
        await fake.wait_for_messages(-100777)


async def test_an_unexpected_failure_is_logged_and_the_user_told(fake, bot_running, caplog):
    fake.fail_next("sendMessage", 400, "Bad Request: something unexpected")
    with caplog.at_level(logging.ERROR, logger="bot"):
        async with bot_running(fake, expect_errors=True, expect_rejections=True):
            fake.user_says(USER, "hoàn thuế hàng tái xuất")
            [apology] = await fake.wait_for_messages(USER)
    assert apology.text == texts.ERROR
    [record] = [r for r in caplog.records if r.name == "bot.platform.error_handler"]
    assert "chat 42" in record.getMessage() and record.exc_info is not None
    assert "hoàn thuế" not in record.getMessage()  # user text stays out of error logs


async def test_a_user_who_blocked_the_bot_is_a_warning_not_a_crash(fake, bot_running, caplog):
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.WARNING, logger="bot"):
        async with bot_running(fake, expect_rejections=True):
            fake.user_says(USER, "hoàn thuế")
            await fake.wait_for(lambda: fake.rejected)
            fake.user_says(USER + 1, "/help")
            await fake.wait_for_messages(USER + 1)
    assert any("may not write" in r.getMessage() for r in caplog.records)
    assert fake.sent(USER) == []


async def test_flood_control_is_waited_out(fake, bot_running):
    # The answer itself (sendMessage, not the "typing…" indicator) meets a 429: the bot
    # waits retry_after and sends it once.
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1",
                   parameters={"retry_after": 1})
    async with bot_running(fake, expect_rejections=True):
        fake.user_says(USER, "hoàn thuế")
        [reply] = await fake.wait_for_messages(USER, timeout=10)
    assert reply.text.startswith("🔎")
    [rejection] = fake.rejected
    assert (rejection.method, rejection.status) == ("sendMessage", 429)
    assert reply.time - rejection.time >= 0.9  # retry_after was waited out
