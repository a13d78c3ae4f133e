import datetime as dt
import unicodedata

import pytest

from corpus import ArticleParseError, parse_article, render_front_matter

REPUBLISHED = """Hải quan Hải Phòng thu ngân sách tháng 7
=========================================

[:gift:Xem chi tiết ở đây:gift:](https://hddtvn.com/hai-quan-hai-phong-thu-ngan-sach/)Biểu đồ thu ngân sách. Cục Hải quan Hải Phòng cho biết …
-----------------------------------------------------------------------------------------



![bieu do thu](https://haiquanonline.com.vn/stores/news_dataimages/x/082020/17/09/in_article/a.jpg?rt=20200817104527 "Biểu đồ thu ngân sách.")


Biểu đồ thu ngân sách.

\u0020\u0020

Cục **Hải quan** Hải Phòng thu được 4.185 tỷ đồng trong tháng 7, theo [Thông tư 39](https://example.com/tt39).


Mặt hàng | Kim ngạch
---|---
Ô tô | 31,49 triệu USD

Rate this post

**Thái Bình**



more(HDDTVN) – Số thu tháng 7 của Hải quan Hải Phòng giảm so với cùng kỳ.
"""


def parse(text: str, article_id: str = "a.md"):
    return parse_article(text.encode("utf-8"), article_id)


def test_republished_format_fields():
    article = parse(REPUBLISHED)
    assert article.id == "a.md"
    assert article.title == "Hải quan Hải Phòng thu ngân sách tháng 7"
    assert article.source_url == "https://hddtvn.com/hai-quan-hai-phong-thu-ngan-sach/"
    assert article.source == "hddtvn.com"
    assert article.teaser.startswith("Biểu đồ thu ngân sách. Cục Hải quan")
    assert article.author == "Thái Bình"
    assert article.summary == "Số thu tháng 7 của Hải quan Hải Phòng giảm so với cùng kỳ."
    assert article.published == dt.date(2020, 8, 17)
    assert len(article.content_hash) == 64


def test_republished_body_drops_images_captions_blank_runs_and_boilerplate():
    paragraphs = parse(REPUBLISHED).paragraphs
    assert paragraphs[0] == (
        "Cục Hải quan Hải Phòng thu được 4.185 tỷ đồng trong tháng 7, theo Thông tư 39."
    )
    assert "Mặt hàng | Kim ngạch\nÔ tô | 31,49 triệu USD" in paragraphs  # table text kept
    joined = "\n".join(paragraphs)
    for gone in ("![", "Biểu đồ thu ngân sách.", "Rate this post", "Thái Bình", "more(", "**"):
        assert gone not in joined
    assert all(p.strip() == p and p for p in paragraphs)


def test_truncated_more_teaser_is_not_a_summary():
    text = REPUBLISHED.replace(
        "more(HDDTVN) – Số thu tháng 7 của Hải quan Hải Phòng giảm so với cùng kỳ.",
        "moreKhi nhắc tới nghề hải quan, hầu hết mọi người…",
    )
    article = parse(text)
    assert article.summary == ""
    assert all("Khi nhắc tới" not in p for p in article.paragraphs)


def test_nfd_file_parses_to_the_same_article_text():
    nfc = parse(REPUBLISHED)
    nfd = parse(unicodedata.normalize("NFD", REPUBLISHED))
    assert (nfd.title, nfd.paragraphs, nfd.summary) == (nfc.title, nfc.paragraphs, nfc.summary)
    assert nfd.content_hash != nfc.content_hash  # the bytes differ, the text does not


FRONT = """---
title: Tổng cục Hải quan ban hành Chỉ thị 01/CT-TCHQ
url: https://www.customs.gov.vn/tin/chi-thi-01
date: 2021-01-15
source: customs.gov.vn
author: "Minh Anh"
---

# Nội dung chính

Chỉ thị yêu cầu các cục hải quan tăng cường chống buôn lậu.

Các đơn vị báo cáo kết quả trước ngày 30/6.
"""


def test_front_matter_format():
    article = parse(FRONT, "sub/dir/ct01.md")
    assert article.id == "sub/dir/ct01.md"
    assert article.title == "Tổng cục Hải quan ban hành Chỉ thị 01/CT-TCHQ"
    assert article.source_url == "https://www.customs.gov.vn/tin/chi-thi-01"
    assert article.published == dt.date(2021, 1, 15)
    assert article.source == "customs.gov.vn"
    assert article.author == "Minh Anh"
    assert article.paragraphs[0] == "Nội dung chính"
    assert article.is_directive
    assert article.directive.code == "01/CT-TCHQ"


def test_render_front_matter_round_trips():
    text = render_front_matter(
        title="Thông tư 39/2018/TT-BTC  sửa đổi",
        url="https://example.vn/a",
        paragraphs=["Đoạn một.", "", "Đoạn   hai."],
        date="2018-04-20",
        source="example.vn",
    )
    article = parse(text)
    assert article.title == "Thông tư 39/2018/TT-BTC sửa đổi"
    assert article.paragraphs == ("Đoạn một.", "Đoạn hai.")
    assert article.published == dt.date(2018, 4, 20)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Ti\xeau \xff\xfe", "not valid UTF-8"),
        (b"x" * 300_000, "characters"),
        ("Chỉ có một dòng chữ".encode(), "unrecognised format"),
        (b"\n=====\n\n[:gift:x:gift:](https://a.vn/x)t\n", "missing title"),
        ("Tiêu đề\n=====\n\nkhông có liên kết\n".encode(), "missing source link"),
        ("Tiêu đề\n=====\n\n[:gift:x:gift:](ftp://a.vn/x)t\n".encode(), "not an http(s) address"),
        (b"---\ntitle: A\n", "not closed"),
        (b"---\ntitle: A\n---\nbody\n", "lacks url"),
        (b"---\nurl: https://a.vn\n---\nbody\n", "lacks title"),
        ("---\ntitle: A\nurl: https://a.vn\ndate: hôm qua\n---\nbody\n".encode(), "date"),
        (b"---\ntitle: A\nurl: https://a.vn\n---\n\n", "no body text"),
        (b"---\ntitle: A\nnot a field\nurl: https://a.vn\n---\nbody\n", "key: value"),
    ],
)
def test_unusable_files_raise_with_a_reason(data, reason):
    with pytest.raises(ArticleParseError) as caught:
        parse_article(data, "bad.md")
    assert reason in caught.value.reason


def test_bom_and_crlf_are_tolerated():
    article = parse_article(("\ufeff" + FRONT).replace("\n", "\r\n").encode("utf-8"), "bom.md")
    assert article.title.startswith("Tổng cục Hải quan")
