"""Broadcast under Telegram's limits, and /reload on the full corpus.

1. ``broadcast``: the production bot (`bot.platform.app.build_application`, production pacing)
   against the fake Bot API from the tests with its flood limits switched on (30
   messages a second overall, 20 a minute per group, 429 with ``retry_after`` beyond).
   N chats are subscribed (groups and private chats), one directive file is dropped into
   the corpus and an admin sends ``/reload``. Reported: time from the command to the last
   card, the sending rate against the 30/s ceiling (average and the busiest one-second
   window as the fake saw it), 429 answers, duplicates and losses.

2. ``reload``: how long ``/reload`` takes on a big corpus after one article is added
   (`bot.admin.reload.reload_corpus`, the very function the command runs): rescan, parse and
   analyse the new file, rebuild the index from cached analyses, warm up, swap, record
   the known articles and queue the new directive. The corpus files are linked (never
   copied) into a temporary directory, where the one new article is written.

Usage (from the repository root)::

    python benchmarks/broadcast_load.py broadcast --chats 1000
    python benchmarks/broadcast_load.py reload ../shared/corpus/hddtvn --runs 3

The first ``reload`` run builds the index cache in --data-dir (about half a minute on
the full corpus); later runs reuse it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import itertools
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PTB_TIMEDELTA", "true")

from support.directive_corpus import (  # noqa: E402
    NEW_CHI_THI,
    NEW_CONG_VAN,
    NEW_THONG_TU,
    TestArticle,
    make_corpus,
)
from support.fake_bot_api import FakeBotAPI  # noqa: E402

from bot.admin.reload import record_new_articles, reload_corpus  # noqa: E402
from bot.directives.filters import Filters  # noqa: E402
from bot.directives.pacing import Pacing  # noqa: E402
from bot.platform.app import build_application, running  # noqa: E402
from bot.platform.config import Settings  # noqa: E402
from bot.platform.state import Services  # noqa: E402
from bot.store import DATABASE_FILE, SubscriptionStore, open_database  # noqa: E402
from retrieval import build_searcher  # noqa: E402

ADMIN = 7001
CARD = "🔔 Văn bản mới"


def machine() -> str:
    return f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}"


# -- 1. broadcast -------------------------------------------------------------------------
def busiest_second(times: list[float]) -> int:
    """Most sends the fake accepted within any one-second window."""
    times = sorted(times)
    best = start = 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def broadcast(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="haiquan-broadcast-"))
    try:
        corpus = make_corpus(work / "corpus")
        data = work / "data"
        n_private = round(args.chats * args.private_share)
        chats = [-1_001_000_000_000 - i for i in range(args.chats - n_private)]
        chats += [1_000_000 + i for i in range(n_private)]
        database = open_database(data)
        store = SubscriptionStore(database)
        for chat in chats:
            store.subscribe(chat, "private" if chat > 0 else "supergroup", "", None, Filters())
        database.close()
        async with FakeBotAPI(bot_username="HaiQuanLoadBot", enforce_limits=True) as fake:
            for chat in (*chats, ADMIN):
                fake.add_chat(chat, "private" if chat > 0 else "supergroup")
            pacing = Pacing() if args.per_second is None else Pacing(per_second=args.per_second)
            settings = Settings(token=fake.token, corpus_dir=corpus, data_dir=data,
                                api_base_url=fake.base_url, admin_ids=frozenset({ADMIN}),
                                poll_timeout=1, pacing=pacing)
            searcher, _, _ = build_searcher(corpus, None, progress=False)
            services = Services.create(settings, searcher)
            app = build_application(settings, services)
            try:
                async with running(app, settings):
                    for article in (NEW_CONG_VAN, NEW_THONG_TU, NEW_CHI_THI)[:args.directives]:
                        article.write(corpus)
                    expected = len(chats) * args.directives
                    asked = time.time()
                    fake.user_says(ADMIN, "/reload")
                    await fake.wait_for(
                        lambda: sum(1 for m in fake.sent_messages
                                    if m.text.startswith(CARD)) >= expected
                        and services.ledger.counts().open == 0,
                        timeout=expected / 10 + 60, what="every card")
                    await asyncio.sleep(1.0)  # anything extra would show up now
            finally:
                services.close()
            cards = [m for m in fake.sent_messages if m.text.startswith(CARD)]
            per_chat = collections.Counter(m.chat_id for m in cards)
            per_card = collections.Counter((m.chat_id, m.text.splitlines()[0]) for m in cards)
            gaps = [b - a for chat in per_chat if chat < 0
                    for a, b in itertools.pairwise(sorted(m.time for m in cards
                                                          if m.chat_id == chat))]
            floods = [r for r in fake.rejected if r.status == 429]
            first, last = min(m.time for m in cards), max(m.time for m in cards)
            sends = [m.time for m in fake.sent_messages]
        print(f"machine: {machine()}")
        print(f"chats: {len(chats)} ({len(chats) - n_private} groups, {n_private} private); "
              "fake Bot API limits on (30/s overall, 20/min per group); pacing "
              f"{pacing.per_second:g} messages/s")
        print(f"cards: {len(cards)} in {last - first:.1f} s (first to last); "
              f"/reload to last card {last - asked:.1f} s")
        print(f"rate: {len(cards) / (last - first):.1f} messages/s average "
              f"({len(cards) / (last - first) / 30:.0%} of the 30/s ceiling); busiest "
              f"second at the fake: {busiest_second(sends)} messages")
        if gaps:
            print(f"{args.directives} directives: shortest gap between two cards in one "
                  f"group {min(gaps):.2f} s (limit 3.0 s = 20/min)")
        losses = sum(1 for chat in chats if per_chat[chat] < args.directives)
        print(f"429 answers: {len(floods)}; duplicates: "
              f"{sum(1 for c in per_card.values() if c > 1)}; losses: {losses}; "
              f"other rejections: {len(fake.rejected) - len(floods)}")
        return 0 if not losses and max(per_card.values()) == 1 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- 2. reload ----------------------------------------------------------------------------
def link_corpus(source: Path, target: Path) -> int:
    """`target` holds a symbolic link to every article file of `source` (flat)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    count = 0
    for path in sorted(source.glob("*.md")):
        (target / path.name).symlink_to(path.resolve())
        count += 1
    return count


def fresh_directive(run: int) -> TestArticle:
    """A directive no run announced before (its own file, text and number)."""
    number = 5000 + run
    return dataclasses.replace(
        NEW_CONG_VAN, name=f"cong-van-{number}-bench.md",
        title=NEW_CONG_VAN.title.replace("3456", str(number)),
        paragraphs=tuple(p.replace("3456", str(number)) for p in NEW_CONG_VAN.paragraphs))


async def reload(args: argparse.Namespace) -> int:
    base = args.data_dir or Path(tempfile.gettempdir()) / "haiquan-reload-bench"
    corpus, data = base / "corpus", base / "data"
    linked = link_corpus(args.corpus, corpus)
    (data / DATABASE_FILE).unlink(missing_ok=True)
    started = time.perf_counter()
    searcher, _, stats = await asyncio.to_thread(build_searcher, corpus, data, progress=False)
    print(f"machine: {machine()}")
    print(f"corpus: {args.corpus} ({linked} files linked into {corpus}); start: "
          f"{time.perf_counter() - started:.1f} s "
          f"({'from cache' if stats.index_from_cache else 'built'}), "
          f"{len(searcher.articles)} articles, {searcher.n_passages} passages")
    settings = Settings(token="1:x", corpus_dir=corpus, data_dir=data)  # noqa: S106
    services = Services.create(settings, searcher)
    try:
        async with services.reload_lock:
            await record_new_articles(services, searcher, "HaiQuanBot")
        services.subscriptions.subscribe(-100123, "supergroup", "", None, Filters())
        added, unchanged = [], []
        for run in range(args.runs):
            path = fresh_directive(run).write(corpus)
            began = time.perf_counter()
            report = await reload_corpus(services, "HaiQuanBot")
            added.append(time.perf_counter() - began)
            queued = report.recorded.queued if report.recorded else ()
            print(f"run {run + 1}: +1 article: {added[-1]:.2f} s (added {len(report.added)}, "
                  f"{report.articles} articles, {len(queued)} directive queued)")
            began = time.perf_counter()
            await reload_corpus(services, "HaiQuanBot")
            unchanged.append(time.perf_counter() - began)
            path.unlink()  # back to the shared corpus alone for the next run
            await reload_corpus(services, "HaiQuanBot")
        path = fresh_directive(args.runs).write(corpus)
        _, _, parts = await asyncio.to_thread(build_searcher, corpus, data, progress=False,
                                              wait_for_cache=False)
        path.unlink()
        print("where the time goes (one more build, +1 article): " + ", ".join(
            f"{step} {seconds:.2f} s" for step, seconds in parts.seconds.items()))
        print(f"/reload after adding one article: median {statistics.median(added):.2f} s "
              f"(min {min(added):.2f}, max {max(added):.2f}); with nothing changed: median "
              f"{statistics.median(unchanged):.2f} s")
    finally:
        services.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    b = sub.add_parser("broadcast", help="one directive to many chats, limits enforced")
    b.add_argument("--chats", type=int, default=1000, help="subscribed chats (1000)")
    b.add_argument("--private-share", type=float, default=0.2,
                   help="share of private chats among them (0.2)")
    b.add_argument("--directives", type=int, choices=(1, 2, 3), default=1,
                   help="new directives in the reload, each sent to every chat (1)")
    b.add_argument("--per-second", type=float, default=None,
                   help="override the pacing rate (default: production, 25/s), e.g. 40 to "
                        "see what flood limits do")
    r = sub.add_parser("reload", help="/reload time after adding one article")
    r.add_argument("corpus", type=Path, help="corpus directory (linked, never modified)")
    r.add_argument("--runs", type=int, default=3, help="reloads to time (3)")
    r.add_argument("--data-dir", type=Path, default=None,
                   help="work directory, kept between runs for the index cache "
                        "(default <tmp>/haiquan-reload-bench)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.what == "reload" and not args.corpus.is_dir():
        parser.error(f"corpus directory not found: {args.corpus}")
    return asyncio.run(broadcast(args) if args.what == "broadcast" else reload(args))


if __name__ == "__main__":
    sys.exit(main())
