"""The retention purge on the real database: old answers and finished deliveries go,
what is still owed and what stops a second announcement stay."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from support.bot_harness import USER, broadcast_settings
from support.directive_corpus import NEW_CONG_VAN, make_corpus

from bot.directives.filters import Filters
from bot.platform import texts
from bot.platform.app import PURGE_JOB
from bot.store import Ledger, SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

CARD = f"🔔 {texts.NEW_DIRECTIVE}: "
DAY = 86400.0


def cards(fake, chat_id: int) -> list:
    return [m for m in fake.sent(chat_id) if m.text.startswith(CARD)]


async def test_the_purge_keeps_what_is_owed_and_never_announces_twice(
        fake, bot_running, tmp_path):
    old, young = -100751, -100752
    corpus, data = make_corpus(tmp_path / "corpus"), tmp_path / "data"
    database = open_database(data)
    for chat_id in (old, young):
        fake.add_chat(chat_id, "supergroup")
        SubscriptionStore(database).subscribe(chat_id, "supergroup", "", None, Filters())
    database.close()
    index, _, _ = build_searcher(corpus, None, progress=False)
    settings = broadcast_settings(fake, corpus, data, retention=dt.timedelta(days=10))
    async with bot_running(fake, settings=settings, index=index):
        pass  # the baseline: nothing announced
    NEW_CONG_VAN.write(corpus)
    index, _, _ = build_searcher(corpus, None, progress=False)
    async with bot_running(fake, settings=settings, index=index) as app:
        ledger = app.bot_data.services.ledger
        await fake.wait_for(lambda: ledger.counts().sent == 2, 10, "the cards")
        fake.user_says(USER, "thủ tục hải quan")
        await fake.wait_for_messages(USER)
    # Ages: the old group's card 20 days, the young group's 5; the answer 20 days; an
    # announcement queued 40 days ago and still owed to both groups.
    database = open_database(data)
    now = time.time()
    item = Ledger(database).create_announcement("<b>Thông báo cũ</b>", created_by=1)
    Ledger(database).queue_announcement(item)
    database.write(lambda c: (
        c.execute("UPDATE deliveries SET created_at = ? WHERE chat_id = ? AND item_id = 1",
                  (now - 20 * DAY, old)),
        c.execute("UPDATE deliveries SET created_at = ? WHERE chat_id = ? AND item_id = 1",
                  (now - 5 * DAY, young)),
        c.execute("UPDATE deliveries SET created_at = ? WHERE item_id = ?",
                  (now - 40 * DAY, item)),
        c.execute("UPDATE answers SET created_at = ?",
                  ((dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).isoformat(),)),
    ))
    database.close()
    async with bot_running(fake, settings=settings, index=index) as app:
        services = app.bot_data.services
        [job] = [j for j in app.job_queue.jobs() if j.name == PURGE_JOB]
        await fake.wait_for(lambda: services.ledger.counts().open == 0, 10, "the notice")
        rows = services.ledger.rows()
        answers = services.database.read(
            lambda c: c.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
    assert job.job.trigger.interval == dt.timedelta(days=1)
    assert answers == 0
    # The start purged the old group's sent card (20 > 10 days), kept the young one's
    # and the announcement it still owed, and sent that.
    assert sorted((chat, item_id, status) for item_id, chat, status, _, _ in rows) == sorted(
        [(old, item, "sent"), (young, 1, "sent"), (young, item, "sent")])
    # The directive itself is not news again: each group got its card once.
    assert [len(cards(fake, g)) for g in (old, young)] == [1, 1]
    assert [m.text for m in fake.sent(old)][-1].endswith("Thông báo cũ")
