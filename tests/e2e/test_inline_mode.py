"""Inline mode: ``@bot câu hỏi`` in any chat lists result cards, page by page."""

from __future__ import annotations

import pytest
from support.telegram_html import parse_html

from bot.chat.inline import INLINE_PAGE
from bot.platform import texts
from bot.platform.article_keys import article_key

pytestmark = pytest.mark.e2e

USER = 77


async def test_results_are_cards_paginated_with_next_offset(fake, bot_running, searcher):
    async with bot_running(fake):
        fake.inline_query(USER, "hoàn thuế")
        await fake.wait_for(lambda: fake.inline_answers, what="first page")
        first = fake.inline_answers[0]
        fake.inline_query(USER, "hoàn thuế", offset=first.next_offset)
        await fake.wait_for(lambda: len(fake.inline_answers) == 2, what="second page")
    second = fake.inline_answers[1]
    hits = searcher.search("hoàn thuế", 50)
    assert len(hits) > INLINE_PAGE
    assert len(first.results) == INLINE_PAGE
    assert first.next_offset == str(INLINE_PAGE)
    assert len(second.results) == min(len(hits) - INLINE_PAGE, INLINE_PAGE)
    assert second.next_offset == (None if len(hits) <= 2 * INLINE_PAGE else str(2 * INLINE_PAGE))
    ids = [r["id"] for r in first.results + second.results]
    assert len(set(ids)) == len(ids)
    assert ids == [article_key(h.article_id) for h in hits[: 2 * INLINE_PAGE]]
    card = first.results[0]
    assert card["type"] == "article" and card["title"] == hits[0].title
    assert card["description"].startswith(hits[0].published.strftime("%d/%m/%Y"))
    content = card["input_message_content"]
    text, entities = parse_html(content["message_text"])
    assert hits[0].title in text
    assert [e["url"] for e in entities if e["type"] == "text_link"] == [hits[0].url]
    [[button]] = card["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/HaiQuanTestBot?start=d{ids[0]}"
    assert first.button == {"text": texts.INLINE_HELP_BUTTON, "start_parameter": "help"}


async def test_pages_end_when_the_results_do(fake, bot_running, searcher):
    question = "cần sa Canada"
    total = len(searcher.search(question, 50))
    assert 0 < total < INLINE_PAGE
    async with bot_running(fake):
        fake.inline_query(USER, question)
        await fake.wait_for(lambda: fake.inline_answers)
    [answer] = fake.inline_answers
    assert len(answer.results) == total
    assert not answer.next_offset  # absent: no more pages (and never "[]")


async def test_an_unaccented_inline_query_finds_the_article(fake, bot_running, searcher):
    async with bot_running(fake):
        fake.inline_query(USER, "cptpp co hieu luc voi viet nam ngay nao")
        await fake.wait_for(lambda: fake.inline_answers)
    title = searcher.article("hiep-dinh-cptpp-co-hieu-luc-voi-viet-nam-tu-14-1-2019.md").title
    assert fake.inline_answers[0].results[0]["title"] == title


@pytest.mark.parametrize(("query", "button"), [
    ("", texts.INLINE_HELP_BUTTON),
    ("   ", texts.INLINE_HELP_BUTTON),
    ("zxcvb qwerty asdfgh", texts.INLINE_NO_RESULTS),
])
async def test_empty_or_fruitless_queries_offer_help(fake, bot_running, query, button):
    async with bot_running(fake):
        fake.inline_query(USER, query)
        await fake.wait_for(lambda: fake.inline_answers)
    [answer] = fake.inline_answers
    assert answer.results == []
    assert answer.button == {"text": button, "start_parameter": "help"}


async def test_a_forged_offset_starts_from_the_beginning(fake, bot_running):
    async with bot_running(fake):
        fake.inline_query(USER, "hoàn thuế", offset="abc")
        fake.inline_query(USER, "hoàn thuế", offset="9999")
        await fake.wait_for(lambda: len(fake.inline_answers) == 2)
    assert all(a.next_offset == str(INLINE_PAGE) for a in fake.inline_answers)
