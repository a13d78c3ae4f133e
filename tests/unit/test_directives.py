import pytest

from corpus.directives import classify_directive, find_references, kind_from_text


def only(text: str, **kwargs):
    refs = find_references(text, **kwargs)
    assert len(refs) == 1, refs
    return refs[0]


@pytest.mark.parametrize(
    ("text", "kind", "number", "year", "issuer", "code", "written"),
    [
        (
            "Tổng cục ban hành Chỉ thị 01/CT-TCHQ về thu ngân sách",
            "chi_thi",
            "01",
            None,
            "TCHQ",
            "01/CT-TCHQ",
            "Chỉ thị 01/CT-TCHQ",
        ),
        (
            "theo Thông tư 39/2018/TT-BTC sửa đổi",
            "thong_tu",
            "39",
            2018,
            "BTC",
            "39/2018/TT-BTC",
            "Thông tư 39/2018/TT-BTC",
        ),
        (
            "có công văn số 1234/TCHQ-GSQL gửi các cục",
            "cong_van",
            "1234",
            None,
            "TCHQ",
            "1234/TCHQ-GSQL",
            "công văn số 1234/TCHQ-GSQL",
        ),
        (
            "Quyết định 2251/QĐ-BTC ngày 3/9",
            "quyet_dinh",
            "2251",
            None,
            "BTC",
            "2251/QĐ-BTC",
            "Quyết định 2251/QĐ-BTC",
        ),
        # loose spacing
        (
            "Nghị định số 08 / 2015 / NĐ - CP quy định",
            "nghi_dinh",
            "08",
            2015,
            "CP",
            "08/2015/NĐ-CP",
            "Nghị định số 08 / 2015 / NĐ - CP",
        ),
        # lower case, no "số", no diacritics
        (
            "thong tu 38/2015/tt-btc",
            "thong_tu",
            "38",
            2015,
            "BTC",
            "38/2015/TT-BTC",
            "thong tu 38/2015/tt-btc",
        ),
        (
            "quyết định 32/2020/qđ-ttg",
            "quyet_dinh",
            "32",
            2020,
            "TTg",
            "32/2020/QĐ-TTg",
            "quyết định 32/2020/qđ-ttg",
        ),
        # a code alone, and a kind named only by the code
        (
            "Nghị quyết số 129/NQ-CP của Chính phủ",
            "nghi_quyet",
            "129",
            None,
            "CP",
            "129/NQ-CP",
            "Nghị quyết số 129/NQ-CP",
        ),
        (
            "xem văn bản 4567/BTC-TCHQ",
            "cong_van",
            "4567",
            None,
            "BTC",
            "4567/BTC-TCHQ",
            "văn bản 4567/BTC-TCHQ",
        ),
        (
            "THÔNG BÁO SỐ 5344/TB-TCHQ",
            "thong_bao",
            "5344",
            None,
            "TCHQ",
            "5344/TB-TCHQ",
            "THÔNG BÁO SỐ 5344/TB-TCHQ",
        ),
        # a number without the code
        (
            "vướng mắc về Thông tư 39 cho DN gia công",
            "thong_tu",
            "39",
            None,
            None,
            None,
            "Thông tư 39",
        ),
        (
            "Nghị định số 08/2015 về thủ tục",
            "nghi_dinh",
            "08",
            2015,
            None,
            None,
            "Nghị định số 08/2015",
        ),
    ],
)
def test_reference_shapes(text, kind, number, year, issuer, code, written):
    ref = only(text)
    assert (ref.kind, ref.number, ref.year, ref.issuer, ref.code, ref.text) == (
        kind,
        number,
        year,
        issuer,
        code,
        written,
    )


def test_cuc_thue_letters_are_not_mistaken_for_chi_thi():
    ref = only("Công văn 11819/CT-TTHT về chi phí được trừ")
    assert ref.kind == "cong_van"
    assert ref.issuer == "CT"


def test_dates_fractions_and_party_documents_are_not_references():
    assert find_references("ngày 17/8/2020 có 1/2 số xe, Kết luận 77-KL/TW") == []


def test_several_references_in_order_and_deduplicated():
    text = "Thông tư 39/2018/TT-BTC sửa Thông tư 38/2015/TT-BTC; thông tư số 39/2018/tt-btc có hiệu lực."
    assert [r.code for r in find_references(text)] == ["39/2018/TT-BTC", "38/2015/TT-BTC"]


def test_shorthand_only_when_asked():
    assert find_references("TT39 nói gì") == []
    ref = only("TT39 nói gì", shorthand=True)
    assert (ref.kind, ref.number) == ("thong_tu", "39")
    assert only("chi thi 1040").kind == "chi_thi"


def test_same_document_across_spellings():
    full = only("Thông tư 39/2018/TT-BTC")
    assert full.same_document(only("thong tu so 39/2018/tt-btc"))
    assert only("TT39", shorthand=True).same_document(only("Thông tư 39"))
    assert not full.same_document(only("Thông tư 38/2015/TT-BTC"))
    assert full.label == "Thông tư 39/2018/TT-BTC"


def test_kind_from_text():
    assert kind_from_text("thông tư") == "thong_tu"
    assert kind_from_text("cong van thue") == "cong_van"
    assert kind_from_text("thuế") is None


def test_directive_announced_in_title():
    ref = classify_directive("Bộ Tài chính ban hành Thông tư 39/2018/TT-BTC", [])
    assert ref is not None
    assert ref.code == "39/2018/TT-BTC"


def test_directive_named_in_the_lead_when_the_title_speaks_of_rules():
    ref = classify_directive(
        "Hướng dẫn khai báo số vận đơn",
        ["Tổng cục Hải quan vừa có công văn số 7380/TCHQ-GSQL hướng dẫn các cục hải quan."],
    )
    assert ref is not None
    assert ref.code == "7380/TCHQ-GSQL"


def test_news_that_only_cites_a_document_is_not_a_directive():
    assert (
        classify_directive("Hạch toán tài khoản 242 theo hướng dẫn của Thông tư 200", []) is None
    )
    assert classify_directive("Tải về mẫu bảng kê theo Thông tư 200/2014/TT-BTC", []) is None
    assert (
        classify_directive(
            "Hải quan Hải Phòng thu ngân sách hơn 4.000 tỷ đồng",
            ["Cục thực hiện theo Thông tư 39/2018/TT-BTC."],
        )
        is None
    )
