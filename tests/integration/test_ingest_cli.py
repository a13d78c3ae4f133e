"""``haiquan-bot ingest``: flags, environment defaults, output and exit status.

The command is registered here on a bare parser with `add_ingest_commands`, the same
call ``bot/__main__.py`` makes; it runs in a worker thread because it calls
``asyncio.run`` while the test's loop serves the local news site.
"""

import argparse
import asyncio
import json

import pytest
from support.ingest_helpers import corpus_articles, publish
from support.news_pages import STORIES, rss_feed

from corpus.ingest import IngestError
from corpus.ingest.cli import add_ingest_commands


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="haiquan-bot")
    add_ingest_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["ingest", *argv])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("HAIQUAN_FEEDS", "HAIQUAN_CORPUS_DIR", "HAIQUAN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


# The site lives on 127.0.0.1, refused unless allowed; no pacing keeps the tests fast.
LOCAL = ("--allow-private", "--min-interval", "0")


async def test_ingest_prints_a_json_report(news_site, corpus_dir, data_dir, capsys):
    news_site.feed("/rss", rss_feed(publish(news_site, STORIES[:2])))
    args = parse("--feed", news_site.url("/rss"), "--corpus", str(corpus_dir),
                 "--data-dir", str(data_dir), "--json", *LOCAL)
    assert await asyncio.to_thread(args.handler, args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feeds_checked"] == 1 and len(report["new_articles"]) == 2
    assert set(report["new_articles"]) == set(corpus_articles(corpus_dir))


async def test_environment_supplies_feeds_and_directories(
    news_site, corpus_dir, data_dir, capsys, monkeypatch
):
    news_site.feed("/a", rss_feed(publish(news_site, STORIES[:1])))
    news_site.status("/b", 500)
    monkeypatch.setenv("HAIQUAN_FEEDS", f"{news_site.url('/a')}, {news_site.url('/b')}")
    monkeypatch.setenv("HAIQUAN_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(data_dir))
    args = parse(*LOCAL)
    assert await asyncio.to_thread(args.handler, args) == 0  # one feed of two worked
    out = capsys.readouterr().out
    assert out.startswith("ingest ") and "2 feeds checked" in out and "1 new articles" in out
    assert f"failed: {news_site.url('/b')}: http_status: HTTP 500" in out
    assert (data_dir / "ingest").is_dir()


async def test_all_feeds_failing_exits_1(news_site, corpus_dir, data_dir):
    news_site.status("/rss", 503)
    args = parse("--feed", news_site.url("/rss"), "--corpus", str(corpus_dir),
                 "--data-dir", str(data_dir), *LOCAL)
    assert await asyncio.to_thread(args.handler, args) == 1


async def test_private_addresses_are_refused_without_the_flag(news_site, corpus_dir, data_dir,
                                                              capsys):
    news_site.feed("/rss", rss_feed([]))
    args = parse("--feed", news_site.url("/rss"), "--corpus", str(corpus_dir),
                 "--data-dir", str(data_dir))
    assert await asyncio.to_thread(args.handler, args) == 1
    assert "refused_url" in capsys.readouterr().out and news_site.requests == []


def test_setup_mistakes_are_ingest_errors(tmp_path):
    no_feeds = parse("--corpus", str(tmp_path))
    with pytest.raises(IngestError, match="no feeds"):
        no_feeds.handler(no_feeds)
    no_corpus = parse("--feed", "http://127.0.0.1:9/rss")
    with pytest.raises(IngestError, match="corpus directory"):
        no_corpus.handler(no_corpus)
    missing = parse("--feed", "http://127.0.0.1:9/rss", "--corpus", str(tmp_path / "nope"),
                    "--data-dir", str(tmp_path / "data"))
    with pytest.raises(IngestError, match="not found"):
        missing.handler(missing)
