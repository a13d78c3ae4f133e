"""Rendering: valid Telegram HTML for any text, within Telegram's limits, nothing lost.

Checked against the fake Bot API's own HTML parser and text pipeline, so "valid" means
what the strict fake (and hence Telegram) accepts.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fake_bot_text import prepare_text
from support.telegram_html import parse_html

from bot.chat.answering import render_group, render_private
from bot.platform.cards import PAGE_SIZE, answer_blocks, article_blocks, n_pages
from bot.platform.render import (
    MAX_ENTITIES,
    MAX_TEXT,
    Span,
    fit,
    measure,
    pack,
    safe_url,
    single_message,
    to_html,
    to_plain,
    utf16_len,
    visible_text,
)
from corpus import Article
from retrieval import Explanation, Hit

TRICKY = [
    *"<>&\"';`*_[]()~|#@/\n\t\r\x00\x0b\u2028\u202e",
    "😀", "🇻🇳", "ệ", "e\u0302\u0323", "&amp;", "</b>", "<a href='x'>", "&#x27;", "\u200b"]
piece = st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY))
text = st.lists(piece, max_size=60).map("".join)
long_text = st.lists(piece, max_size=3000).map("".join)
urls = st.one_of(
    st.none(), text,
    st.sampled_from(["https://hddtvn.com/bai-viet/", "http://customs.gov.vn/a?b=1&c=\"2\"",
                     "https://x", "javascript:alert(1)", "https://a.vn/<b>", "tg://resolve",
                     "https://exa mple.com/", "https://ví-dụ.vn/đường-dẫn"]),
)
spans = st.builds(Span, text, st.booleans(), urls)
blocks = st.lists(spans, max_size=8).map(tuple)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def accepted(html: str) -> tuple[str, list[dict]]:
    """What the fake Bot API stores for `html`: raises like Telegram on invalid input."""
    prepared = prepare_text(html, "HTML", None, empty="empty", too_long="too long")
    assert prepared.problems == [], prepared.problems
    return prepared.text, prepared.entities


@SETTINGS
@given(st.lists(blocks, max_size=4))
def test_html_parses_to_exactly_the_visible_text(message):
    parsed, entities = parse_html(to_html(message))
    assert parsed == visible_text(message)
    length, counted = measure(message)
    assert utf16_len(parsed) == length
    assert len(entities) <= counted


@SETTINGS
@given(blocks)
def test_plain_text_has_the_same_content_in_the_same_order(block):
    plain = to_plain([block])
    position = 0
    for span in block:
        shown = visible_text([(span,)])
        position = plain.index(shown, position) + len(shown)


@SETTINGS
@given(st.lists(st.lists(st.builds(Span, long_text, st.booleans(), urls), max_size=6)
                .map(tuple), max_size=12),
       st.integers(200, MAX_TEXT), st.integers(3, MAX_ENTITIES))
def test_packing_respects_the_limits_and_keeps_the_order(message, limit, max_entities):
    packed = pack(message, limit, max_entities)
    for part in packed:
        length, entities = measure(part)
        assert length <= limit and entities <= max_entities
        if text_of := visible_text(part).strip():
            assert text_of
            accepted(to_html(part))
    flat = [block for part in packed for block in part]
    expected = [fit(b, limit, max_entities) for b in message if fit(b, limit, max_entities)]
    assert flat == expected


@SETTINGS
@given(st.lists(st.builds(Span, long_text, st.booleans(), urls), max_size=10).map(tuple),
       st.integers(1, 500), st.integers(0, 10))
def test_fit_trims_to_the_limits_and_keeps_links(block, limit, max_entities):
    fitted = fit(block, limit, max_entities)
    length, entities = measure([fitted])
    assert length <= limit and entities <= max_entities


def test_a_block_that_fits_is_left_alone():
    block = (Span("Tiêu đề", bold=True), Span("\n"), Span("hddtvn.com", url="https://hddtvn.com/"))
    assert fit(block) == block
    assert pack([block, block]) == [(block, block)]


def test_urls_telegram_would_refuse_are_not_links():
    assert safe_url("https://hddtvn.com/a-b/") == "https://hddtvn.com/a-b/"
    for bad in ("javascript:alert(1)", "https://x", "https://exa mple.com", "", None, "ftp://a.vn"):
        assert safe_url(bad) is None
    html = to_html([(Span("nguồn", url="javascript:alert(1)"),)])
    assert html == "nguồn"


# -- whole answers -----------------------------------------------------------------------------
@st.composite
def hits(draw) -> Hit:
    passage = draw(long_text)
    if draw(st.booleans()):
        passage = unicodedata.normalize("NFD", passage)
    n = len(passage)
    cut = sorted(draw(st.lists(st.integers(0, n), min_size=2, max_size=2)))
    points = sorted(draw(st.lists(st.integers(0, n), max_size=120)))
    highlights = tuple(zip(points[::2], points[1::2], strict=False))
    return Hit(
        article_id=draw(st.text(max_size=20)),
        title=draw(st.one_of(text, long_text)),
        url=draw(st.one_of(urls.filter(lambda u: u is not None), st.just(""))),
        published=draw(st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))),
        score=1.0,
        explanation=Explanation.known((cut[0], cut[1]), highlights, passage),
        passage_index=0,
    )


@SETTINGS
@given(st.lists(hits(), min_size=1, max_size=12), text, st.data())
def test_every_page_of_any_answer_is_one_valid_message(found, question, data):
    page = data.draw(st.integers(0, n_pages(len(found)) - 1))
    rendered = render_private(123456789, question, found, page)
    shown, entities = accepted(rendered.html)
    assert utf16_len(shown) <= MAX_TEXT and len(entities) <= MAX_ENTITIES
    assert unicodedata.is_normalized("NFC", shown)
    group = render_group("HaiQuanTestBot", "t" * 22, question, found)
    accepted(group.html)


@SETTINGS
@given(st.lists(hits(), min_size=1, max_size=PAGE_SIZE))
def test_answers_show_titles_dates_and_sources_in_order(found):
    message = single_message(answer_blocks("câu hỏi", found, 0))
    shown = visible_text(message)
    position = 0
    for rank, hit in enumerate(found, start=1):
        position = shown.index(f"{rank}. ", position)
        if hit.published:
            assert hit.published.strftime("%d/%m/%Y") in shown


def test_highlights_become_bold_inside_escaped_text():
    passage = "Thuế <GTGT> 5% & thuế nhập khẩu 0% cho nguyên liệu."
    at = passage.index("nhập khẩu")
    hit = Hit("a.md", "Tiêu đề <b>", "https://hddtvn.com/a/", dt.date(2020, 10, 1), 1.0,
              Explanation.known((0, len(passage)), ((0, 4), (at, at + len("nhập khẩu"))), passage),
              0)
    html = render_private(1, "thuế", [hit], 0).html
    assert "<b>Thuế</b> &lt;GTGT&gt; 5% &amp; thuế <b>nhập khẩu</b>" in html
    assert "<b>1. Tiêu đề &lt;b&gt;</b>" in html
    assert "📅 01/10/2020" in html
    assert '🔗 <a href="https://hddtvn.com/a/">hddtvn.com</a>' in html


def test_the_best_sentence_comes_first_and_long_passages_are_cut_with_an_ellipsis():
    first = "Câu mở đầu không liên quan. "
    best = "Câu trả lời hay nhất nằm ở đây."
    rest = " Phần sau" + " rất dài" * 200 + "."
    passage = first + best + rest
    hit = Hit("a.md", "T", "https://hddtvn.com/a/", None, 1.0,
              Explanation.known((len(first), len(first) + len(best)), (), passage), 0)
    shown = visible_text(answer_blocks("q", [hit], 0))
    [body] = [line for line in shown.split("\n") if line.startswith("…")]
    assert body.startswith("…" + best)
    assert body.endswith("dài…")
    assert len(body) < 600


def test_a_long_article_is_split_between_paragraphs():
    paragraphs = tuple(f"Đoạn {i}: " + "chữ " * 300 for i in range(12))
    article = Article("a.md", "Tiêu đề", "https://hddtvn.com/a/", paragraphs, "0" * 64)
    messages = pack(article_blocks(article))
    assert len(messages) > 1
    shown = [visible_text(m) for m in messages]
    for paragraph in paragraphs:
        assert any(paragraph.strip() in part for part in shown)
    for message in messages:
        accepted(to_html(message))


def test_a_date_is_shown_as_firmly_as_it_was_obtained():
    """Issue 11: an estimate reads "khoảng tháng 8/2020"; the corpus' typical date is hidden."""
    day = dt.date(2020, 8, 17)
    shown = {}
    for source in ("image_url", "text", "estimated", "corpus", ""):
        hit = Hit("a.md", "Tiêu đề", "https://hddtvn.com/a/", day, 1.0,
                  Explanation.known((0, 9), (), "Nội dung."), 0, date_source=source)
        shown[source] = visible_text(single_message(answer_blocks("q", [hit], 0)))
    for source in ("image_url", "text", ""):
        assert "📅 17/08/2020" in shown[source], source
    assert "📅 khoảng tháng 8/2020" in shown["estimated"]
    assert "17/08/2020" not in shown["estimated"]
    assert "📅" not in shown["corpus"]
    article = Article("a.md", "Tiêu đề", "https://hddtvn.com/a/", ("Đoạn.",), "0" * 64,
                      published=day, date_source="estimated")
    card = visible_text(pack(article_blocks(article))[0])
    assert "📅 khoảng tháng 8/2020" in card


def test_an_old_answer_to_a_recency_question_says_how_old_it_is():
    """Issue 11: "mới nhất"/"hôm nay" answered by a 2020 article says it is years old."""
    today = dt.date(2026, 12, 4)

    def hit(day, source):
        return Hit("a.md", "Tiêu đề", "https://hddtvn.com/a/", day, 1.0,
                   Explanation.known((0, 9), (), "Nội dung."), 0, date_source=source)

    def shown(question, found):
        return visible_text(single_message(answer_blocks(question, [found], 0, today=today)))

    old = hit(dt.date(2020, 8, 17), "image_url")
    assert "⏳ Tin đăng cách đây hơn 6 năm" in shown("quy định mới nhất về kho bãi", old)
    assert "cách đây hơn 6 năm" in shown("gia vang hom nay", old)
    assert "⏳" not in shown("quy định về kho bãi", old)  # not a recency question
    assert "⏳" not in shown("tin mới nhất", hit(dt.date(2026, 6, 1), "text"))  # not old
    assert "khoảng 6 năm" in shown("tin mới nhất", hit(dt.date(2020, 8, 17), "estimated"))
    assert "⏳" not in shown("tin mới nhất", hit(dt.date(2020, 8, 17), "corpus"))
    assert "⏳" not in shown("tin mới nhất", hit(None, ""))
