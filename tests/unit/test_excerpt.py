"""Cutting text where a reader expects it."""

import itertools
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.platform.excerpt import (
    ELLIPSIS,
    cut_point,
    highlight_pieces,
    is_boundary,
    split_text,
    trim,
)


def test_cuts_after_a_sentence_when_one_ends_late_enough():
    text = "Câu thứ nhất khá dài. Câu thứ hai còn dài hơn nữa và tiếp tục mãi mãi."
    assert text[: cut_point(text, 0, 30)] == "Câu thứ nhất khá dài."


def test_cuts_at_a_word_gap_inside_a_long_sentence():
    text = "một câu rất dài không có dấu chấm nào cả cho đến tận cuối cùng"
    end = cut_point(text, 0, 20)
    assert text[:end] == "một câu rất dài"


def test_never_separates_a_letter_from_its_combining_mark():
    text = "e\u0302\u0323" * 10
    end = cut_point(text, 0, 4)
    assert end % 3 == 0


def test_trim_adds_an_ellipsis_only_when_it_cuts():
    assert trim("ngắn", 10) == "ngắn"
    assert trim("một hai ba bốn năm sáu", 12) == "một hai ba" + ELLIPSIS


@given(st.text(), st.integers(1, 50))
def test_split_text_loses_nothing_but_spaces(text, budget):
    pieces = split_text(text, budget)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())
    assert all(len(piece) <= budget for piece in pieces)


def test_highlights_are_clipped_merged_and_capped():
    text = "abcdefghij"
    runs = highlight_pieces(text, 2, 8, [(0, 3), (4, 5), (5, 6), (7, 10)], max_bold=2)
    assert runs == [("c", True), ("d", False), ("ef", True), ("gh", False)]


def test_hangul_jamo_and_combining_marks_are_never_split():
    text = unicodedata.normalize("NFD", "가각ệ")
    cuts = [i for i in range(len(text) + 1) if is_boundary(text, i)]
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts)]
    assert [unicodedata.normalize("NFC", p) for p in pieces] == ["가", "각", "ệ"]
