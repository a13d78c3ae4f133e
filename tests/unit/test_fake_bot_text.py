"""How the fake Bot API cleans message text before storing it, as Telegram does."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fake_bot_text import ApiError, normalize_text, prepare_text
from support.telegram_html import utf16_len


def prepare(text, parse_mode="HTML", entities=None):
    return prepare_text(text, parse_mode, entities, empty="message text is empty",
                        too_long="message is too long")


def test_control_characters_become_spaces_and_invisible_ones_go():
    assert normalize_text("a\tb\x01c\r\nd\u2028e\u202ef", []) == ("a b c\nd" + "ef", [])


def test_trailing_whitespace_is_cut_and_entities_are_clipped():
    bold = {"type": "bold", "offset": 0, "length": 4}
    assert normalize_text("ab \n", [bold]) == ("ab", [{**bold, "length": 2}])


def test_leading_whitespace_is_cut_only_up_to_the_first_entity():
    code = {"type": "code", "offset": 2, "length": 3}
    assert normalize_text("   x", []) == ("x", [])
    assert normalize_text("\n   x", [code]) == ("  x", [{**code, "offset": 0}])


def test_entities_move_with_removed_characters_in_utf16_units():
    italic = {"type": "italic", "offset": 3, "length": 2}  # the emoji after "\r\r\r"
    assert normalize_text("\r\r\r😀x", [italic]) == ("😀x", [{**italic, "offset": 0}])


def test_entity_left_without_characters_disappears():
    assert normalize_text("x\r", [{"type": "bold", "offset": 1, "length": 1}]) == ("x", [])


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\t", "\x01", "😀", "\u2028"])),
       st.data())
def test_normalised_text_is_trimmed_and_entities_stay_inside(text, data):
    size = utf16_len(text)
    entities = []
    if size:
        for start, length in data.draw(st.lists(st.tuples(
                st.integers(0, size - 1), st.integers(1, size)), max_size=3)):
            entities.append({"type": "bold", "offset": start, "length": min(length, size - start)})
    result, moved = normalize_text(text, entities)
    assert result == result.rstrip(" \n")
    assert not any(ch in result for ch in "\r\t\x01\u2028")
    if not moved:
        assert result == result.lstrip(" \n")
    for entity in moved:
        assert entity["length"] > 0
        assert entity["offset"] + entity["length"] <= utf16_len(result)


def test_prepare_text_rejects_text_that_becomes_empty():
    with pytest.raises(ApiError, match="message text is empty"):
        prepare("<b> \r</b>\n\t")


def test_prepare_text_counts_the_limit_after_cleaning():
    assert prepare("\r" * 10 + "a" * 4096).text == "a" * 4096
    with pytest.raises(ApiError, match="message is too long"):
        prepare("a" * 4097)


def test_prepare_text_keeps_100_entities_and_reports_the_rest():
    prepared = prepare(" ".join(["<i>x</i>"] * 101))
    assert len(prepared.entities) == 100
    assert prepared.problems == [
        "101 entities; Telegram keeps only the first 100 and silently drops the rest"]
