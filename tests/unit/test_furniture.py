"""Page furniture never reaches a passage: captions, credits, links to other stories,
download prompts, sources and bylines (issue 11, part 5), while the story's own lines
that look alike ("Theo Công văn …:", "Nguồn kinh phí …") stay."""

from __future__ import annotations

import pytest

from corpus import parse_article
from corpus.furniture import furniture_kind, strip_credit, trailing_kind
from retrieval.passages import split_passages

STORY = ("Cục Hải quan tỉnh đã kiểm tra lô hàng nhập khẩu và phát hiện sai phạm về khai báo "
         "trị giá, số thuế truy thu là 1,2 tỷ đồng.")


def parsed(*body: str) -> list[str]:
    """The passage texts of a front-matter article with these body paragraphs."""
    text = "---\ntitle: Kiểm tra lô hàng\nurl: https://example.vn/a\ndate: 2020-08-15\n---\n"
    data = (text + "\n\n".join(body) + "\n").encode("utf-8")
    return [p.text for p in split_passages(parse_article(data, "a.md"))]


@pytest.mark.parametrize(("line", "kind"), [
    ("Sân bay Cát Bi. Ảnh: Internet", "caption"),
    ("Giá vàng SJC tăng khoảng 200.000 đồng/lượng (Ảnh: THY THƠ).", "caption"),
    ("Phó Thủ tướng phát biểu tại cuộc họp – Ảnh: VGP/Thành Chung", "caption"),
    ("Đối tượng (nữ, đứng giữa) cùng tang vật. Ảnh: HQ NA", "caption"),
    ("Ảnh: ST", "credit"),
    ("Ảnh minh họa- nguồn Internet", "credit"),
    ("(Ảnh minh họa)", "credit"),
    (">> Đọc thêm: Top 5 phần mềm kế toán", "related"),
    ("Xem thêm:► Chế độ thai sản mới nhất", "related"),
    ("Tin liên quan", "related"),
    ("Mời bạn đọc tải về mẫu Đơn đặt hàng TẠI ĐÂY.", "download"),
    # The story's own lines:
    ("Ảnh hưởng của thay đổi tỷ giá hối đoái", None),
    ("=> Thuế TNDN phải nộp là: 200 triệu đồng", None),
    ("-> Nếu chi cao hơn mức quy định của DN thì chịu thuế TNCN.", None),
    ("Theo Công văn số 1812/TCT-CS ngày 8/5/2019 của Tổng cục Thuế:", None),
    ("Nguồn kinh phí đã hình thành TSCĐ hiện có ở đơn vị.", None),
    ("Cảnh báo: doanh nghiệp chụp ảnh: không được dùng lại", None),
    ("Hàng hóa được chụp ảnh lưu trữ. Ảnh hưởng của dịch là lớn.", None),
    (STORY, None),
])
def test_furniture_is_recognised_and_the_story_is_not(line, kind):
    assert furniture_kind(line) == kind


@pytest.mark.parametrize(("line", "kind"), [
    ("Theo TTXVN", "source"),
    ("(Theo Báo Hải quan)", "source"),
    ("Nguồn: VnExpress", "source"),
    ("N.Linh", "byline"),
    ("Quang Hùng - Hải Yến", "byline"),
    ("Tuấn Phong (ghi)", "byline"),
    ("Xin cảm ơn ông!", None),
    ("Theo đó:", None),
    ("Theo điều 25 Thông tư 111/2013/TT-BTC", None),
    ("Nghị định có hiệu lực từ 1/5/2017.", None),
    ("Giám đốc", None),
])
def test_sources_and_bylines_are_recognised_at_the_end(line, kind):
    assert trailing_kind(line) == kind


def test_a_long_paragraph_keeps_its_prose_and_loses_the_credit():
    long = " ".join([STORY] * 3) + " Ảnh: Nguyễn Huế."
    assert furniture_kind(long) is None
    assert strip_credit(long) == " ".join([STORY] * 3)


def test_no_passage_holds_furniture():
    texts = parsed(
        STORY,
        "Lực lượng chức năng kiểm tra container. Ảnh: Tiến Dũng",
        "Ảnh minh họa: Internet",
        " ".join([STORY] * 3) + " Ảnh: Hải quan Hải Phòng.",
        "Tin liên quan\n• Bắt giữ 500 kg ma túy tại cảng\n• Hải quan thu 300 tỷ",
        "Xem thêm: Cách viết hóa đơn hàng xuất khẩu",
        "Mời bạn đọc tải về Thông tư 39/2020/TT-BTC TẠI ĐÂY.",
        "Theo Công văn số 1812/TCT-CS ngày 8/5/2019 của Tổng cục Thuế:",
        STORY,
        "Quang Hùng",
        "Theo TTXVN",
    )
    shown = "\n".join(texts)
    for furniture in ("Ảnh", "Tiến Dũng", "Tin liên quan", "500 kg", "Xem thêm", "TẠI ĐÂY",
                      "Quang Hùng", "TTXVN"):
        assert furniture not in shown, furniture
    assert shown.count(STORY) == 5  # 1 + 3 (the long paragraph, its credit gone) + 1
    assert "Theo Công văn số 1812/TCT-CS" in shown  # a story line, not a source


def test_a_name_inside_the_story_stays():
    texts = parsed(STORY, "Quang Hùng", STORY)
    assert "Quang Hùng" in "\n".join(texts)


def test_only_short_lines_and_the_ends_of_long_ones_are_searched():
    """A megabyte-long line must not hold the interpreter lock for a whole regex search
    (tests/e2e/test_ingest_responsive.py caught answers delayed past a second)."""
    long = "Hải quan kiểm tra hàng hóa. " * 20_000
    assert furniture_kind("Xem thêm: " + long) is None  # no furniture is that long
    assert strip_credit(long + "Ảnh: T.H") == long.rstrip()
    assert strip_credit(long) is long
