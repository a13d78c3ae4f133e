"""``/feeds`` in the chat: list with fetch status, add, remove, OPML import and export, the
seed list, the refusals (issue 10, part 3). The real bot against the fake Bot API, files
through its getFile/download route and sendDocument."""

from __future__ import annotations

import json

import pytest
from support.bot_harness import ADMIN, USER, broadcast_settings
from support.directive_corpus import make_corpus
from support.directive_news import STORIES
from support.ingest_helpers import FAST, publish
from support.news_pages import rss_feed
from support.news_server import NewsServer

from bot.admin.feeds import parse_opml
from bot.platform import texts
from corpus.ingest.state import FeedState, IngestState, ingest_dir
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

SEED = "https://haiquan.example.vn/rss/tin-moi.rss"
OTHER_SEED = "https://baohaiquan.example.vn/feed"
ADDED = "https://customs.example.gov.vn/rss/van-ban.xml"


def opml(*outlines: str) -> bytes:
    body = "".join(outlines)
    return (f'<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>Nguồn'
            f'</title></head><body><outline text="Hải quan">{body}</outline></body></opml>'
            ).encode()


def outline(url: str, title: str = "") -> str:
    return f'<outline type="rss" text="{title}" title="{title}" xmlUrl="{url}"/>'


@pytest.fixture
def setup(fake, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    settings = broadcast_settings(fake, corpus, tmp_path / "data", feeds=(SEED, OTHER_SEED),
                                  api_file_url=fake.file_url)
    # The ingest's memory: the seed failed twice in a row, the other one worked.
    folder = ingest_dir(tmp_path / "data", corpus)
    folder.mkdir(parents=True)
    state = IngestState(feeds={
        SEED: FeedState(failures=2, last_error="timeout: read timed out",
                        last_success="2026-11-30T01:00:00+00:00",
                        last_failure="2026-12-01T03:30:00+00:00"),
        OTHER_SEED: FeedState(last_success="2026-12-01T02:00:00+00:00"),
    })
    (folder / "state.json").write_text(json.dumps(state.to_json()), encoding="utf-8")
    return settings, build_searcher(corpus, None, progress=False)[0]


async def say(fake, text: str) -> str:
    before = len(fake.sent(ADMIN))
    fake.user_says(ADMIN, text)
    return (await fake.wait_for_messages(ADMIN, before + 1, timeout=10))[-1].text


async def test_admins_list_add_and_remove_feeds_and_a_restart_keeps_them(
        fake, bot_running, setup):
    settings, index = setup
    async with bot_running(fake, settings=settings, index=index) as app:
        listing = await say(fake, "/feeds")
        added = await say(fake, f"/feeds add {ADDED}")
        again = await say(fake, "/feeds add https://www.customs.example.gov.vn/rss/van-ban.xml/")
        wrong_scheme = await say(fake, "/feeds add ftp://customs.example.gov.vn/rss")
        private = await say(fake, "/feeds add http://192.168.1.10/rss")
        removed = await say(fake, "/feeds remove 1")
        missing = await say(fake, "/feeds remove 9")
        usage = await say(fake, "/feeds lung tung")
        urls = await app.bot_data.services.feeds.aurls()
    assert listing.splitlines()[0] == f"{texts.FEEDS_HEADER} (2)"
    assert f"1. {SEED}" in listing and f"2. {OTHER_SEED}" in listing
    # Status from the ingest's state, in Vietnam time, with the reason in words.
    assert ("lấy được lần cuối: 08:00 30/11/2026; lỗi 2 lần liên tiếp, gần nhất "
            "10:30 01/12/2026 (quá thời gian chờ phản hồi)") in listing
    assert "lấy được lần cuối: 09:00 01/12/2026" in listing
    assert added == texts.feed_added(ADDED)
    assert again == texts.feed_already("https://www.customs.example.gov.vn/rss/van-ban.xml/")
    assert wrong_scheme.endswith(texts.FEED_REFUSALS["scheme"] + ".")
    assert private.endswith(texts.FEED_REFUSALS["private"] + ".")
    assert removed == texts.feed_removed(SEED)
    assert missing == texts.feed_not_found("9")
    assert usage == texts.FEEDS_USAGE
    assert urls == (OTHER_SEED, ADDED)
    # A restart seeds the environment's feeds again: the removed one stays removed and
    # nothing is duplicated.
    async with bot_running(fake, settings=settings, index=index) as app:
        assert await app.bot_data.services.feeds.aurls() == (OTHER_SEED, ADDED)


async def test_export_then_import_an_opml_file(fake, bot_running, setup):
    settings, index = setup
    async with bot_running(fake, settings=settings, index=index) as app:
        fake.user_says(ADMIN, "/feeds export")
        [exported] = await fake.wait_for(lambda: fake.documents(ADMIN), 10, "the OPML file")
        fake.user_sends_document(ADMIN, "nguon-tin.opml", opml(
            outline(OTHER_SEED, "Báo Hải quan"),  # known already
            outline("https://vcci.example.vn/rss/xnk.rss", "VCCI – xuất nhập khẩu"),
            outline("https://mof.example.gov.vn/rss", "Bộ Tài chính"),
            outline("javascript:alert(1)", "bad"),
        ), mime_type="text/x-opml")
        reply = (await fake.wait_for_messages(ADMIN, 1, timeout=10))[-1].text
        urls = await app.bot_data.services.feeds.aurls()
        listing = await say(fake, "/feeds")
    assert exported.filename == "haiquan-feeds.opml"
    assert exported.caption == texts.FEEDS_EXPORT_CAPTION
    entries, refused = parse_opml(exported.content)
    assert [e.url for e in entries] == [SEED, OTHER_SEED] and refused == 0
    assert reply == texts.opml_imported(2, 1, 1)
    assert urls == (SEED, OTHER_SEED, "https://vcci.example.vn/rss/xnk.rss",
                    "https://mof.example.gov.vn/rss")
    assert "VCCI – xuất nhập khẩu — https://vcci.example.vn/rss/xnk.rss" in listing
    assert texts.FEED_ORIGINS["opml"] in listing


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<opml version="2.0"><body><outline xmlUrl="https://a.example/&lol2;"/></body></opml>')


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x89PNG not xml at all", "tệp không phải XML hợp lệ"),
    (b"<rss version='2.0'><channel/></rss>", "tệp XML này không phải danh sách OPML"),
    (BOMB, "tệp có khai báo DOCTYPE/ENTITY, không được chấp nhận"),
    (b"<opml version='2.0'><body><outline text='x'/></body></opml>",
     "tệp không có nguồn tin nào (thẻ outline có xmlUrl)"),
    (b"<opml><body>" + b" " * (600 * 1024) + b"</body></opml>", "tệp lớn hơn 512 KB"),
], ids=["not xml", "not opml", "entity bomb", "no feeds", "too big"])
async def test_a_bad_opml_file_is_refused_in_vietnamese_and_nothing_changes(
        fake, bot_running, setup, content, reason):
    settings, index = setup
    async with bot_running(fake, settings=settings, index=index) as app:
        fake.user_sends_document(ADMIN, "feeds.opml", content)
        [reply] = await fake.wait_for_messages(ADMIN, 1, timeout=10)
        urls = await app.bot_data.services.feeds.aurls()
    assert reply.text == texts.opml_refused(reason)
    assert urls == (SEED, OTHER_SEED)


async def test_others_cannot_see_or_change_the_feeds(fake, bot_running, setup):
    settings, index = setup
    async with bot_running(fake, settings=settings, index=index) as app:
        fake.user_says(USER, "/feeds")
        fake.user_says(USER, f"/feeds add {ADDED}")
        fake.user_says(USER, "/feeds export")
        fake.user_sends_document(USER, "nguon-tin.opml", opml(outline(ADDED)))
        replies = await fake.wait_for_messages(USER, 4)
        urls = await app.bot_data.services.feeds.aurls()
    assert [r.text for r in replies] == [texts.ADMIN_ONLY] * 3 + [texts.NOT_TEXT]
    assert urls == (SEED, OTHER_SEED)
    assert fake.documents() == []
    assert not any(r.method == "getFile" for r in fake.requests)


async def test_the_ingest_reads_the_feeds_admins_added_not_only_the_seed_list(
        fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    async with NewsServer() as site:
        site.feed("/moi.rss", rss_feed(publish(site, STORIES[:1])))
        settings = broadcast_settings(fake, corpus, tmp_path / "data", ingest_limits=FAST)
        async with bot_running(fake, settings=settings,
                               index=build_searcher(corpus, None, progress=False)[0]):
            nothing = await say(fake, "/ingest")
            added = await say(fake, f"/feeds add {site.url('/moi.rss')}")
            fake.user_says(ADMIN, "/ingest")
            await fake.wait_for(lambda: any(m.text.startswith(texts.INGEST_HEADER)
                                            for m in fake.sent(ADMIN)), 20, "the report")
        fetched = site.hits("/moi.rss")
    assert nothing == texts.INGEST_NO_FEEDS
    assert added == texts.feed_added(site.url("/moi.rss"))
    assert texts.ingest_started(1) in [m.text for m in fake.sent(ADMIN)]
    assert fetched == 1
