"""An ingest report in Vietnamese: every reason worded, lists capped, Telegram's limits kept."""

import datetime as dt
from types import SimpleNamespace

from support.telegram_html import parse_html

from bot.admin.ingest_report import (
    CARD_FAILED,
    FEED_FAILING,
    FEED_RECOVERED,
    SHOWN,
    admin_notes,
    describe_error,
    ingest_blocks,
    last_ingest_line,
    local_time,
    reload_line,
)
from bot.admin.reload import ReloadReport
from bot.platform import texts
from bot.platform.alerts import Alert
from bot.platform.render import MAX_ENTITIES, MAX_TEXT, measure, pack, to_html
from bot.store import RecordResult
from corpus.ingest import REASONS, FeedAlert, FeedResult, IngestReport, SkippedEntry

STARTED = "2024-06-20T01:00:00+00:00"


class Titles:
    """Stands in for the searcher: titles of the articles it knows."""

    def __init__(self, titles):
        self.titles = titles

    def article(self, article_id):
        title = self.titles.get(article_id)
        return SimpleNamespace(title=title) if title else None


def test_every_reason_code_has_vietnamese_words():
    assert set(texts.INGEST_REASONS) == set(REASONS)
    for code, words in texts.INGEST_REASONS.items():
        assert words != REASONS[code] and not words.isascii(), code
    assert texts.reason_label("something_new") == "something_new"


def test_errors_and_times_in_words():
    assert describe_error("http_status: HTTP 503") == "máy chủ trả về mã lỗi (HTTP 503)"
    assert describe_error("not_feed") == texts.INGEST_REASONS["not_feed"]
    assert describe_error("boom: something odd") == "boom: something odd"
    long = describe_error("network: " + "x" * 500)
    assert len(long) < 200 and long.endswith("…)")
    assert local_time(STARTED) == "08:00 20/06/2024"  # Vietnam time
    assert local_time("2024-06-20T23:30:00") == "06:30 21/06/2024"  # naive means UTC
    assert local_time("soon") == "soon"


def test_a_big_report_is_capped_escaped_and_packed():
    new = tuple(f"tin.vn/bai-{i:02d}.md" for i in range(60))
    titles = Titles({article_id: f"Bài <số {i}> & thông tư " + "dài " * 60
                     for i, article_id in enumerate(new) if i % 2 == 0})
    skipped = tuple(SkippedEntry("https://tin.vn/rss", f"https://tin.vn/a?<b>={i}&x", "not_article")
                    for i in range(45))
    feeds = tuple(FeedResult(f"https://site{i}.vn/rss", "failed", reason="http_status",
                             detail="HTTP 500", failures=2) for i in range(25))
    feeds += (FeedResult("https://slow.vn/rss", "deferred", detail="backing off", failures=4),)
    report = IngestReport(STARTED, 12.34, "/srv/corpus", feeds=feeds, new_articles=new,
                          skipped=skipped)
    blocks = ingest_blocks(report, None, titles)
    messages = pack(blocks)
    text = "\n\n".join(parse_html(to_html(m))[0] for m in messages)
    for message in messages:
        length, entities = measure(message)
        assert length <= MAX_TEXT and entities <= MAX_ENTITIES
    assert "Nguồn tin đã kiểm tra: 25 (không đổi: 0, lỗi: 25, đang tạm hoãn: 1)" in text
    assert "Bài mới: 60; mục bị bỏ qua: 45" in text and "Thời gian: 12,3 giây" in text
    assert f"{texts.NEW_ARTICLES_HEADER} (60):" in text
    assert "• Bài <số 0> & thông tư dài" in text  # escaped on the way, intact on arrival
    assert "• tin.vn/bai-01.md\n" in text  # no title (not in the index): the file name
    assert texts.more_items(60 - SHOWN) in text
    assert f"{texts.FAILED_FEEDS_HEADER} (26):" in text
    assert "• https://site0.vn/rss: máy chủ trả về mã lỗi (HTTP 500); lỗi 2 lượt liên tiếp" in text
    assert texts.more_items(26 - SHOWN) in text
    assert f"{texts.SKIPPED_ENTRIES_HEADER} (45):" in text
    assert "• https://tin.vn/a?<b>=0&x: quá ít chữ, có lẽ là trang danh mục" in text
    assert texts.more_items(45 - SHOWN) in text
    assert "https://tin.vn/a?<b>=10&x" not in text  # the 11th is left out
    assert text.endswith(texts.INGEST_NOTHING_NEW)


def test_the_reload_outcome():
    assert reload_line(None) == texts.INGEST_NOTHING_NEW
    failed = ReloadReport(1.0, error="no .md articles")
    assert reload_line(failed) == texts.ingest_reload_failed("no .md articles")
    ok = ReloadReport(1.0, recorded=RecordResult(False, 3, queued=("a.md", "b.md"),
                                                 repeated=("c.md",), deliveries=5))
    assert reload_line(ok) == ("✅ Đã nạp lại dữ liệu. Văn bản mới: 2, sẽ gửi 5 tin tới người "
                               "đăng ký. 1 bài nói về văn bản đã báo trước đó, không gửi lại.")


def test_admins_hear_of_alerts_and_recoveries():
    report = IngestReport(STARTED, 1.0, "/c", alerts=(
        FeedAlert("https://a.vn/rss", 3, "timeout: no complete answer within 10 s",
                  "2024-06-20T01:40:00+00:00"),), recovered=("https://b.vn/rss",))
    assert admin_notes(report) == [
        Alert(FEED_FAILING, "https://a.vn/rss",
              "⚠️ Nguồn tin https://a.vn/rss lỗi 3 lượt liên tiếp (lần cuối: quá thời gian chờ "
              "phản hồi (no complete answer within 10 s)). Bot sẽ thử lại lúc 08:40 20/06/2024."),
        Alert(FEED_RECOVERED, "https://b.vn/rss",
              "✅ Nguồn tin https://b.vn/rss đã hoạt động trở lại."),
    ]
    assert admin_notes(IngestReport(STARTED, 1.0, "/c")) == []


def test_the_stats_line():
    now = dt.datetime(2024, 6, 20, 1, 5, tzinfo=dt.UTC)
    assert last_ingest_line(None, now) == texts.LAST_INGEST_NEVER == "Lấy tin: chưa chạy lần nào"
    report = IngestReport(STARTED, 1.0, "/c", new_articles=("a.md", "b.md"), feeds=(
        FeedResult("https://a.vn/rss", "ok"), FeedResult("https://b.vn/rss", "failed")))
    assert last_ingest_line(report, now) == (
        "Lấy tin gần nhất: 08:00 20/06/2024 (cách đây 5 phút): 2 bài mới, 1/2 nguồn lỗi")


def test_a_failed_card_is_named_to_the_admins_once():
    from bot.admin.reload import CardFailure

    report = IngestReport(STARTED, 1.0, "/c", new_articles=("tin.vn/a.md", "tin.vn/b.md"))
    reload = ReloadReport(1.0, recorded=RecordResult(False, 2, queued=("tin.vn/a.md",),
                                                     deliveries=1),
                          unannounced=(CardFailure("tin.vn/b.md", "ValueError"),
                                       CardFailure("tin.vn/old.md", "KeyError")))
    # Every admin hears of this round's new directive; the older retry is only logged.
    assert admin_notes(report, reload) == [
        Alert(CARD_FAILED, "tin.vn/b.md", texts.card_failed_note("tin.vn/b.md"))]
    text = "\n\n".join(parse_html(to_html(m))[0]
                       for m in pack(ingest_blocks(report, reload, Titles({}))))
    assert text.endswith(f"{texts.UNANNOUNCED_HEADER} (2):\n• tin.vn/b.md: ValueError\n"
                         "• tin.vn/old.md: KeyError")
    assert texts.UNANNOUNCED_HEADER not in "\n".join(
        parse_html(to_html(m))[0] for m in pack(ingest_blocks(report, None, Titles({}))))
