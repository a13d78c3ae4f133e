import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from corpus.normalize import (
    canonical_tones,
    fold_diacritics,
    has_diacritics,
    normalize_line,
    normalize_text,
)

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
vietnamese_text = st.text(
    alphabet=st.sampled_from(
        VIETNAMESE + VIETNAMESE.upper() + " \t\n.,-/0123456789\u200b\u00ad\ufeff"
    ),
    max_size=80,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_old_and_new_tone_placement_compare_equal():
    pairs = [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("uỷ ban", "ủy ban"),
        ("Hoà Bình", "Hòa Bình"),
    ]
    for new_style, old_style in pairs:
        assert normalize_line(new_style) == normalize_line(old_style) == old_style


def test_misplaced_marks_move_to_the_right_vowel():
    assert normalize_line("qúy") == "quý"
    assert normalize_line("tóan") == "toán"
    assert normalize_line("cuả") == "của"
    assert normalize_line("họat động") == "hoạt động"
    assert normalize_line("nhịêm vụ") == "nhiệm vụ"
    assert normalize_line("liêụ") == "liệu"


def test_correct_words_are_left_alone():
    text = "Tổng cục Hải quan: người nộp thuế, quốc gia, giữ gìn, khuỷu tay, ngoài trời, Nguyễn"
    assert normalize_line(text) == text


def test_tone_rule_keeps_case():
    assert normalize_line("HOÀ BÌNH") == "HÒA BÌNH"
    assert normalize_line("Thuỵ Điển") == "Thụy Điển"


def test_foreign_words_and_ambiguous_syllables_are_untouched():
    assert normalize_line("café José") == "café José"
    assert canonical_tones("đạị") == "đạị"  # two tone marks: no rule can decide


def test_nfd_input_gives_nfc_output():
    assert normalize_line(nfd("Thủ tục hải quan điện tử")) == "Thủ tục hải quan điện tử"


def test_invisible_characters_and_whitespace():
    assert (
        normalize_line("\ufeffhải\u200b quan\u00a0 \u00adđiện\u200d tử \t") == "hải quan điện tử"
    )
    assert normalize_text("dòng 1  \n\n  \n dòng\u00a02 ") == "dòng 1\ndòng 2"


def test_fold_diacritics_keeps_length_and_maps_d_bar():
    text = "Đồng Nai đẩy mạnh xuất nhập khẩu"
    assert fold_diacritics(text) == "Dong Nai day manh xuat nhap khau"
    assert len(fold_diacritics(text)) == len(text)
    assert has_diacritics("hải quan")
    assert not has_diacritics("hai quan")


@given(vietnamese_text)
def test_normalize_is_idempotent(text):
    once = normalize_line(text)
    assert normalize_line(once) == once


@given(vietnamese_text)
def test_nfd_and_nfc_give_the_same_output(text):
    assert normalize_line(nfd(text)) == normalize_line(unicodedata.normalize("NFC", text))


@given(vietnamese_text)
def test_normalize_never_changes_the_letters_only_the_mark_position(text):
    out = normalize_line(text)
    assert fold_diacritics(out) == fold_diacritics(
        " ".join(
            unicodedata.normalize("NFC", text)
            .translate({0x200B: None, 0x00AD: None, 0xFEFF: None})
            .split()
        )
    )
