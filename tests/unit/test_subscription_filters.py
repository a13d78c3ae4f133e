"""Subscription filters: parsing /dangky arguments, matching articles, storing as data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.directives.filters import (
    MAX_KEYWORD_CHARS,
    MAX_KEYWORDS,
    ArticleTerms,
    Filters,
    article_terms,
    parse_filters,
)
from corpus import parse_article
from retrieval import analyze


@pytest.mark.parametrize(("text", "kinds", "keywords"), [
    ("thông tư", ("thong_tu",), ()),
    ("THONG TU", ("thong_tu",), ()),
    ("công văn thuế", ("cong_van",), ("thuế",)),
    ("cong van thue", ("cong_van",), ("thue",)),
    ("thông tư, công văn", ("cong_van", "thong_tu"), ()),
    ("chỉ thị quyết định nghị định nghị quyết thông báo",
     ("chi_thi", "nghi_dinh", "quyet_dinh", "nghi_quyet", "thong_bao"), ()),
    ("thông tư liên tịch", ("thong_tu",), ()),
    ("công điện", ("cong_van",), ()),
    ("hoàn thuế, xuất xứ", (), ("hoàn thuế", "xuất xứ")),
    ("thuế chỉ thị xuất xứ", ("chi_thi",), ("thuế", "xuất xứ")),  # a kind separates
    ("thông tư về thuế", ("thong_tu",), ("thuế",)),  # linking words dropped
    ("văn bản thuế", (), ("thuế",)),  # "văn bản" is every kind: no filter
    ("thue; thuế\nTHUẾ", (), ("thue",)),  # one keyword, however written
    ("", (), ()),
    ("?!", (), ()),
])
def test_kinds_and_keywords_are_told_apart(text, kinds, keywords):
    assert parse_filters(text) == (Filters(kinds, keywords), [])


def test_too_long_or_too_many_keywords_are_dropped_and_reported():
    long = "x" * (MAX_KEYWORD_CHARS + 1)
    many = ", ".join(f"từ{i}" for i in range(MAX_KEYWORDS + 2))
    assert parse_filters(long) == (Filters(), [long])
    filters, dropped = parse_filters(many)
    assert len(filters.keywords) == MAX_KEYWORDS and dropped == ["từ10", "từ11"]


@given(st.text(max_size=300))
def test_any_text_parses_into_bounded_plain_data(text):
    filters, _ = parse_filters(text)
    assert len(filters.keywords) <= MAX_KEYWORDS
    assert all(len(k) <= MAX_KEYWORD_CHARS for k in filters.keywords)
    assert Filters.from_json(filters.kinds_json(), filters.keywords_json()) == filters


def test_patterns_typed_by_users_are_words_not_regular_expressions():
    filters, _ = parse_filters("(a+)+$, .*, [thuế]")
    terms = ArticleTerms(frozenset({"a", "thue"}), frozenset())
    assert filters.keywords == ("(a+)+$", "[thuế]")  # ".*" has no word in it: dropped
    assert Filters((), ("[thuế]",)).matches("cong_van", terms)  # the word thuế
    assert not Filters((), (".*",)).matches("cong_van", terms)  # no word, no match
    assert not Filters((), ("(b+)+$",)).matches("cong_van", terms)


ARTICLE = parse_article(
    "---\ntitle: Công văn 3456/TCHQ-GSQL về giám sát hàng quá cảnh\nurl: https://a.vn/x\n"
    "---\n\nDoanh nghiệp phải khai báo thuế xuất khẩu đúng hạn. Hàng XNK được "
    "giám sát bằng seal định vị.\n".encode(),
    "x.md",
)
TERMS = article_terms(ARTICLE)


@pytest.mark.parametrize(("keyword", "found"), [
    ("quá cảnh", True), ("qua canh", True), ("QUÁ CẢNH", True), ("quả cánh", True),
    ("thuế xuất khẩu", True), ("thue xuat khau", True),
    ("xuất nhập khẩu", True),  # "XNK" in the text is expanded on both sides
    ("seal định vị", True),
    ("cảnh quá", False),  # both syllables, but not side by side in this order
    ("nhập cảnh", False),
    ("xuất xứ", False),
])
def test_keywords_match_accent_free_phrases(keyword, found):
    assert Filters((), (keyword,)).matches("cong_van", TERMS) is found


def test_kinds_and_keywords_combine_as_and_keywords_as_or():
    assert Filters().matches("cong_van", TERMS)
    assert Filters(("cong_van",)).matches("cong_van", TERMS)
    assert not Filters(("thong_tu",)).matches("cong_van", TERMS)
    assert Filters(("cong_van",), ("xuất xứ", "quá cảnh")).matches("cong_van", TERMS)
    assert not Filters(("thong_tu",), ("quá cảnh",)).matches("cong_van", TERMS)
    assert not Filters((), ("xuất xứ",)).matches("cong_van", TERMS)


def test_title_and_body_never_pair_across_parts():
    terms = analyze(ARTICLE.title + " . " + ARTICLE.paragraphs[0])
    assert "canh doanh" not in terms.fold2 and "canh doanh" not in TERMS.pairs


def test_toggling_kinds_keeps_their_order_and_refuses_unknown_ones():
    filters = Filters((), ("thuế",)).with_kind_toggled("thong_tu").with_kind_toggled("chi_thi")
    assert filters == Filters(("chi_thi", "thong_tu"), ("thuế",))
    assert filters.with_kind_toggled("thong_tu").kinds == ("chi_thi",)
    with pytest.raises(ValueError, match="unknown document kind"):
        filters.with_kind_toggled("luat")


def test_stored_filters_ignore_kinds_a_newer_program_dropped():
    assert Filters.from_json('["thong_tu", "old_kind"]', '["thuế"]') == Filters(
        ("thong_tu",), ("thuế",))
