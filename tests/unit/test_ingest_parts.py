"""Small parts of ingest: address keys, file names, Vietnamese detection, feeds, state."""

import datetime as dt
import json

import pytest

from corpus.ingest import IngestConfig, IngestReport, parse_feed_list
from corpus.ingest.feeds import parse_feed
from corpus.ingest.known import text_fingerprint
from corpus.ingest.report import REASONS, FeedAlert, FeedResult, SkippedEntry
from corpus.ingest.state import IngestState, load_state, save_state
from corpus.ingest.urls import refuse_url, url_key
from corpus.ingest.vietnamese import vietnamese_word_share
from corpus.ingest.writer import candidate_ids, source_url


@pytest.mark.parametrize("variant", [
    "https://www.baohaiquan.vn/tin/a.html",
    "http://baohaiquan.vn/tin/a.html/",
    "https://BaoHaiQuan.vn:443/tin/a.html#binh-luan",
    "https://baohaiquan.vn/tin/a.html?utm_source=rss&utm_medium=feed&fbclid=x&zarsrc=30",
])
def test_url_key_ignores_spelling_and_tracking(variant):
    assert url_key(variant) == url_key("https://baohaiquan.vn/tin/a.html")


def test_url_key_keeps_what_identifies_an_article():
    assert url_key("https://x.vn/index.jsp?aid=1&cid=2") == url_key("https://x.vn/index.jsp?cid=2&aid=1")
    assert url_key("https://x.vn/index.jsp?aid=1") != url_key("https://x.vn/index.jsp?aid=2")
    assert url_key("https://x.vn:8080/a") != url_key("https://x.vn/a")


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://customs.gov.vn/rss", True),
    ("http://8.8.8.8/rss", True),
    ("ftp://customs.gov.vn/rss", False),
    ("file:///etc/passwd", False),
    ("javascript:alert(1)", False),
    ("/relative/path", False),
    ("http://127.0.0.1/rss", False),
    ("http://169.254.169.254/latest/meta-data", False),
    ("http://[::1]/rss", False),
    ("http://10.0.0.5/rss", False),
    ("http://x.vn:99999/rss", False),
])
def test_refuse_url(url, allowed):
    assert (refuse_url(url) is None) is allowed


def test_private_addresses_can_be_allowed():
    assert refuse_url("http://127.0.0.1:8080/rss", allow_private=True) is None


@pytest.mark.parametrize(("url", "preferred"), [
    ("https://baohaiquan.vn/hai-quan-lang-son-thu-ngan-sach.html",
     "baohaiquan.vn/hai-quan-lang-son-thu-ngan-sach.md"),
    ("https://www.customs.gov.vn/tin/Hải-quan-Đà-Nẵng/", "customs.gov.vn/hai-quan-da-nang.md"),
    ("https://tinnhanh.vn/phap-luat/4711", "tinnhanh.vn/phap-luat-4711.md"),
])
def test_file_names_come_from_the_url(url, preferred):
    first, hashed = candidate_ids(url)
    assert first == preferred
    assert hashed.startswith(preferred[:-3] + "-") and hashed.endswith(".md")
    assert candidate_ids(url) == (first, hashed)  # stable
    assert first.isascii()


def test_generic_or_query_urls_get_a_hash():
    first, hashed = candidate_ids("https://customs.gov.vn/index.jsp?pageId=4&aid=150321")
    assert first == hashed and first.startswith("customs.gov.vn/index-")
    other, _ = candidate_ids("https://customs.gov.vn/index.jsp?pageId=4&aid=150322")
    assert other != first
    assert candidate_ids("https://x.vn/")[0].startswith("x.vn/bai-viet-")


def test_source_url_ignores_a_canonical_site_root():
    page = "https://x.vn/tin/a.html"
    assert source_url(page, "https://x.vn/") == page
    assert source_url(page, "") == page
    assert source_url(page, "ftp://x.vn/a") == page
    assert source_url(page, "https://x.vn/a-canonical.html") == "https://x.vn/a-canonical.html"


def test_vietnamese_word_share():
    assert vietnamese_word_share("Tổng cục Hải quan hướng dẫn thủ tục xuất khẩu") > 0.5
    assert vietnamese_word_share("Le service des douanes a saisi du café à l'aéroport") == 0
    assert vietnamese_word_share("A alfândega apreendeu pão não declarado") == 0
    assert vietnamese_word_share("") == 0


def test_text_fingerprint_ignores_form_not_words():
    text = ["Hải quan  thông quan lô hàng.", "Đoạn hai!"]
    assert text_fingerprint(text) == text_fingerprint(["hải quan thông quan lô hàng Đoạn hai"])
    assert text_fingerprint(text) == text_fingerprint(["Hải quan thông quan lô hàng. Đoạn hai"])
    assert text_fingerprint(text) != text_fingerprint(["Hải quan thông quan lô hàng khác."])


def test_feed_list_from_environment_text():
    assert parse_feed_list(" https://a/rss,https://b/rss  https://a/rss\n") == (
        "https://a/rss", "https://b/rss")
    assert parse_feed_list("") == ()


def test_feed_dates_are_vietnam_dates_and_links_absolute():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>B&#224;i &lt;b&gt;m\xe1\xbb\x9bi&lt;/b&gt;</title><link>/tin/a.html</link>
    <pubDate>Sun, 14 Jan 2024 23:30:00 +0000</pubDate><author>bbt@x.vn</author></item>
    </channel></rss>"""
    [entry] = parse_feed(rss, url="https://x.vn/rss/").entries
    assert entry.published == dt.date(2024, 1, 15)  # 06:30 in Hà Nội
    assert entry.link == "https://x.vn/tin/a.html"
    assert entry.title == "Bài mới"
    assert entry.author == ""  # an e-mail address is not a byline


def test_not_a_feed():
    assert parse_feed(b"<html><body>x</body></html>", url="https://x/").problem
    assert parse_feed(b"", url="https://x/").problem


def test_config_rejects_nonsense():
    with pytest.raises(ValueError, match="concurrency"):
        IngestConfig(feeds=(), concurrency=0)
    with pytest.raises(ValueError, match="backoff"):
        IngestConfig(feeds=(), backoff_base=100, backoff_max=10)


def test_state_round_trip_and_damaged_file(tmp_path, caplog):
    state = IngestState()
    state.feed("https://x/rss").etag = '"e"'
    state.seen["k"] = "2024-06-01"
    state.urls["//x/a"] = "x/a.md"
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
    (tmp_path / "state.json").write_text("{not json", encoding="utf-8")
    assert load_state(tmp_path) == IngestState()
    assert "starting afresh" in caplog.text
    assert [p.name for p in tmp_path.glob("state.damaged-*.json")]


def test_report_summary_and_json_round_trip():
    report = IngestReport(
        started="2024-06-20T01:00:00+00:00", seconds=1.25, corpus="/c",
        feeds=(FeedResult("https://a/rss", "ok", entries=3, new=1),
               FeedResult("https://b/rss", "failed", reason="timeout", detail="no answer",
                          failures=3),
               FeedResult("https://c/rss", "not_modified")),
        new_articles=("a/x.md",),
        skipped=(SkippedEntry("https://a/rss", "https://a/y", "not_vietnamese", "0%"),),
        alerts=(FeedAlert("https://b/rss", 3, "timeout: no answer", "2024-06-20T01:40:00+00:00"),),
    )
    text = report.summary()
    assert text.splitlines()[0] == (
        "ingest 2024-06-20T01:00:00+00:00: 3 feeds checked (1 not modified, 1 failed, "
        "0 deferred), 1 new articles, 1 skipped, 1.2s")
    assert "new: a/x.md" in text and "skipped: https://a/y: not_vietnamese: 0%" in text
    assert "failed: https://b/rss: timeout: no answer" in text and "alert: https://b/rss" in text
    assert IngestReport.from_json(json.loads(json.dumps(report.to_json()))) == report
    assert {s.reason for s in report.skipped} <= set(REASONS)
