"""Every spelling variant users type must give the terms the articles give."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.analyzer import analyze, cut_code, read_cut, syllables, window_forms


def terms(text):
    return analyze(text)

def test_nfc_and_nfd_give_the_same_terms():
    text = "Tổng cục Hải quan hướng dẫn thủ tục nhập khẩu"
    assert terms(unicodedata.normalize("NFD", text)) == terms(text)


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [
        ("hoá đơn", "hóa đơn"),
        ("thuỷ sản", "thủy sản"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("uỷ ban", "ủy ban"),
    ],
)
def test_both_tone_placements_give_the_same_terms(new_style, old_style):
    assert terms(new_style) == terms(old_style)


def test_misplaced_mark_matches_the_right_word():
    assert terms("qúy I").acc == terms("quý I").acc
    assert terms("tóan học").acc == terms("toán học").acc == ["toán", "học"]


def test_text_without_diacritics_matches_the_folded_field():
    accented = terms("thủ tục hải quan điện tử")
    plain = terms("thu tuc hai quan dien tu")
    assert plain.fold == accented.fold
    assert plain.fold2 == accented.fold2
    assert terms("Đồng Nai").fold == ["dong", "nai"]


@pytest.mark.parametrize(
    ("abbreviation", "spelled_out"),
    [
        ("hàng XNK", "hàng xuất nhập khẩu"),
        ("thuế NK", "thuế nhập khẩu"),
        ("thuế XK", "thuế xuất khẩu"),
        ("Cục HQ Lạng Sơn", "Cục hải quan Lạng Sơn"),
        ("TCHQ", "Tổng cục Hải quan"),
        ("DN chế xuất", "doanh nghiệp chế xuất"),
        ("CBCC", "cán bộ công chức"),
        ("TP.HCM", "thành phố Hồ Chí Minh"),
        ("TP. HCM", "thành phố Hồ Chí Minh"),
        ("tphcm", "thành phố Hồ Chí Minh"),
        ("HCM", "Hồ Chí Minh"),
        ("C/O mẫu D", "chứng nhận xuất xứ mẫu D"),
        ("NSW", "một cửa quốc gia"),
        ("TTHC", "thủ tục hành chính"),
        ("thuế GTGT", "thuế giá trị gia tăng"),
        ("thuế TNCN", "thuế thu nhập cá nhân"),
        ("BTC", "Bộ Tài chính"),
        ("KTSTQ", "kiểm tra sau thông quan"),
        ("HĐĐT", "hóa đơn điện tử"),
        ("NSNN", "ngân sách nhà nước"),
    ],
)
def test_abbreviations_match_in_both_directions(abbreviation, spelled_out):
    assert terms(abbreviation).acc == terms(spelled_out).acc
    assert terms(abbreviation.lower()).fold == terms(spelled_out).fold


def test_vnaccs_is_kept_as_a_word():
    assert terms("hệ thống VNACCS/VCIS").acc == ["hệ", "thống", "vnaccs", "vcis"]


def test_document_numbers_are_whole_identifiers():
    assert "#39/2018/tt-btc" in terms("theo Thông tư 39/2018/TT-BTC").ids
    assert "#tt39" in terms("theo Thông tư 39/2018/TT-BTC").ids
    assert terms("TT39").ids == ["#tt39"]
    assert terms("thong tu 39").ids == ["#tt39"]
    assert "#1234/tchq-gsql" in terms("công văn 1234/TCHQ-GSQL").ids
    assert "#cv1234" in terms("công văn số 1234/TCHQ-GSQL").ids
    assert "#2251/qđ-btc".replace("đ", "d") in terms("Quyết định 2251/QĐ-BTC").ids


def test_letters_inside_a_document_number_are_not_expanded():
    assert "hải" not in terms("1234/TCHQ-GSQL").acc


def test_dates_are_single_terms_with_or_without_year():
    assert terms("ngày 28/11/2020").acc == ["ngày", "28/11", "2020"]
    assert terms("ngày 28/11").acc2 == ["ngày 28/11"]
    assert terms("05/01").acc == ["5/1"]


def test_numbers_stay_whole():
    assert terms("thu 4.185 tỷ đồng, đạt 81,6%").acc == [
        "thu",
        "4.185",
        "tỷ",
        "đồng",
        "đạt",
        "81,6",
    ]


def test_bigrams_do_not_cross_punctuation():
    assert "hải quan" in terms("Cục Hải quan").acc2
    assert "quan tăng" not in terms("hải quan, tăng cường").acc2


def test_spans_point_at_the_original_letters():
    text = "DN XNK nộp thuế"
    units = syllables(text)
    assert [text[u.start : u.end] for u in units] == [
        "DN",
        "DN",
        "XNK",
        "XNK",
        "XNK",
        "nộp",
        "thuế",
    ]
    assert [u.text for u in units] == ["doanh", "nghiệp", "xuất", "nhập", "khẩu", "nộp", "thuế"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "<b>&amp;</b>", "*_[]()", "\u200b"])
def test_odd_input_gives_terms_or_nothing(text):
    result = analyze(text)
    assert isinstance(result.acc, list)


@given(st.text(max_size=200))
def test_analyze_never_raises_and_nfd_is_nfc(text):
    assert analyze(unicodedata.normalize("NFD", text)) == analyze(
        unicodedata.normalize("NFC", text)
    )


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạđ/.,- 0123456789TCHQXNK", max_size=120))
def test_plain_and_general_tokenisers_agree(text):
    # A "/" far away switches to the general path; the syllables before it must not change.
    plain = syllables(text.replace("/", " "))
    general = syllables(text.replace("/", " ") + " /")
    assert general[: len(plain)] == plain


@pytest.mark.parametrize("text", [
    "", "…", "C/O mẫu D, theo công văn 1234/TCHQ-GSQL ngày 28/11/2020.",
    "XNK tăng; XNK tăng\nXNK", "hàng hóa hàng. hóa hàng", "1²", "TP.HCM và TP HCM",
])
def test_a_kept_cut_reads_back_as_the_cut(text):
    assert _read_back(text) == (*window_forms(text), any(c.isdigit() for c in text))


def _read_back(text: str) -> tuple[list[str], set[tuple[str, str]], bool]:
    """(forms, pairs, has_digit) of `text`'s kept cut, pairs from the join flags."""
    forms, joins, has_digit = read_cut(cut_code(text))
    assert len(joins) == len(forms) and not any(joins[:1])
    pairs = {(a, b) for a, b, joined in zip(forms, forms[1:], joins[1:], strict=False) if joined}
    return forms, pairs, has_digit


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạđ/.,-| 0123456789TCHQXNKC\n",
               max_size=160))
def test_any_text_s_cut_reads_back_exactly(text):
    """The kept cut of a passage that is not plain is what the second stage reads in
    place of cutting it: forms, every pair (and none more) and the digit flag."""
    assert _read_back(text) == (*window_forms(text), any(c.isdigit() for c in text))
