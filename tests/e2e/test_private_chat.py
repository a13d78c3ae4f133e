"""Private chats: questions, answers with sources, pages, full articles, edits, /start."""

from __future__ import annotations

import re

import pytest
from support.bot_harness import USER, callback_data, entity_texts, sample_queries
from support.telegram_html import parse_html

from bot.platform import texts
from bot.platform.article_keys import article_key
from bot.platform.keyboards import page_data

pytestmark = pytest.mark.e2e

QUERIES = sample_queries()
MANY_RESULTS = "hoàn thuế"  # the whole pool (20) in the sample corpus: seven pages
NOTHING = "zxcvb qwerty asdfgh"


async def test_question_gets_titles_dates_passages_and_sources(fake, bot_running, searcher):
    query = QUERIES["s02"]
    async with bot_running(fake):
        fake.user_says(USER, query["query"])
        [reply] = await fake.wait_for_messages(USER)
    article = searcher.article(query["relevant"][0])
    text, entities = parse_html(reply.html)
    assert reply.parse_mode == "HTML"
    assert f"1. {article.title}" in text
    assert article.published.strftime("%d/%m/%Y") in text
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links[0] == article.source_url
    bold = entity_texts(text, entities, "bold")
    assert "than củi" in bold  # a matched word of the question, highlighted
    # The typing indicator went out before the answer.
    [action] = fake.chat_actions
    assert (action.chat_id, action.action) == (USER, "typing")
    assert action.time <= reply.time
    # One "read" button per shown result.
    assert callback_data(reply.reply_markup)[0] == f"d:{article_key(article.id)}"
    assert reply.link_preview_options == {"is_disabled": True}


@pytest.mark.parametrize("query_id", ["s16", "s18", "s22", "s24"])
async def test_questions_without_diacritics_are_answered(fake, bot_running, searcher, query_id):
    query = QUERIES[query_id]
    assert query["variant"] == "unaccented"
    async with bot_running(fake):
        fake.user_says(USER, query["query"])
        [reply] = await fake.wait_for_messages(USER)
    title = searcher.article(query["relevant"][0]).title
    assert f"1. {title}" in reply.text


async def test_more_results_edit_the_same_message_and_back(fake, bot_running):
    async with bot_running(fake):
        fake.user_says(USER, MANY_RESULTS)
        [reply] = await fake.wait_for_messages(USER)
        assert "Kết quả 1–3/20" in reply.text
        [more] = [d for d in callback_data(reply.reply_markup) if d.startswith("p:")]
        answer_id = int(more.split(":")[1])
        assert more == page_data(answer_id, 1)

        query_id = fake.press_button(USER, reply.message_id, more)
        await fake.wait_for(lambda: fake.edits, what="page 2")
        page2 = fake.message(USER, reply.message_id)
        assert "Kết quả 4–6/20" in page2["text"]
        assert "4. " in page2["text"]
        data = callback_data(page2["reply_markup"])
        assert page_data(answer_id, 0) in data and page_data(answer_id, 2) in data
        [answer] = fake.callback_answers
        assert answer.callback_query_id == query_id and answer.text is None
        assert answer.time <= fake.edits[0].time  # answered before the slow part

        fake.press_button(USER, reply.message_id, page_data(answer_id, 0))
        await fake.wait_for(lambda: len(fake.edits) == 2, what="back to page 1")
        assert fake.message(USER, reply.message_id)["text"] == reply.text
        fake.press_button(USER, reply.message_id, page_data(answer_id, 1))
        await fake.wait_for(lambda: len(fake.edits) == 3, what="page 2 again")
        last = fake.message(USER, reply.message_id)
        fake.press_button(USER, reply.message_id, page_data(answer_id, 6), forged=True)
        await fake.wait_for(lambda: len(fake.edits) == 4, what="last page")
        assert "Kết quả 19–20/20" in fake.message(USER, reply.message_id)["text"]
        assert texts.MORE not in str(fake.message(USER, reply.message_id)["reply_markup"])
    assert len(fake.sent(USER)) == 1  # paging never sent a new message
    assert last["text"] == page2["text"]


async def test_read_button_sends_the_whole_article(fake, bot_running, searcher):
    query = QUERIES["s03"]
    article = searcher.article(query["relevant"][0])
    async with bot_running(fake):
        fake.user_says(USER, query["query"])
        [reply] = await fake.wait_for_messages(USER)
        fake.press_button(USER, reply.message_id, f"d:{article_key(article.id)}")
        messages = await fake.wait_for_messages(USER, 2)
        await fake.wait_for(lambda: fake.callback_answers)
    full = "\n".join(m.text for m in messages[1:])
    assert article.title in full
    for paragraph in article.paragraphs:
        assert paragraph in full


async def test_nothing_found_is_said_honestly_with_tips(fake, bot_running):
    async with bot_running(fake):
        fake.user_says(USER, NOTHING)
        [reply] = await fake.wait_for_messages(USER)
    assert texts.NO_RESULTS in reply.text
    assert "không dấu" in reply.text and "viết tắt" in reply.text
    assert reply.reply_markup is None


async def test_edited_question_edits_its_answer(fake, bot_running, searcher):
    first, second = QUERIES["s03"], QUERIES["s12"]
    async with bot_running(fake):
        question = fake.user_says(USER, first["query"])["message"]
        [reply] = await fake.wait_for_messages(USER)
        fake.edit_message(USER, question["message_id"], second["query"])
        await fake.wait_for(lambda: fake.edits, what="the answer edited")
        # Editing to the same question again changes nothing and is no error.
        fake.edit_message(USER, question["message_id"], second["query"])
        fake.user_says(USER, NOTHING)
        await fake.wait_for_messages(USER, 2)
    edited = fake.message(USER, reply.message_id)
    assert searcher.article(second["relevant"][0]).title in edited["text"]
    assert len(fake.sent(USER)) == 2  # the edit sent nothing new
    assert len(fake.edits) == 1


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_start_and_help_explain_with_examples(fake, bot_running, command):
    async with bot_running(fake):
        fake.user_says(USER, command)
        [reply] = await fake.wait_for_messages(USER)
    for example in texts.EXAMPLES:
        assert example in reply.text
    assert any(not re.search(r"[^\x00-\x7f]", e) for e in texts.EXAMPLES)  # one unaccented
    assert "@HaiQuanTestBot" in reply.text


async def test_every_help_example_finds_an_answer(fake, bot_running):
    async with bot_running(fake):
        for example in texts.EXAMPLES:
            fake.user_says(USER, example)
        replies = await fake.wait_for_messages(USER, len(texts.EXAMPLES))
    for reply in replies:
        assert reply.text.startswith("🔎 Kết quả 1"), reply.text


async def test_questions_sent_while_the_bot_was_down_are_answered(fake, bot_running):
    fake.user_says(USER, QUERIES["s05"]["query"])
    fake.user_says(USER + 1, QUERIES["s06"]["query"])
    async with bot_running(fake):
        await fake.wait_for_messages(USER)
        await fake.wait_for_messages(USER + 1)


async def test_deep_links_open_an_answer_or_an_article_card(fake, bot_running, searcher):
    article = searcher.article(QUERIES["s13"]["relevant"][0])
    other = USER + 7
    async with bot_running(fake) as app:
        fake.user_says(USER, MANY_RESULTS)
        [answer] = await fake.wait_for_messages(USER)
        more = next(d for d in callback_data(answer.reply_markup) if d.startswith("p:"))
        stored = app.bot_data.services.answers.get(int(more.split(":")[1]))
        fake.user_says(USER, f"/start a{stored.token}")  # the asker's own link
        fake.user_says(other, f"/start d{article_key(article.id)}")
        fake.user_says(other, "/start dAAAAAAAA")
        fake.user_says(other, "/start a999999")
        fake.user_says(other, "/start chao-ban")
        [_, own_link] = await fake.wait_for_messages(USER, 2)
        replies = await fake.wait_for_messages(other, 4)
    # The same answer again, with buttons of its own.
    assert own_link.text == answer.text
    own = next(d for d in callback_data(own_link.reply_markup) if d.startswith("p:"))
    assert own != more
    card = replies[0]
    assert article.title in card.text
    assert article.source_url in str(card.entities)
    assert callback_data(card.reply_markup) == [f"d:{article_key(article.id)}"]
    assert replies[1].text == texts.ARTICLE_GONE
    assert replies[2].text == texts.LINK_REFUSED
    assert texts.EXAMPLES[0] in replies[3].text  # an unknown payload: the help


async def test_an_edit_after_the_answer_was_deleted_gets_a_new_answer(fake, bot_running):
    async with bot_running(fake, expect_rejections=True):
        question = fake.user_says(USER, QUERIES["s03"]["query"])["message"]
        [reply] = await fake.wait_for_messages(USER)
        del fake.messages[USER][reply.message_id]  # the user deleted the bot's answer
        fake.edit_message(USER, question["message_id"], QUERIES["s12"]["query"])
        replies = await fake.wait_for_messages(USER, 2)
        # The new answer is linked now: a further edit edits it.
        fake.edit_message(USER, question["message_id"], "?!")
        await fake.wait_for(lambda: fake.edits)
    assert [r.description for r in fake.rejected] == ["Bad Request: message to edit not found"]
    assert "Formosa" in replies[1].text
    assert fake.message(USER, replies[1].message_id)["text"] == texts.EMPTY_QUESTION


async def test_a_recency_question_answered_by_an_old_article_says_how_old(fake, bot_running):
    """Issue 11: "… mới nhất" answered from the 2019–2020 sample says it is years old."""
    query = QUERIES["s02"]["query"]
    async with bot_running(fake):
        fake.user_says(USER, query)
        [plain] = await fake.wait_for_messages(USER)
        fake.user_says(USER, f"{query} mới nhất")
        [_, recent] = await fake.wait_for_messages(USER, count=2)
    assert "⏳" not in plain.text
    assert re.search(r"⏳ Tin đăng cách đây (hơn|khoảng) \d+ năm", recent.text)
