"""The production page extractor on Vietnamese news layouts (tests/data/ingest/pages).

The same pages and expectations drive benchmarks/ingest_extractors.py, which compares
libraries; here we pin what corpus.ingest itself must get right.
"""

import json
import unicodedata

import pytest
from support.paths import TEST_DATA

from corpus.ingest.extract import (
    ExtractedArticle,
    PageChecks,
    Rejected,
    extract_article,
    tidy_lines,
)
from corpus.normalize import normalize_line

PAGES = TEST_DATA / "ingest" / "pages"
EXPECTED = {k: v for k, v in json.loads((PAGES / "expected.json").read_text("utf-8")).items()
            if not k.startswith("_")}
# This portal names the article only in a styled <span>; ingest takes the feed's title.
TITLE_FROM_FEED = {"customs-portal-cong-van.html"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_body_metadata_and_no_boilerplate(name):
    expected = EXPECTED[name]
    article = extract_article((PAGES / name).read_bytes(), f"https://bao.example/{name}")
    assert isinstance(article, ExtractedArticle), article
    body = "\n".join(article.paragraphs)
    for phrase in expected["body"]:
        assert phrase in body, phrase
    for phrase in expected["noise"]:
        assert phrase not in body, phrase
    assert article.published.isoformat() == expected["date"]
    assert (article.author or None) in expected["author"]
    if name not in TITLE_FROM_FEED:
        assert article.title in expected["title"]
    assert all(p == normalize_line(p) for p in article.paragraphs)


def test_lead_becomes_the_summary_without_the_outlet_tag():
    article = extract_article((PAGES / "baohaiquan-xe-nong-san.html").read_bytes(), "https://x/")
    assert article.summary.startswith("Trong nửa đầu tháng 1, lượng xe chở thanh long")
    assert article.canonical_url == (
        "https://baohaiquan.example/hai-quan-quang-ninh-thong-quan-hon-1200-xe-nong-san.html")


def test_nfd_and_nfc_copies_extract_alike():
    data = (PAGES / "express-buon-lau-vang.html").read_text("utf-8")
    nfc = extract_article(data.encode(), "https://x/a")
    nfd = extract_article(unicodedata.normalize("NFD", data).encode(), "https://x/a")
    assert nfc == nfd


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 writes the tone as a combining mark after a precomposed vowel."""
    out = b""
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out += (base + tones).encode("cp1258")
    return out


def test_legacy_vietnamese_code_page_is_decoded():
    page = ("<html><head><meta charset='windows-1258'></head><body><article>"
            + "".join(f"<p>Hải quan cửa khẩu đã hoàn tất thủ tục cho lô hàng xuất khẩu số {n} "
                      "trong ngày, sau khi kiểm tra hồ sơ điện tử.</p>" for n in range(6))
            + "</article></body></html>")
    article = extract_article(cp1258(page), "https://x/a")
    assert isinstance(article, ExtractedArticle)
    assert article.paragraphs[0].startswith("Hải quan cửa khẩu đã hoàn tất")


def test_thresholds_are_parameters():
    data = (PAGES / "lite-xuat-xu.html").read_bytes()
    assert isinstance(extract_article(data, "https://x/a", checks=PageChecks(min_chars=50_000)),
                      Rejected)


def test_tidy_lines_moves_the_byline_and_drops_related_and_date_lines():
    lines = ["Tiêu đề bài", "Ngày cập nhật: 22/03/2024", "Đoạn một có nội dung.",
             "Xem thêm: Bài khác", "| a | b |", "|---|---|", "Đoạn hai.", "Tác giả: Lan Anh"]
    body, byline = tidy_lines(lines, title="Tiêu đề bài", author="")
    assert body == ["Đoạn một có nội dung.", "| a | b |", "Đoạn hai."]
    assert byline == "Lan Anh"
    body, byline = tidy_lines(["Nội dung chính.", "Minh Anh"], title="", author="")
    assert (body, byline) == (["Nội dung chính."], "Minh Anh")
    body, _ = tidy_lines(["Nội dung chính.", "Hải Yến"], title="", author="Hải Yến")
    assert body == ["Nội dung chính."]
    # a closing sentence is not a byline
    assert tidy_lines(["Một.", "Hai câu kết thúc."], title="", author="")[0] == ["Một.",
                                                                                "Hai câu kết thúc."]
