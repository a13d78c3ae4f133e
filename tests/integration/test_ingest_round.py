"""Ingest rounds against a local news site: what gets written, what is skipped and why."""

import asyncio
import json
import unicodedata

import pytest
from support.ingest_helpers import corpus_articles, make_config, publish
from support.news_pages import (
    ENGLISH_PAGE,
    LIST_PAGE,
    STORIES,
    FeedItem,
    article_page,
    atom_feed,
    numbered_story,
    rss_feed,
)

import corpus.cache
import corpus.ingest.writer
from corpus import load_corpus
from corpus.ingest import IngestBusyError, IngestError, read_last_report, run_ingest_round


def reasons(report):
    return sorted((item.url.rsplit("/", 1)[-1], item.reason) for item in report.skipped)


async def test_rss_round_writes_each_story_once_and_the_next_round_nothing(
    news_site, corpus_dir, data_dir
):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    config = make_config(news_site.url("/rss"))

    report = await run_ingest_round(config, corpus_dir, data_dir)

    assert report.feeds_checked == 1 and report.feeds_failed == 0 and not report.skipped
    assert len(report.new_articles) == len(STORIES)
    articles = corpus_articles(corpus_dir)
    assert set(articles) == set(report.new_articles)
    by_title = {a.title: a for a in articles.values()}
    for story in STORIES:
        article = by_title[story.title]
        assert article.id == f"127.0.0.1/{story.slug}.md"
        assert article.source_url == news_site.url(f"/tin/{story.slug}.html")
        assert article.published.isoformat() == story.date
        assert article.author == story.author
        assert article.source == "127.0.0.1"
        body = article.body
        for paragraph in story.paragraphs:
            assert paragraph in body
        # menus, related links, comments, byline and footer stay out of the text
        for noise in ("Trang chủ", "Tin liên quan", "Bình luận", "Mong cơ quan chức năng",
                      "Trang tin thử nghiệm", "Ý kiến của bạn"):
            assert noise not in body
        assert not body.rstrip().endswith(story.author)
    directive = by_title[STORIES[1].title]
    assert directive.is_directive and directive.directive.code == "2345/TCHQ-TXNK"

    pages_fetched = len(news_site.requests)
    again = await run_ingest_round(config, corpus_dir, data_dir)
    assert again.new_articles == () and again.skipped == ()
    assert again.feeds_not_modified == 1
    assert len(news_site.requests) == pages_fetched + 1  # only the feed, answered 304
    assert len(corpus_articles(corpus_dir)) == len(STORIES)
    # the written corpus loads as a whole, as the bot's reload will load it
    assert len(load_corpus(corpus_dir).articles) == len(STORIES)


async def test_atom_feed(news_site, corpus_dir, data_dir):
    news_site.feed("/atom", atom_feed(publish(news_site, STORIES[:2])),
                   content_type="application/atom+xml")
    report = await run_ingest_round(make_config(news_site.url("/atom")), corpus_dir, data_dir)
    assert report.feeds[0].status == "ok" and report.feeds[0].entries == 2
    assert len(report.new_articles) == 2
    assert {a.title for a in corpus_articles(corpus_dir).values()} == {
        s.title for s in STORIES[:2]
    }


async def test_broken_entries_are_skipped_with_reasons_and_the_rest_ingested(
    news_site, corpus_dir, data_dir
):
    good = publish(news_site, STORIES[:1])
    items = [
        *good,
        FeedItem(link=None, title="Tin không có đường dẫn", guid="no-link"),
        FeedItem(link="javascript:alert(1)", title="Liên kết lạ", guid="js"),
        FeedItem(link="ftp://127.0.0.1/tin.html", title="Liên kết FTP", guid="ftp"),
        FeedItem(link=news_site.url("/tin/da-xoa.html"), title="Bài đã gỡ", guid="gone"),
        FeedItem(link=news_site.url("/tin/file.pdf"), title="Tệp PDF", guid="pdf"),
    ]
    news_site.page("/tin/file.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    # a feed cut off in the middle of an item: the entries before it are still usable
    news_site.feed("/rss", rss_feed(items, tail="<item><title>Bị cắt"))

    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)

    assert len(report.new_articles) == 1
    assert report.feeds[0].status == "ok" and "malformed" in report.feeds[0].detail
    got = {(item.reason, item.url) for item in report.skipped}
    assert ("no_link", "") in got
    assert ("refused_url", "javascript:alert(1)") in got
    assert ("refused_url", "ftp://127.0.0.1/tin.html") in got
    assert ("http_status", news_site.url("/tin/da-xoa.html")) in got
    assert ("not_html", news_site.url("/tin/file.pdf")) in got
    assert all(not item.will_retry for item in report.skipped)  # 404 and the rest: final
    assert news_site.hits("/tin.html") == 0
    corpus_articles(corpus_dir)

    again = await run_ingest_round(make_config(news_site.url("/rss"), ), corpus_dir, data_dir,)
    assert again.skipped == ()  # settled entries are not reported twice


async def test_same_story_under_two_urls_and_an_updated_guid_give_one_article(
    news_site, corpus_dir, data_dir
):
    story = STORIES[2]
    news_site.page("/tin/a.html", article_page(story))
    news_site.page("/chuyen-muc/b.html", article_page(story))  # same text, another address
    first = FeedItem(link=news_site.url("/tin/a.html"), title=story.title, guid="g-1")
    news_site.feed("/rss-1", rss_feed([first]))
    news_site.feed("/rss-2", rss_feed([
        FeedItem(link=news_site.url("/chuyen-muc/b.html"), title=story.title, guid="other-site"),
    ]))
    config = make_config(news_site.url("/rss-1"), news_site.url("/rss-2"))

    report = await run_ingest_round(config, corpus_dir, data_dir)

    assert len(report.new_articles) == 1
    assert [item.reason for item in report.skipped] == ["duplicate_content"]
    assert len(corpus_articles(corpus_dir)) == 1

    # The publisher edits the entry: new GUID, same link with tracking parameters.
    updated = FeedItem(link=news_site.url("/tin/a.html/?utm_source=rss&utm_medium=feed#top"),
                       title=story.title + " (cập nhật)", guid="g-1-v2")
    news_site.feed("/rss-1", rss_feed([first, updated]), etag='"v2"')
    fetched = news_site.hits("/tin/a.html")
    again = await run_ingest_round(config, corpus_dir, data_dir)
    assert again.new_articles == ()
    assert [(item.reason, item.detail) for item in again.skipped] == [
        ("duplicate_url", f"same address as {report.new_articles[0]}")
    ]
    assert news_site.hits("/tin/a.html") == fetched  # recognised without fetching the page
    assert len(corpus_articles(corpus_dir)) == 1


async def test_articles_already_in_the_corpus_are_not_ingested_again(
    news_site, corpus_dir, data_dir
):
    by_hand, elsewhere = STORIES[0], STORIES[3]
    (corpus_dir / "viet-tay.md").write_text(
        "---\ntitle: Bài viết tay\nurl: " + news_site.url(f"/tin/{by_hand.slug}.html")
        + "\n---\n\n" + "\n\n".join(by_hand.paragraphs) + "\n", encoding="utf-8")
    (corpus_dir / "ban-sao.md").write_text(
        "---\ntitle: Cùng bài, nơi khác\nurl: https://noi-khac.example/bai\n---\n\n"
        + "\n\n".join((elsewhere.lead, *elsewhere.paragraphs)) + "\n", encoding="utf-8")
    news_site.feed("/rss", rss_feed(publish(news_site, [by_hand, elsewhere])))

    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)

    assert report.new_articles == ()
    assert reasons(report) == [
        (f"{elsewhere.slug}.html", "duplicate_content"),
        (f"{by_hand.slug}.html", "duplicate_url"),
    ]
    assert set(corpus_articles(corpus_dir)) == {"viet-tay.md", "ban-sao.md"}


async def test_nfd_page_is_stored_as_normalised_nfc(news_site, corpus_dir, data_dir):
    story = STORIES[0]
    news_site.feed("/rss", rss_feed(publish(news_site, [story], nfd=True)))
    assert not unicodedata.is_normalized("NFC", article_page(story, nfd=True))

    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)

    [article] = corpus_articles(corpus_dir).values()  # asserts NFC on disk
    assert report.new_articles == (article.id,)
    assert article.paragraphs[-len(story.paragraphs):] == story.paragraphs
    assert article.author == story.author  # from the NFD page, normalised


async def test_non_vietnamese_and_list_pages_are_skipped(news_site, corpus_dir, data_dir):
    news_site.page("/en.html", ENGLISH_PAGE)
    news_site.page("/danh-sach.html", LIST_PAGE)
    news_site.page("/trong.html", "<html><head><title>Trống</title></head><body><div></div></body></html>")
    news_site.page("/rac.bin", b"\x00\x01\x02 not a page", content_type="text/html")
    news_site.feed("/rss", rss_feed([
        FeedItem(link=news_site.url("/en.html"), title="Port volumes", guid="en"),
        FeedItem(link=news_site.url("/danh-sach.html"), title="Danh sách tin", guid="list"),
        FeedItem(link=news_site.url("/trong.html"), title="Trang trống", guid="empty"),
        FeedItem(link=news_site.url("/rac.bin"), title="Dữ liệu rác", guid="junk"),
    ]))
    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)
    assert report.new_articles == ()
    assert reasons(report) == [
        ("danh-sach.html", "not_article"),
        ("en.html", "not_vietnamese"),
        ("rac.bin", "bad_html"),
        ("trong.html", "empty_extraction"),
    ]
    assert list(corpus_dir.iterdir()) == []


async def test_failed_write_leaves_no_file_and_is_retried(
    news_site, corpus_dir, data_dir, monkeypatch
):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES[:1])))
    config = make_config(news_site.url("/rss"))

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    def write_on_full_disk(path, data):  # the article write fails inside write_atomically
        with monkeypatch.context() as patch:
            patch.setattr(corpus.cache.os, "fsync", disk_full)
            corpus.cache.write_atomically(path, data)

    monkeypatch.setattr(corpus.ingest.writer, "write_atomically", write_on_full_disk)
    report = await run_ingest_round(config, corpus_dir, data_dir)
    monkeypatch.undo()

    assert report.new_articles == ()
    [item] = report.skipped
    assert item.reason == "write_failed" and item.will_retry and "No space" in item.detail
    assert [p for p in corpus_dir.rglob("*") if p.is_file()] == []  # no partial, no temp file

    again = await run_ingest_round(config, corpus_dir, data_dir)
    assert len(again.new_articles) == 1 and again.feeds[0].status == "ok"  # 200, not 304
    assert len(corpus_articles(corpus_dir)) == 1


async def test_new_entries_beyond_the_cap_wait_for_the_next_round(news_site, corpus_dir, data_dir):
    stories = [numbered_story(n) for n in range(5)]
    news_site.feed("/rss", rss_feed(publish(news_site, stories)))
    config = make_config(news_site.url("/rss"), max_new_per_feed=3)

    first = await run_ingest_round(config, corpus_dir, data_dir)
    second = await run_ingest_round(config, corpus_dir, data_dir)

    assert len(first.new_articles) == 3 and len(second.new_articles) == 2
    assert second.feeds[0].status == "ok"  # validators were not kept while entries waited
    assert len(corpus_articles(corpus_dir)) == 5


async def test_one_round_at_a_time_per_corpus(news_site, corpus_dir, data_dir):
    news_site.slow("/slow-rss", rss_feed([]), delay=0.3)
    config = make_config(news_site.url("/slow-rss"))
    first = asyncio.create_task(run_ingest_round(config, corpus_dir, data_dir))
    for _ in range(200):  # until the first round's feed request arrives: it holds the lock
        if news_site.hits("/slow-rss"):
            break
        await asyncio.sleep(0.01)
    with pytest.raises(IngestBusyError):
        await run_ingest_round(config, corpus_dir, data_dir)
    assert (await first).feeds_checked == 1
    await run_ingest_round(config, corpus_dir, data_dir)  # the lock was released


async def test_missing_corpus_directory_is_an_error(tmp_path, data_dir):
    with pytest.raises(IngestError, match="not found"):
        await run_ingest_round(make_config("http://127.0.0.1:1/rss"), tmp_path / "nope", data_dir)


async def test_last_report_is_kept_for_stats(news_site, corpus_dir, data_dir):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES[:2])))
    assert read_last_report(data_dir, corpus_dir) is None
    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)
    assert read_last_report(data_dir, corpus_dir) == report
    assert json.loads(json.dumps(report.to_json()))["new_articles"] == list(report.new_articles)
