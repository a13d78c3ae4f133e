"""``/stats`` sends its text and a 30-day chart (a real PNG via sendPhoto), and the per-day
counts behind the chart move with questions and broadcasts (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from support.bot_harness import ADMIN, USER, broadcast_settings, callback_data
from support.directive_corpus import make_corpus
from support.fake_bot_files import png_size

from bot.directives.filters import Filters
from bot.platform import texts
from bot.platform.texts.common import number
from bot.store import VIETNAM, DailyCounters, SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e


def seed(fake, data_dir) -> None:
    """Two subscribed groups (one has kicked the bot), a busy day last week, a failure on
    the chart's first day and one just before it."""
    database = open_database(data_dir)
    store = SubscriptionStore(database)
    for chat_id in (-100701, -100702):
        fake.add_chat(chat_id, "supergroup")
        store.subscribe(chat_id, "supergroup", f"Nhóm {chat_id}", None, Filters())
    counters = DailyCounters(database)
    today = dt.datetime.now(VIETNAM).date()
    for _ in range(5):
        counters.count_broadcast((today - dt.timedelta(days=7)).isoformat(), sent=True)
    # The window's first day counts; the day before it does not.
    counters.count_broadcast((today - dt.timedelta(days=29)).isoformat(), sent=False)
    counters.count_broadcast((today - dt.timedelta(days=30)).isoformat(), sent=False)
    database.close()
    fake.block(-100702)


async def test_stats_sends_a_chart_of_the_last_30_days(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    seed(fake, tmp_path / "data")
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    index = build_searcher(corpus, None, progress=False)[0]
    # The kicked group's 403 is the point: it makes the "failed" bar.
    async with bot_running(fake, settings=settings, index=index,
                           expect_rejections=True) as app:
        fake.user_says(USER, "Công văn 2101/TCHQ-GSQL")
        fake.user_says(USER, "xyzzy qwerty")
        await fake.wait_for_messages(USER, 2)
        fake.user_says(ADMIN, "/broadcast Bảo trì tối nay")
        [_, draft] = await fake.wait_for_messages(ADMIN, 2)
        fake.press_button(ADMIN, draft.message_id, callback_data(draft.reply_markup)[0])
        counters = app.bot_data.services.counters
        today = dt.datetime.now(VIETNAM).date()
        await fake.wait_for(lambda: (lambda d: d.sent + d.failed == 2)(
            counters.last_days(today)[-1]), 10, "the broadcast to settle")
        days = counters.last_days(today)
        fake.user_says(ADMIN, "/stats")
        await fake.wait_for(lambda: fake.photos(ADMIN), 20, "the chart")
        stats = fake.sent(ADMIN)[-1]
    assert stats.text.startswith(texts.STATS_HEADER)
    assert len(days) == 30 and days[-1].day == today.isoformat()
    assert (days[-1].questions, days[-1].no_result, days[-1].sent, days[-1].failed) == (2, 1, 1, 1)
    assert days[-8].sent == 5 and sum(d.sent for d in days) == 6
    assert days[0].failed == 1 and sum(d.failed for d in days) == 2
    [photo] = fake.photos(ADMIN)
    width, height = png_size(photo.content)  # a well-formed PNG, every chunk's CRC checked
    assert (width, height) == (1000, 700)
    assert 20_000 < len(photo.content) < 1_000_000
    assert photo.caption == texts.chart_caption(2, 1, 6, 2)
    assert f"{number(6)} tin đã gửi" in photo.caption
    assert str(USER) not in photo.caption


async def test_stats_is_still_refused_to_others(fake, bot_running, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    settings = broadcast_settings(fake, corpus, tmp_path / "data")
    async with bot_running(fake, settings=settings,
                           index=build_searcher(corpus, None, progress=False)[0]):
        fake.user_says(USER, "/stats")
        [refusal] = await fake.wait_for_messages(USER)
    assert refusal.text == texts.ADMIN_ONLY
    assert fake.photos() == []
