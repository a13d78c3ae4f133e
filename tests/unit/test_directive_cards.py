"""The card of a new directive: what it shows, escaped, in one message."""

from __future__ import annotations

from support.telegram_html import parse_html_report

from bot.directives.cards import SUMMARY_CHARS, directive_html, directive_keyboard, summary_of
from bot.platform import texts
from corpus import parse_article


def article(title: str, body: str, extra: str = ""):
    text = f"---\ntitle: {title}\nurl: https://tin.example.vn/a?x=1&y=2\ndate: 2026-03-05\n" \
           f"{extra}---\n\n{body}\n"
    return parse_article(text.encode(), "thu-muc/bai-viet.md")


BODY = ("Tổng cục Hải quan có Công văn 3456/TCHQ-GSQL gửi các cục hải quan tỉnh. "
        "Công văn yêu cầu giám sát hàng quá cảnh bằng seal định vị. "
        "Doanh nghiệp phải lắp thiết bị trước khi làm thủ tục. "
        "Việc áp dụng bắt đầu từ tháng tư.")


def test_the_card_names_the_document_issuer_title_date_summary_and_source():
    a = article("Công văn 3456/TCHQ-GSQL về hàng quá cảnh <seal> & định vị", BODY)
    html = directive_html(a, summary_of(a))
    report = parse_html_report(html)
    lines = report.text.splitlines()
    assert lines[0] == f"🔔 {texts.NEW_DIRECTIVE}: Công văn 3456/TCHQ-GSQL"
    assert lines[1] == "🏛 Tổng cục Hải quan (TCHQ)"
    assert lines[2] == "Công văn 3456/TCHQ-GSQL về hàng quá cảnh <seal> & định vị"
    assert lines[3] == "📅 Ngày đăng tin: 05/03/2026"
    assert lines[4].startswith("Tổng cục Hải quan có Công văn 3456")
    assert lines[5] == "🔗 tin.example.vn"
    assert "&lt;seal&gt; &amp;" in html and 'href="https://tin.example.vn/a?x=1&amp;y=2"' in html


def test_the_summary_is_two_or_three_sentences():
    a = article("Công văn 3456/TCHQ-GSQL", BODY)
    summary = summary_of(a)
    assert summary.count(". ") + 1 == 3 and summary.endswith(".")
    long_sentence = "Nội dung rất dài " * 60 + "kết thúc."
    b = article("Công văn 3456/TCHQ-GSQL", f"Câu mở đầu ngắn gọn. {long_sentence}")
    assert len(summary_of(b)) <= SUMMARY_CHARS * 1.5 + 1
    c = article("Công văn 3456/TCHQ-GSQL", BODY, extra="summary: Tóm tắt một. Tóm tắt hai.\n")
    assert summary_of(c) == "Tóm tắt một. Tóm tắt hai."


def test_the_button_opens_the_article_in_a_private_chat():
    a = article("Công văn 3456/TCHQ-GSQL", BODY)
    [[button]] = directive_keyboard("HaiQuanBot", a).inline_keyboard
    assert button.text == texts.ASK_ABOUT_DIRECTIVE
    assert button.url.startswith("https://t.me/HaiQuanBot?start=d")
    assert len(button.url.split("start=")[1]) <= 64


def test_an_unknown_issuer_code_is_shown_as_it_is():
    assert texts.issuer_label("CHQXYZ") == "Cơ quan ban hành: CHQXYZ"
    assert texts.issuer_label("BTC") == "Bộ Tài chính (BTC)"
