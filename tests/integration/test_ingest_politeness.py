"""Politeness and robustness of ingest HTTP: validators, limits, redirects, pacing, backoff."""

import asyncio
import datetime as dt
import itertools
from dataclasses import replace

from support.ingest_helpers import FAST, corpus_articles, make_config, publish
from support.news_pages import STORIES, FeedItem, article_page, rss_feed
from support.news_server import LAST_MODIFIED

from corpus.ingest import FetchLimits, IngestConfig, run_ingest_round
from corpus.ingest.fetch import Fetched, Fetcher, FetchFailed

T0 = dt.datetime(2024, 6, 20, 1, 0, tzinfo=dt.UTC)


async def test_second_round_sends_validators_and_gets_304(news_site, corpus_dir, data_dir):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES[:1])), etag='"abc"')
    config = make_config(news_site.url("/rss"))
    await run_ingest_round(config, corpus_dir, data_dir)
    first = news_site.requests[0].headers
    assert "If-None-Match" not in first and "If-Modified-Since" not in first
    assert first["User-Agent"].startswith("haiquan-bot/")

    report = await run_ingest_round(config, corpus_dir, data_dir)

    last = news_site.requests[-1]
    assert last.path == "/rss"
    assert last.headers["If-None-Match"] == '"abc"'
    assert last.headers["If-Modified-Since"] == LAST_MODIFIED
    assert report.feeds[0].status == "not_modified" and report.feeds_not_modified == 1


async def test_last_modified_alone_is_enough(news_site, corpus_dir, data_dir):
    news_site.feed("/rss", rss_feed([]), etag=None)
    config = make_config(news_site.url("/rss"))
    await run_ingest_round(config, corpus_dir, data_dir)
    report = await run_ingest_round(config, corpus_dir, data_dir)
    assert "If-None-Match" not in news_site.requests[-1].headers
    assert report.feeds[0].status == "not_modified"


async def test_slow_pages_hit_the_timeout_and_are_retried_then_given_up(
    news_site, corpus_dir, data_dir
):
    items = publish(news_site, STORIES[:1])
    news_site.slow("/tin/cham.html", article_page(STORIES[1]), delay=1.0)
    # headers at once, then a byte every 0.1 s: a read timeout alone would never fire
    news_site.trickle("/tin/nho-giot.html", b"<p>x</p>", count=100, interval=0.1)
    items += [FeedItem(link=news_site.url("/tin/cham.html"), title="Chậm", guid="slow"),
              FeedItem(link=news_site.url("/tin/nho-giot.html"), title="Nhỏ giọt", guid="drip")]
    news_site.feed("/rss", rss_feed(items))
    config = make_config(news_site.url("/rss"),
                         limits=replace(FAST, timeout=0.3), max_entry_attempts=2)

    loop = asyncio.get_running_loop()
    started = loop.time()
    report = await run_ingest_round(config, corpus_dir, data_dir)
    assert loop.time() - started < 1.5  # the slow pages were abandoned, not awaited

    assert len(report.new_articles) == 1
    assert {(i.url.rsplit("/", 1)[-1], i.reason, i.will_retry) for i in report.skipped} == {
        ("cham.html", "timeout", True), ("nho-giot.html", "timeout", True)}

    again = await run_ingest_round(config, corpus_dir, data_dir)
    assert again.feeds[0].status == "ok"  # open entries: validators were not kept
    assert {(i.reason, i.will_retry) for i in again.skipped} == {("timeout", False)}
    assert all("gave up after 2 attempts" in i.detail for i in again.skipped)
    third = await run_ingest_round(config, corpus_dir, data_dir)
    assert third.skipped == () and third.feeds[0].status == "not_modified"


async def test_oversized_pages_hit_the_cap(news_site, corpus_dir, data_dir):
    cap = 64 * 1024
    news_site.page("/tin/lon.html", "<html><body><p>" + "y" * (cap * 2) + "</p></body></html>")
    news_site.trickle("/tin/khong-do-dai.html", b"z" * 8192, count=40, interval=0)
    news_site.trickle("/tin/noi-doi.html", b"z" * 8192, count=4, interval=0)
    items = [
        *publish(news_site, STORIES[:1]),
        FeedItem(link=news_site.url("/tin/lon.html"), title="Lớn", guid="big"),
        FeedItem(link=news_site.url("/tin/khong-do-dai.html"), title="Không độ dài", guid="chunked"),
    ]
    news_site.feed("/rss", rss_feed(items))
    config = make_config(news_site.url("/rss"), limits=replace(FAST, max_bytes=cap))

    report = await run_ingest_round(config, corpus_dir, data_dir)

    assert len(report.new_articles) == 1
    details = {i.url.rsplit("/", 1)[-1]: (i.reason, i.detail, i.will_retry) for i in report.skipped}
    assert details["lon.html"][0] == "too_large" and "declared" in details["lon.html"][1]
    assert details["khong-do-dai.html"] == (
        "too_large", f"larger than {cap:,} bytes (stopped reading)", False)

    async with Fetcher(replace(FAST, max_bytes=cap), trust_env=False) as fetcher:
        small = await fetcher.get(news_site.url("/tin/noi-doi.html"))
    assert isinstance(small, Fetched) and len(small.body) == 4 * 8192


async def test_feed_size_cap_is_separate(news_site, corpus_dir, data_dir):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    config = make_config(news_site.url("/rss"), feed_max_bytes=500)
    report = await run_ingest_round(config, corpus_dir, data_dir)
    assert report.feeds[0].status == "failed" and report.feeds[0].reason == "too_large"


async def test_redirects_are_followed_within_the_limit(news_site, corpus_dir, data_dir):
    story = STORIES[0]
    news_site.page("/bai/that.html", article_page(story))
    news_site.redirect("/r/1", "/r/2")
    news_site.redirect("/r/2", news_site.url("/bai/that.html"), status=301)
    for hop in range(1, 6):  # /loop/1 -> ... -> /loop/5 -> /loop/1
        news_site.redirect(f"/loop/{hop}", f"/loop/{hop % 5 + 1}")
    news_site.redirect("/r/ftp", "ftp://127.0.0.1/bai.html")
    news_site.feed("/rss", rss_feed([
        FeedItem(link=news_site.url("/r/1"), title=story.title, guid="two-hops"),
        FeedItem(link=news_site.url("/loop/1"), title="Vòng lặp", guid="loop"),
        FeedItem(link=news_site.url("/r/ftp"), title="Sang FTP", guid="ftp"),
    ]))

    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)

    [article] = corpus_articles(corpus_dir).values()
    assert article.source_url == news_site.url("/bai/that.html")  # where the page really is
    assert report.new_articles == ("127.0.0.1/that.md",)
    assert sorted((i.url.rsplit("/", 1)[-1], i.reason) for i in report.skipped) == [
        ("1", "redirects"), ("ftp", "refused_url")]
    assert news_site.hits("/loop/1") + news_site.hits("/loop/2") + news_site.hits(
        "/loop/3") + news_site.hits("/loop/4") == FAST.max_redirects + 1


async def test_non_http_and_private_feed_urls_are_refused(news_site, corpus_dir, data_dir):
    news_site.feed("/rss", rss_feed([]))
    config = IngestConfig(feeds=("file:///etc/passwd", "ftp://example.org/rss", "/relative",
                                 news_site.url("/rss")),
                          limits=FetchLimits(timeout=1.0, min_interval=0))  # private refused
    report = await run_ingest_round(config, corpus_dir, data_dir)
    assert [(f.status, f.reason) for f in report.feeds] == [("failed", "refused_url")] * 4
    assert "not public" in report.feeds[3].detail
    assert news_site.requests == []


async def test_requests_to_one_host_are_paced(news_site):
    for n in range(4):
        news_site.page(f"/p{n}", "<p>ok</p>")
    limits = replace(FAST, min_interval=0.15)
    async with Fetcher(limits, trust_env=False) as fetcher:
        results = await asyncio.gather(*(fetcher.get(news_site.url(f"/p{n}")) for n in range(4)))
    assert all(isinstance(r, Fetched) for r in results)
    starts = sorted(r.started for r in news_site.requests)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.14, gaps


async def test_failing_feed_backs_off_and_admins_hear_once(news_site, corpus_dir, data_dir):
    news_site.status("/rss", 503)
    config = make_config(news_site.url("/rss"), backoff_base=60, backoff_max=600, alert_after=3)

    async def round_at(minutes):
        return await run_ingest_round(config, corpus_dir, data_dir,
                                      now=T0 + dt.timedelta(minutes=minutes))

    first = await round_at(0)
    assert (first.feeds[0].status, first.feeds[0].reason, first.feeds[0].failures) == (
        "failed", "http_status", 1)
    deferred = await round_at(0.5)  # within the first 60 s backoff
    assert deferred.feeds[0].status == "deferred" and deferred.feeds_checked == 0
    assert news_site.hits("/rss") == 1
    assert (await round_at(1.5)).feeds[0].failures == 2  # backoff now 120 s
    assert (await round_at(2.5)).feeds[0].status == "deferred"
    third = await round_at(4)
    assert third.feeds[0].failures == 3
    [alert] = third.alerts
    assert alert.feed == news_site.url("/rss") and alert.failures == 3
    assert alert.last_error == "http_status: HTTP 503"
    assert alert.next_attempt == (T0 + dt.timedelta(minutes=4, seconds=240)).isoformat()
    assert "alert:" in third.summary()
    fourth = await round_at(9)
    assert fourth.feeds[0].failures == 4 and fourth.alerts == ()  # told once per outage

    forced = await run_ingest_round(config, corpus_dir, data_dir, ignore_backoff=True,
                                    now=T0 + dt.timedelta(minutes=9, seconds=1))
    assert forced.feeds[0].status == "failed"  # an admin's "now" skips the wait

    news_site.feed("/rss", rss_feed([]))
    back = await round_at(60)
    assert back.feeds[0].status == "ok" and back.recovered == (news_site.url("/rss"),)
    assert (await round_at(61)).recovered == ()


async def test_a_feed_that_is_not_a_feed_fails(news_site, corpus_dir, data_dir):
    news_site.page("/rss", "<html><body><p>Trang chủ</p></body></html>")
    report = await run_ingest_round(make_config(news_site.url("/rss")), corpus_dir, data_dir)
    assert (report.feeds[0].status, report.feeds[0].reason) == ("failed", "not_feed")


async def test_transport_errors_are_values(news_site):
    async with Fetcher(FAST, trust_env=False) as fetcher:
        refused = await fetcher.get("http://127.0.0.1:9/closed-port")
        bad = await fetcher.get("http://[::1")
    assert isinstance(refused, FetchFailed) and refused.reason == "network" and refused.transient
    assert isinstance(bad, FetchFailed) and bad.reason == "refused_url"
