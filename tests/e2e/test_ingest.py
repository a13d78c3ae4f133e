"""The news ingest in the running bot: a directive appears in a feed, the bot fetches it
(``/ingest`` or its timer), reloads, and each matching subscription gets one card.

The real bot runs against the fake Bot API; the feeds and pages come from the local news
site (`support.news_server`) with the stories of `support.directive_news`.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
import pytest_asyncio
from support.bot_harness import ADMIN, USER, broadcast_settings
from support.directive_corpus import make_corpus
from support.directive_news import CONG_VAN_TAM_NHAP, NEWS_CAN_THO, STORIES, THONG_TU_XUAT_XU
from support.fake_bot_limits import Limits, RateLimiter
from support.ingest_helpers import FAST, publish
from support.news_pages import rss_feed
from support.news_server import NewsServer

from bot.admin.ingest import INGEST_JOB
from bot.directives.filters import Filters, parse_filters
from bot.platform import texts
from bot.store import SubscriptionStore, open_database
from corpus import parse_article
from corpus.ingest.state import ingest_dir, lock_ingest
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

CARD = f"🔔 {texts.NEW_DIRECTIVE}: "
NOTE = "🛠 "
STRANGER = 666
SECOND_ADMIN = 7002
OUTSIDER = -100199  # a group that never subscribed
CHATS = {
    "letters": (-100111, "supergroup", "công văn"),
    "circulars on origin": (-100112, "supergroup", "thông tư xuất xứ"),
    "circulars on fertiliser": (-100113, "supergroup", "thông tư phân bón"),
    "person": (USER, "private", ""),
}


@pytest_asyncio.fixture
async def news_site():
    async with NewsServer() as site:
        yield site


def index_of(corpus):
    return build_searcher(corpus, None, progress=False)[0]


def seed(fake, data_dir, *chats: tuple[int, str, str]) -> None:
    database = open_database(data_dir)
    store = SubscriptionStore(database)
    for chat_id, chat_type, words in chats:
        fake.add_chat(chat_id, chat_type)
        filters = parse_filters(words)[0] if words else Filters()
        store.subscribe(chat_id, chat_type, f"Nhóm {chat_id}", None, filters)
    database.close()


def cards(fake, chat_id: int) -> list:
    return [m for m in fake.sent(chat_id) if m.text.startswith(CARD)]


def notes(fake, chat_id: int) -> list:
    return [m for m in fake.sent(chat_id) if m.text.startswith(NOTE)]


def settings_for(fake, tmp_path, site: NewsServer, *paths: str, **changes):
    return broadcast_settings(fake, tmp_path / "corpus", tmp_path / "data",
                              feeds=tuple(site.url(p) for p in paths or ("/rss",)),
                              ingest_limits=FAST, **changes)


async def ingest_by_admin(fake) -> str:
    """An admin sends /ingest; returns the report (after the reload: cards are queued)."""
    before = len(fake.sent(ADMIN))
    fake.user_says(ADMIN, "/ingest")

    def report():
        return [m for m in fake.sent(ADMIN)[before:] if m.text.startswith(texts.INGEST_HEADER)]

    [message] = await fake.wait_for(report, timeout=20, what="the ingest report")
    return message.text


async def settled(fake, app) -> None:
    ledger = app.bot_data.services.ledger
    await fake.wait_for(lambda: ledger.counts().open == 0, 10, "the ledger to empty")


def received(fake) -> dict[str, int]:
    return {name: len(cards(fake, chat_id)) for name, (chat_id, _, _) in CHATS.items()}


EXPECTED = {"letters": 1, "circulars on origin": 1, "circulars on fertiliser": 0, "person": 2}


async def test_a_directive_in_a_feed_reaches_each_matching_chat_once(
        fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *CHATS.values())
    fake.add_chat(OUTSIDER, "supergroup")
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        report = await ingest_by_admin(fake)
        await settled(fake, app)
        rows = app.bot_data.services.ledger.rows()
        fake.user_says(USER, "Công văn 4127/TCHQ-GSQL")  # the reloaded index answers
        answer = (await fake.wait_for_messages(USER, 3))[-1]
    assert received(fake) == EXPECTED
    assert cards(fake, OUTSIDER) == []
    assert {status for _, _, status, _, _ in rows} == {"sent"}
    [letter] = cards(fake, CHATS["letters"][0])
    assert letter.text.startswith(CARD + "Công văn 4127/TCHQ-GSQL")
    assert "📅 Ngày đăng tin: 02/04/2026" in letter.text
    [circular] = cards(fake, CHATS["circulars on origin"][0])
    assert circular.text.startswith(CARD + "Thông tư 31/2026/TT-BTC")
    assert "Công văn 4127/TCHQ-GSQL" in answer.text
    # The report: counts, the new articles by title and file, what the reload queued.
    assert fake.sent(ADMIN)[0].text == texts.ingest_started(1)
    assert "Nguồn tin đã kiểm tra: 1 (không đổi: 0, lỗi: 0)" in report
    assert "Bài mới: 3; mục bị bỏ qua: 0" in report
    assert f"• {CONG_VAN_TAM_NHAP.title} (127.0.0.1/{CONG_VAN_TAM_NHAP.slug}.md)" in report
    assert texts.ingest_reloaded(False, 2, 4, 0) in report
    # The files are in the corpus, under the site's folder, and parse.
    for story, code in ((CONG_VAN_TAM_NHAP, "4127/TCHQ-GSQL"),
                        (THONG_TU_XUAT_XU, "31/2026/TT-BTC")):
        article_id = f"127.0.0.1/{story.slug}.md"
        article = parse_article((corpus / article_id).read_bytes(), article_id)
        assert article.title == story.title and article.directive.code == code
        assert article.source_url == news_site.url(f"/tin/{story.slug}.html")
    assert not parse_article((corpus / f"127.0.0.1/{NEWS_CAN_THO.slug}.md").read_bytes(),
                             "x.md").is_directive


async def test_a_second_ingest_of_an_unchanged_feed_writes_and_sends_nothing(
        fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", *CHATS.values())
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        await ingest_by_admin(fake)
        await settled(fake, app)
        files = sorted(corpus.rglob("*.md"))
        requests = len(news_site.requests)
        searcher = app.bot_data.services.searcher
        again = await ingest_by_admin(fake)
        await asyncio.sleep(0.3)  # room for a card that should not come
        assert app.bot_data.services.searcher is searcher  # no reload
    assert received(fake) == EXPECTED
    assert sorted(corpus.rglob("*.md")) == files
    assert len(news_site.requests) == requests + 1  # the feed only, answered 304
    assert "Nguồn tin đã kiểm tra: 1 (không đổi: 1, lỗi: 0)" in again
    assert "Bài mới: 0; mục bị bỏ qua: 0" in again
    assert again.endswith(texts.INGEST_NOTHING_NEW)


async def test_the_timer_runs_the_same_path_and_skips_while_a_round_runs(
        fake, bot_running, news_site, tmp_path, caplog):
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    seed(fake, data, *CHATS.values())
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site, ingest_every=0.005)  # 0.3 s
    caplog.set_level(logging.INFO, logger="bot.admin.ingest")
    # Another process (a cron `haiquan-bot ingest`, say) holds the corpus's round.
    def skips():
        return [r for r in caplog.records
                if r.getMessage().startswith("scheduled ingest skipped")]

    with lock_ingest(ingest_dir(data, corpus)):
        async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
            assert app.job_queue.get_jobs_by_name(INGEST_JOB)
            await fake.wait_for(lambda: len(skips()) >= 3, 10, "three ticks")
            assert news_site.requests == []
            assert fake.sent() == []
    assert all(r.levelno == logging.INFO for r in skips())  # quietly: no warning, no note
    caplog.clear()
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        await fake.wait_for(lambda: received(fake) == EXPECTED, 20, "the cards")
        await settled(fake, app)
        feed_requests = news_site.hits("/rss")
        await fake.wait_for(lambda: news_site.hits("/rss") >= feed_requests + 2, 10,
                            "two more ticks")
    assert received(fake) == EXPECTED  # later ticks find the feed unchanged
    assert fake.sent(ADMIN) == []  # nothing for the admins: no alert, the reload went fine
    rounds = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ingest (")]
    assert rounds[0].startswith("ingest (timer): 1 feeds checked (0 not modified, 0 failed, "
                                "0 deferred), 3 new articles, 0 skipped, reloaded, 2 "
                                "directives queued, 0 alerts;")
    assert len(rounds) >= 3 and all(", 0 new articles, 0 skipped, no reload," in r
                                    for r in rounds[1:])
    assert (corpus / f"127.0.0.1/{CONG_VAN_TAM_NHAP.slug}.md").is_file()


async def test_a_failing_feed_alerts_the_admins_once_and_its_recovery_too(
        fake, bot_running, news_site, tmp_path):
    # Opt-out, on purpose: five /ingest rounds (hours apart in production) are pressed
    # within a second here, 12 messages to one admin; this test is about alerting once,
    # not pacing, so the admin's private chat may take a burst of 20 instead of 10.
    fake.limiter = RateLimiter(Limits(private_per_window=20))
    corpus = make_corpus(tmp_path / "corpus")
    fake.add_chat(SECOND_ADMIN)
    news_site.status("/rss", 503)
    settings = settings_for(fake, tmp_path, news_site,
                            admin_ids=frozenset({ADMIN, SECOND_ADMIN}))
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        reports = [await ingest_by_admin(fake) for _ in range(4)]  # the threshold is 3
        [alert] = notes(fake, SECOND_ADMIN)
        assert len(notes(fake, ADMIN)) == 1
        news_site.feed("/rss", rss_feed(publish(news_site, [NEWS_CAN_THO])))
        await ingest_by_admin(fake)
        [_, recovered] = notes(fake, SECOND_ADMIN)
        # The recovery resolves the alert: the next outage is told again, within hours.
        news_site.status("/rss", 503)
        for _ in range(3):
            await ingest_by_admin(fake)
        [_, _, again] = notes(fake, SECOND_ADMIN)
    feed = news_site.url("/rss")
    assert alert.text.startswith(
        f"{NOTE}⚠️ Nguồn tin {feed} lỗi 3 lượt liên tiếp (lần cuối: máy chủ trả về mã lỗi "
        "(HTTP 503)). Bot sẽ thử lại lúc ")
    assert re.search(r"lúc \d\d:\d\d \d\d/\d\d/20\d\d\.$", alert.text)
    assert recovered.text == NOTE + texts.feed_recovered(feed)
    assert "Nguồn tin đã kiểm tra: 1 (không đổi: 0, lỗi: 1)" in reports[0]
    assert (f"{texts.FAILED_FEEDS_HEADER} (1):\n• {feed}: máy chủ trả về mã lỗi (HTTP 503); "
            "lỗi 4 lượt liên tiếp") in reports[3]
    assert again.text.startswith(f"{NOTE}⚠️ Nguồn tin {feed} lỗi 3 lượt liên tiếp")
    assert news_site.hits("/rss") == 8  # /ingest ignores the backoff


async def test_only_admins_may_ingest(fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(STRANGER, "/ingest")
        [refusal] = await fake.wait_for_messages(STRANGER)
    assert refusal.text == texts.ADMIN_ONLY
    assert news_site.requests == []
    assert not (corpus / "127.0.0.1").exists()


async def test_stats_shows_the_last_ingest(fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)):
        fake.user_says(ADMIN, "/stats")
        [never] = await fake.wait_for_messages(ADMIN)
        await ingest_by_admin(fake)
        fake.user_says(ADMIN, "/stats")
        stats = (await fake.wait_for_messages(ADMIN, 4))[-1]
    assert never.text.splitlines()[-1] == texts.LAST_INGEST_NEVER
    last = stats.text.splitlines()[-1]
    assert last.startswith("Lấy tin gần nhất: ")
    assert "(cách đây " in last and last.endswith(": 3 bài mới, 0/1 nguồn lỗi")
    assert "Bài viết: 6 (văn bản: 4)" in stats.text


async def test_the_timer_needs_no_seed_feed_and_takes_one_added_in_the_chat(
        fake, bot_running, news_site, tmp_path, caplog):
    # No HAIQUAN_FEEDS: the timer idles until an admin adds a feed with /feeds add, then
    # its next tick fetches it and the subscribers get their cards.
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    seed(fake, data, *CHATS.values())
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = broadcast_settings(fake, corpus, data, feeds=(), ingest_limits=FAST,
                                  ingest_every=0.005)  # 0.3 s
    caplog.set_level(logging.DEBUG, logger="bot.admin.ingest")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        assert app.job_queue.get_jobs_by_name(INGEST_JOB)
        await fake.wait_for(lambda: sum(r.getMessage().startswith("scheduled ingest: no feeds")
                                        for r in caplog.records) >= 2, 10, "two idle ticks")
        assert news_site.requests == []
        fake.user_says(ADMIN, f"/feeds add {news_site.url('/rss')}")
        await fake.wait_for(lambda: received(fake) == EXPECTED, 20, "the cards")
        await settled(fake, app)
    assert news_site.hits("/rss") >= 1


async def test_without_feeds_ingest_says_how_to_configure_them(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        assert not app.job_queue.get_jobs_by_name(INGEST_JOB)
        fake.user_says(ADMIN, "/ingest")
        [reply] = await fake.wait_for_messages(ADMIN)
    assert reply.text == texts.INGEST_NO_FEEDS
    assert "HAIQUAN_FEEDS" in reply.text and "--feed" in reply.text


async def test_a_round_under_way_is_reported_politely(fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        lock = app.bot_data.services.ingest_lock
        async with lock:  # a round of this bot (its timer, say)
            fake.user_says(ADMIN, "/ingest")
            [busy] = await fake.wait_for_messages(ADMIN)
        with lock_ingest(ingest_dir(data, corpus)):  # a round of another process
            fake.user_says(ADMIN, "/ingest")
            [_, started, busy_elsewhere] = await fake.wait_for_messages(ADMIN, 3)
    assert busy.text == texts.INGEST_BUSY
    assert started.text == texts.ingest_started(1)
    assert busy_elsewhere.text == texts.INGEST_BUSY
    assert news_site.requests == []


async def test_a_reload_under_way_is_waited_for_then_ours_runs(
        fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data", CHATS["person"])
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES)))
    settings = settings_for(fake, tmp_path, news_site)
    async with bot_running(fake, settings=settings, index=index_of(corpus)) as app:
        services = app.bot_data.services
        await services.reload_lock.acquire()  # a /reload (or the watcher) is running
        try:
            fake.user_says(ADMIN, "/ingest")
            await fake.wait_for(lambda: len(list((corpus / "127.0.0.1").glob("*.md"))) == 3,
                                what="the round's files")
            await asyncio.sleep(0.3)
            assert len(fake.sent(ADMIN)) == 1  # "started"; the report waits for the reload
            assert cards(fake, USER) == []
        finally:
            services.reload_lock.release()
        [_, report] = await fake.wait_for_messages(ADMIN, 2, timeout=20)
        await settled(fake, app)
    assert texts.ingest_reloaded(False, 2, 2, 0) in report.text
    assert len(cards(fake, USER)) == 2


async def test_a_timer_that_cannot_run_tells_the_admins_once(
        fake, bot_running, news_site, tmp_path, caplog):
    corpus = make_corpus(tmp_path / "corpus")
    news_site.feed("/rss", rss_feed(publish(news_site, [NEWS_CAN_THO])))
    settings = settings_for(fake, tmp_path, news_site, ingest_every=0.005)
    caplog.set_level(logging.INFO, logger="bot.admin.ingest")

    def again():
        return [r for r in caplog.records if "could not run (again)" in r.getMessage()]

    async with bot_running(fake, settings=settings, index=index_of(corpus),
                           expect_errors=True) as app:
        moved = corpus.rename(tmp_path / "elsewhere")  # someone moved the corpus away
        await fake.wait_for(lambda: len(again()) >= 2, 10, "two more failed ticks")
        [note] = fake.sent(ADMIN)
        moved.rename(corpus)  # back: the next tick runs the round
        await fake.wait_for(lambda: (corpus / "127.0.0.1").is_dir(), 10, "a round")
        await fake.wait_for(lambda: app.bot_data.services.searcher.article(
            f"127.0.0.1/{NEWS_CAN_THO.slug}.md"), 10, "the reload")
    assert note.text == NOTE + texts.ingest_failed(f"corpus directory not found: {corpus}")
    assert len(fake.sent(ADMIN)) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"scheduled ingest could not run: corpus directory not found: {corpus}"]
