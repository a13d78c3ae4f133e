"""Groups: answer when addressed (/hoi, mention, reply), compactly; otherwise stay silent."""

from __future__ import annotations

import re

import pytest
from support.bot_harness import BOT, GROUP, buttons, sample_queries

from bot.platform import texts
from bot.platform.cards import GROUP_RESULTS

pytestmark = pytest.mark.e2e

QUERIES = sample_queries()
MEMBER = 555
BASIC_GROUP = -4001


def _deep_link(reply) -> str:
    [button] = buttons(reply.reply_markup)
    assert button["text"] == texts.continue_in_private()
    return button["url"]


async def test_hoi_gets_a_compact_reply_with_a_link_to_continue_in_private(
        fake, bot_running, searcher):
    query = QUERIES["s02"]
    async with bot_running(fake):
        asked = fake.user_says(GROUP, f"/hoi {query['query']}", user_id=MEMBER,
                               chat_type="supergroup")["message"]
        [reply] = await fake.wait_for_messages(GROUP)
        link = _deep_link(reply)
        payload = re.fullmatch(rf"https://t\.me/{BOT}\?start=(a[A-Za-z0-9_-]{{22}})",
                               link).group(1)
        # The member follows the link: Telegram opens the private chat and sends /start.
        fake.user_says(MEMBER, f"/start {payload}")
        [private] = await fake.wait_for_messages(MEMBER)
    assert reply.reply_to_message_id == asked["message_id"]
    assert searcher.article(query["relevant"][0]).title in reply.text
    assert re.search(r"^1\. ", reply.text, re.M) and not re.search(r"^3\. ", reply.text, re.M)
    assert [a for a in fake.chat_actions if a.chat_id == GROUP] == []  # no typing in groups
    assert private.text.startswith("🔎 Kết quả 1–3/")
    assert any(b.get("callback_data", "").startswith("d:") for b in buttons(private.reply_markup))


async def test_group_answers_show_only_the_top_results(fake, bot_running):
    async with bot_running(fake):
        fake.user_says(GROUP, "/hoi hoàn thuế", chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
    ranks = re.findall(r"^(\d+)\. ", reply.text, re.M)
    assert ranks == [str(i + 1) for i in range(GROUP_RESULTS)]
    assert f"Kết quả 1–{GROUP_RESULTS}/20" in reply.text


@pytest.mark.parametrize("template", [
    "/hoi@HaiQuanTestBot {q}",
    "@HaiQuanTestBot {q}",
    "{q} @haiquantestbot",
])
async def test_commands_with_the_bot_name_and_mentions_are_answered(fake, bot_running,
                                                                   template, searcher):
    query = QUERIES["s12"]
    async with bot_running(fake):
        fake.user_says(GROUP, template.format(q=query["query"]), chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
    assert searcher.article(query["relevant"][0]).title in reply.text


async def test_a_reply_to_the_bot_is_a_question(fake, bot_running, searcher):
    async with bot_running(fake):
        fake.user_says(GROUP, "/help", chat_type="supergroup")
        [help_message] = await fake.wait_for_messages(GROUP)
        fake.user_says(GROUP, QUERIES["s03"]["query"], user_id=MEMBER, chat_type="supergroup",
                       reply_to_message_id=help_message.message_id)
        replies = await fake.wait_for_messages(GROUP, 2)
    assert "/hoi" in help_message.text
    assert searcher.article(QUERIES["s03"]["relevant"][0]).title in replies[1].text


async def test_answers_go_to_the_askers_forum_topic(fake, bot_running):
    fake.add_chat(GROUP, "supergroup", is_forum=True)
    topic = fake.add_topic(GROUP, "Thủ tục hải quan")
    async with bot_running(fake):
        fake.user_says(GROUP, "/hoi hoan thue hang tai xuat", message_thread_id=topic,
                       chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
    assert reply.message_thread_id == topic


async def test_everything_not_addressed_to_the_bot_gets_silence(fake_sees_all, bot_running):
    fake = fake_sees_all
    async with bot_running(fake):
        fake.user_says(GROUP, "/help", chat_type="supergroup")
        [help_message] = await fake.wait_for_messages(GROUP)
        silent = [
            "hoàn thuế hàng tái xuất nguyên trạng",  # plain chatter
            "/hoi@OtherBot hoàn thuế",  # another bot's command
            "/start@OtherBot",
            "@OtherBot hoàn thuế",  # another bot's mention
            "/khongco@HaiQuanTestBot",  # a command the bot does not have
            "@HaiQuanTestBot",  # a bare mention
            "/hoi " + "thuế " * 900,  # far too long
            "/hoi ?!… *** <>",  # no words at all
        ]
        for text in silent:
            fake.user_says(GROUP, text, user_id=MEMBER, chat_type="supergroup")
        fake.send_sticker(GROUP, user_id=MEMBER, chat_type="supergroup")
        fake.send_photo(GROUP, user_id=MEMBER, chat_type="supergroup", caption="@HaiQuanTestBot")
        fake.send_voice(GROUP, user_id=MEMBER, chat_type="supergroup")
        # Then one real question, to know that everything before it was processed.
        fake.user_says(GROUP, "/hoi hoàn thuế", chat_type="supergroup")
        replies = await fake.wait_for_messages(GROUP, 2)
        await fake.wait_for(lambda: not fake.pending_updates)
    assert len(fake.sent(GROUP)) == 2
    assert replies[1].text.startswith("🔎")
    assert help_message.text


async def test_a_bare_hoi_in_a_group_gets_a_one_line_usage_hint(fake_sees_all, bot_running):
    fake = fake_sees_all
    async with bot_running(fake):
        for text in ("/hoi", "/hoi@HaiQuanTestBot", "/hoi@OtherBot"):
            fake.user_says(GROUP, text, user_id=MEMBER, chat_type="supergroup")
        fake.user_says(GROUP, "/hoi hoàn thuế", chat_type="supergroup")
        replies = await fake.wait_for_messages(GROUP, 3)
        await fake.wait_for(lambda: not fake.pending_updates)
    assert len(fake.sent(GROUP)) == 3  # nothing for the other bot's /hoi
    assert [reply.text for reply in replies[:2]] == [texts.HOI_USAGE] * 2
    assert "\n" not in texts.HOI_USAGE and "/hoi" in texts.HOI_USAGE
    assert replies[2].text.startswith("🔎")


async def test_an_edited_group_question_edits_its_answer(fake, bot_running, searcher):
    async with bot_running(fake):
        asked = fake.user_says(GROUP, f"/hoi {QUERIES['s03']['query']}",
                               chat_type="supergroup")["message"]
        [reply] = await fake.wait_for_messages(GROUP)
        fake.edit_message(GROUP, asked["message_id"], f"/hoi {QUERIES['s12']['query']}")
        await fake.wait_for(lambda: fake.edits)
    assert searcher.article(QUERIES["s12"]["relevant"][0]).title in fake.message(
        GROUP, reply.message_id)["text"]


async def test_a_group_that_becomes_a_supergroup_keeps_working(fake, bot_running, tmp_path):
    # The stored answers (and their question links) of the basic group move to the
    # supergroup's id, so its "continue in private" link still opens for a member.
    fake.add_chat(BASIC_GROUP, "group")
    async with bot_running(fake, data_dir=tmp_path) as app:
        answers = app.bot_data.services.answers
        asked = fake.user_says(BASIC_GROUP, "/hoi hoàn thuế", user_id=MEMBER,
                               chat_type="group")["message"]
        [first] = await fake.wait_for_messages(BASIC_GROUP)
        await fake.wait_for(lambda: answers.for_question(BASIC_GROUP, asked["message_id"]))
        fake.migrate_event(BASIC_GROUP, GROUP)
        moved = await fake.wait_for(lambda: answers.for_question(GROUP, asked["message_id"]),
                                    what="the answers moved to the supergroup")
        assert answers.for_question(BASIC_GROUP, asked["message_id"]) is None
        assert moved.answer.chat_id == GROUP
        assert moved.message_ids == (first.message_id,)
        fake.user_says(GROUP, "/hoi hoan thue", chat_type="supergroup")
        [reply] = await fake.wait_for_messages(GROUP)
        payload = _deep_link(first).split("start=", 1)[1]
        fake.user_says(MEMBER, f"/start {payload}")
        [private] = await fake.wait_for_messages(MEMBER)
    assert reply.text.startswith("🔎")
    assert private.text.startswith("🔎")
