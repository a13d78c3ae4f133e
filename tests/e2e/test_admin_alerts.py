"""Alerts reach the admins' private chats once, whatever keeps firing, with no secret and
no user text (`bot.platform.alerts`).

One test per trigger, each through the path that handles the trouble, in the real
Application against the strict fake Bot API: an unhandled error in a handler, a failed
automatic reload, a feed failing round after round, a chat that stopped receiving
broadcasts. Each trigger fires several times; the admin gets exactly one alert.
"""

from __future__ import annotations

import logging
import shutil

import pytest
import pytest_asyncio
from support.bot_harness import ADMIN, USER, broadcast_settings, make_settings
from support.directive_corpus import NEW_CONG_VAN, NEW_THONG_TU, make_corpus
from support.directive_news import NEWS_CAN_THO
from support.fake_bot_limits import Limits, RateLimiter
from support.ingest_helpers import FAST, publish
from support.news_pages import rss_feed
from support.news_server import NewsServer

from bot.directives.filters import Filters
from bot.platform import texts
from bot.platform.logs import REDACTED
from bot.store import SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

ALERT = "🛠 "
USER_QUESTION = "hoàn thuế zqxv-bi-mat-7781"  # a distinctive string of the user's


@pytest_asyncio.fixture
async def news_site():
    async with NewsServer() as site:
        yield site


def alerts(fake, mark: str = "") -> list[str]:
    return [m.text for m in fake.sent(ADMIN) if m.text.startswith(ALERT + mark)]


def assert_clean(fake, text: str) -> None:
    assert fake.token not in text
    assert fake.token.split(":")[1] not in text
    assert "zqxv" not in text


async def test_an_unhandled_error_alerts_once_without_the_users_text(fake, bot_running, caplog):
    fake.add_chat(ADMIN)
    settings = make_settings(fake, admin_ids=frozenset({ADMIN}))
    # The answer's sendMessage fails with a description quoting the token and the question
    # (what a careless library might put in an exception): an error no handler catches.
    description = f"Bad Request: odd {fake.token} {USER_QUESTION}"
    with caplog.at_level(logging.ERROR, logger="bot.platform.error_handler"):
        async with bot_running(fake, settings=settings, expect_errors=True,
                               expect_rejections=True):
            for asked in range(1, 4):
                fake.fail_next("sendMessage", 400, description)
                fake.user_says(USER, USER_QUESTION)
                await fake.wait_for_messages(USER, asked)
                # The alert goes out right after the apology; the admin's /help, answered
                # later, keeps the next failure rule from meeting a second alert.
                helps = len([m for m in fake.sent(ADMIN) if not m.text.startswith(ALERT)])
                fake.user_says(ADMIN, "/help")
                await fake.wait_for(lambda h=helps: len(
                    [m for m in fake.sent(ADMIN) if not m.text.startswith(ALERT)]) > h,
                    what="the admin's help")
    assert [m.text for m in fake.sent(USER)] == [texts.ERROR] * 3
    assert len([r for r in caplog.records if "unhandled error" in r.getMessage()]) == 3
    [alert] = alerts(fake)
    assert alert.startswith(ALERT + "❗ Lỗi chưa xử lý: BadRequest tại ")
    assert "chat 42" in alert and texts.UPDATE_KINDS["message"] in alert
    assert_clean(fake, alert)
    assert "odd" not in alert  # not the exception's message at all


async def test_a_failing_automatic_reload_alerts_once_and_says_the_old_index_serves(
        fake, bot_running, tmp_path, caplog):
    # The corpus path holds the token (an operator's unlucky name): the reason quotes it.
    corpus = make_corpus(tmp_path / f"kho-{fake.token}")
    index = build_searcher(corpus, None, progress=False)[0]
    settings = broadcast_settings(fake, corpus, tmp_path / "data", reload_every=0.005)
    caplog.set_level(logging.INFO, logger="bot.admin.reload")

    def failures():
        return [r for r in caplog.records if r.getMessage().startswith("reload failed")]

    async with bot_running(fake, settings=settings, index=index, expect_errors=True) as app:
        shutil.rmtree(corpus)
        corpus.mkdir()  # nothing to build: every tick of the timer fails
        await fake.wait_for(lambda: len(failures()) >= 4, 15, "four failed reloads")
        fake.user_says(USER, "Công văn 2101/TCHQ-GSQL")
        [answer] = await fake.wait_for_messages(USER)
        served = app.bot_data.services.searcher
        assert len(alerts(fake)) == 1
        # A reload that works ends the trouble: the same failure later is told again.
        shutil.rmtree(corpus)
        make_corpus(corpus)
        await fake.wait_for(lambda: any(r.getMessage().startswith("reload ok")
                                        for r in caplog.records), 15, "a working reload")
        shutil.rmtree(corpus)
        corpus.mkdir()
        await fake.wait_for(lambda: len(alerts(fake)) == 2, 15, "the second outage's alert")
    assert served is index and "Công văn 2101/TCHQ-GSQL" in answer.text
    alert, again = alerts(fake)
    assert again == alert
    assert alert.startswith(ALERT + "❌ Nạp lại thất bại, bot vẫn dùng dữ liệu cũ. Lý do: "
                                    "no .md articles in corpus directory: ")
    assert REDACTED in alert
    assert_clean(fake, alert)


async def test_a_failing_feed_alerts_once_across_rounds(fake, bot_running, news_site, tmp_path):
    fake.limiter = RateLimiter(Limits(private_per_window=20))  # eight /ingest in a second
    corpus = make_corpus(tmp_path / "corpus")
    path = f"/rss/{fake.token}"  # a feed address holding the token: scrubbed
    news_site.status(path, 503)
    settings = broadcast_settings(fake, corpus, tmp_path / "data",
                                  feeds=(news_site.url(path),), ingest_limits=FAST)
    index = build_searcher(corpus, None, progress=False)[0]
    async with bot_running(fake, settings=settings, index=index):
        for rounds in range(1, 7):  # the threshold is 3; /ingest ignores the backoff
            before = len(fake.sent(ADMIN))
            fake.user_says(ADMIN, "/ingest")
            await fake.wait_for(lambda b=before: any(
                m.text.startswith(texts.INGEST_HEADER) for m in fake.sent(ADMIN)[b:]),
                20, f"report {rounds}")
        failing = alerts(fake, "⚠️")
        news_site.feed(path, rss_feed(publish(news_site, [NEWS_CAN_THO])))
        fake.user_says(ADMIN, "/ingest")
        await fake.wait_for(lambda: alerts(fake, "✅"), 20, "the recovery")
    [alert] = failing
    assert alert.startswith(ALERT + "⚠️ Nguồn tin ") and "lỗi 3 lượt liên tiếp" in alert
    assert REDACTED in alert
    assert len(alerts(fake)) == 2  # the failure, then the recovery
    for text in alerts(fake):
        assert_clean(fake, text)


async def test_a_chat_that_stops_receiving_alerts_once(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    blocked = -100901
    database = open_database(tmp_path / "data")
    SubscriptionStore(database).subscribe(blocked, "supergroup", "Nhóm", None, Filters())
    database.close()
    fake.add_chat(blocked, "supergroup")
    fake.block(blocked)  # the bot was kicked
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    index = build_searcher(corpus, None, progress=False)[0]
    async with bot_running(fake, settings=settings, index=index,
                           expect_rejections=True) as app:
        services = app.bot_data.services
        stops = 0
        for directive in (NEW_CONG_VAN, NEW_THONG_TU):
            directive.write(corpus)
            before = len(fake.rejected)
            fake.user_says(ADMIN, "/reload")
            await fake.wait_for(lambda b=before: len(fake.rejected) > b, 20, "the refusal")
            await fake.wait_for(lambda: services.ledger.counts().open == 0, 10, "settled")
            stops += not services.subscriptions.get(blocked).active
            # Someone re-subscribes the group (still kicked): the next card stops it again.
            services.subscriptions.subscribe(blocked, "supergroup", "Nhóm", None, None)
        sent = len(fake.sent(ADMIN))
        fake.user_says(ADMIN, "/help")  # answered after any second alert would be
        await fake.wait_for(lambda: len(fake.sent(ADMIN)) > sent, 10, "the help")
    assert stops == 2
    [alert] = alerts(fake, "🔕")
    assert alert == ALERT + texts.chat_stopped(blocked, False, "Forbidden: bot was kicked "
                                               "from the supergroup chat")
