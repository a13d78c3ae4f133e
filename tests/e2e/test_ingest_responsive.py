"""The bot keeps answering while an ingest round runs.

The round waits for the network without blocking the loop, and its blocking work (feed
parsing, page extraction, rendering and re-parsing the article, file writes, the state)
runs in worker threads (`corpus.ingest.round`). Here the local news site, serving from
its own thread as a real site would, trickles its feed over a few seconds, then serves
one big article page whose extraction takes seconds of CPU and whose parsing takes more
than one. The admin's ``/ingest`` starts the round (the timer runs the same
`bot.admin.ingest.ingest_and_reload`), and users ask a question every `EVERY` seconds until the
report arrives.

Each answer's delay is counted from when its question was *due*, not from when the test
got round to sending it: the test, the fake Bot API and the bot share one event loop, so
a loop blocked by the round would also hold up the asking, and a delay measured from the
send would hide the block (the first draft of this test did exactly that). Put the
extraction or the parsing back on the loop and some question waits for it
(docs/testing.md). Worker threads still compete with the answers for the interpreter
lock, so even off the loop an answer can take about half a second while the page is
extracted; the bound (1 s while fetching, 2 s through the reload) sits above that and
below what a blocked loop costs: a behaviour check, not a benchmark.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from support.bot_harness import ADMIN, broadcast_settings
from support.directive_corpus import make_corpus
from support.news_pages import FeedItem, article_page, numbered_story, rss_feed
from support.news_server import news_server_in_thread

from bot.platform import texts
from corpus.ingest import FetchLimits
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

# Big pages need a bigger cap than the 2 MB default; the whole fetch has one deadline.
PATIENT = FetchLimits(timeout=60.0, min_interval=0.0, allow_private=True, max_redirects=3,
                      max_bytes=16 * 1024 * 1024)
FEED_SECONDS = 3.0
PAGES = 1
PARAGRAPHS = 36000  # about 7.8 MB of HTML: seconds of CPU to extract, over a second to parse
EVERY = 0.4  # seconds between two questions
# Users take turns, so no chat nears Telegram's one message a second (the fake enforces it).
USERS = (42, 43, 44, 45, 46)
BOUND = 1.0
RELOAD_BOUND = 2.0
QUESTION = "Công văn 2101/TCHQ-GSQL hướng dẫn khai báo hàng quá cảnh"


@pytest.fixture
def news_site():
    # Its own loop, as a real site: a blocking read on the bot's loop must still find
    # the feed trickling in, not a server stalled with the bot.
    with news_server_in_thread() as site:
        yield site


def big_page(number: int) -> str:
    story = numbered_story(number)
    lead = story.paragraphs[0]
    return article_page(replace(story, paragraphs=tuple(
        f"{lead} Đoạn {i} của bài {number}." for i in range(PARAGRAPHS))))


async def answer_delay(fake, user: int, due: float) -> float:
    """Seconds from when a question was due (`time.time()`) to its answer's sendMessage."""
    await asyncio.sleep(max(0.0, due - time.time()))
    already = len(fake.sent(user))
    fake.user_says(user, QUESTION)
    answer = (await fake.wait_for_messages(user, already + 1, timeout=60))[already]
    assert answer.text.startswith("🔎"), answer.text[:80]
    return answer.time - due


def ingest_report(fake) -> list:
    return [m for m in fake.sent(ADMIN) if m.text.startswith(texts.INGEST_HEADER)]


async def test_questions_are_answered_while_a_slow_ingest_runs(
        fake, bot_running, news_site, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    items = []
    for number in range(PAGES):
        path = f"/tin/bai-lon-{number}.html"
        news_site.page(path, big_page(number))
        story = numbered_story(number)
        items.append(FeedItem(link=news_site.url(path), title=story.title,
                              guid=f"guid-{number}", date=story.date))
    news_site.drip("/rss", rss_feed(items).encode("utf-8"), FEED_SECONDS)
    for user in USERS:
        fake.add_chat(user)
    settings = broadcast_settings(fake, corpus, tmp_path / "data",
                                  feeds=(news_site.url("/rss"),), ingest_limits=PATIENT)
    index = build_searcher(corpus, None, progress=False)[0]
    async with bot_running(fake, settings=settings, index=index):
        for user in USERS:  # warm up: the first answers load what they need
            await answer_delay(fake, user, time.time())
        started = time.time()
        fake.user_says(ADMIN, "/ingest")
        await fake.wait_for(lambda: news_site.hits("/rss"), 10, "the feed request")
        delays: list[tuple[float, float]] = []  # (due, seconds after /ingest; delay)
        due = time.time()
        while not ingest_report(fake):
            user = USERS[len(delays) % len(USERS)]
            delays.append((due - started, await answer_delay(fake, user, due)))
            due += EVERY
        [report] = ingest_report(fake)
    [written] = (corpus / "127.0.0.1").glob("*.md")
    fetching = [d for at, d in delays if started + at < written.stat().st_mtime]
    during = [d for at, d in delays if started + at < report.time]
    assert report.time - started >= FEED_SECONDS
    assert f"Bài mới: {PAGES}; mục bị bỏ qua: 0" in report.text
    # Questions were due through the whole round, the reload included.
    assert max(at for at, _ in delays) >= report.time - started - 2 * EVERY - BOUND
    timeline = [(round(at, 1), round(d, 2)) for at, d in delays]
    assert len(fetching) >= FEED_SECONDS / EVERY and max(fetching) < BOUND, timeline
    # The reload that follows builds the index in a thread too; its CPU work competes
    # with the answers for the interpreter, hence the looser bound.
    assert max(during) < RELOAD_BOUND, timeline
