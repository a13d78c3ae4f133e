"""Round time for N new feed entries served by a local news site (127.0.0.1).

The site is the one the tests use (``tests/support/news_server.py``), serving one RSS
feed with N distinct stories written for the tests, each on a full news page (menus,
lead, related links, comments, footer). Two modes, each on an empty corpus:

- polite: the production default of one request per second per host -- every page is
  on the same host, so this round is paced by design (about N seconds);
- unpaced: ``min_interval=0`` on a fresh corpus, to show what the work itself costs
  (fetch, extract in threads, dedup, atomic writes, state).

Each mode runs three rounds: N new entries; the same feed again (a conditional GET
answered 304); then N other new entries (steady state: corpus index already built).

With ``--seed-corpus DIR`` the corpus starts as a copy of DIR (e.g. the shared corpus),
to show the cost of checking new entries against many existing articles: the first
round indexes the corpus, later rounds reuse the index.

Usage::

    python benchmarks/ingest_round.py [--entries 50] [--skip-polite] [--seed-corpus DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.news_pages import FeedItem, article_page, numbered_story, rss_feed  # noqa: E402
from support.news_server import NewsServer  # noqa: E402

from corpus.ingest import FetchLimits, IngestConfig, run_ingest_round  # noqa: E402


async def one_round(site: NewsServer, limits: FetchLimits, corpus: Path, data: Path) -> float:
    config = IngestConfig(feeds=(site.url("/rss"),), limits=limits, max_new_per_feed=1000)
    started = time.perf_counter()
    report = await run_ingest_round(config, corpus, data)
    elapsed = time.perf_counter() - started
    print(f"  {len(report.new_articles)} new, {len(report.skipped)} skipped, "
          f"feed {report.feeds[0].status}: {elapsed:.2f} s")
    return elapsed


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--skip-polite", action="store_true", help="skip the paced round")
    parser.add_argument("--seed-corpus", type=Path, help="start from a copy of this corpus")
    args = parser.parse_args()
    async with NewsServer() as site:

        def publish(first: int, version: str) -> None:
            items = []
            for number in range(first, first + args.entries):
                story = numbered_story(number)
                site.page(f"/tin/{story.slug}.html", article_page(story))
                items.append(FeedItem(link=site.url(f"/tin/{story.slug}.html"),
                                      title=story.title, guid=story.slug, date=story.date))
            site.feed("/rss", rss_feed(items), etag=f'"{version}"', last_modified=None)

        with tempfile.TemporaryDirectory() as temp:
            work = Path(temp)
            polite = FetchLimits(allow_private=True)  # defaults: 10 s, 2 MB, 1 request/s/host
            unpaced = FetchLimits(allow_private=True, min_interval=0.0)
            runs = [("unpaced", unpaced)]
            if not args.skip_polite:
                runs.insert(0, ("polite (1 request/s/host)", polite))
            for label, limits in runs:
                corpus, data = work / label[:6] / "corpus", work / label[:6] / "data"
                if args.seed_corpus:
                    shutil.copytree(args.seed_corpus, corpus)
                else:
                    corpus.mkdir(parents=True)
                publish(0, "a")
                print(f"{label}, {args.entries} new entries:")
                await one_round(site, limits, corpus, data)
                print("  next round, feed unchanged:")
                await one_round(site, limits, corpus, data)
                publish(args.entries, "b")
                print(f"  next round, {args.entries} other new entries:")
                await one_round(site, limits, corpus, data)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
