"""Shared pieces of the ingest tests: fast limits, a feed of stories, corpus checks."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from corpus import Article, parse_article
from corpus.ingest import FetchLimits, IngestConfig
from support.news_pages import FeedItem, Story, article_page
from support.news_server import NewsServer

# Short timeout keeps the timeout tests fast; no pacing unless a test asks for it;
# 127.0.0.1 is a private address, refused by default.
FAST = FetchLimits(timeout=1.0, min_interval=0.0, allow_private=True, max_redirects=3)


def make_config(*feeds: str, **changes: object) -> IngestConfig:
    limits = changes.pop("limits", FAST)
    return replace(IngestConfig(feeds=tuple(feeds), limits=limits), **changes)  # type: ignore[arg-type]


def publish(site: NewsServer, stories: list[Story] | tuple[Story, ...], *, prefix: str = "/tin/",
            nfd: bool = False) -> list[FeedItem]:
    """Serve each story as a page and return feed items pointing at them."""
    items = []
    for story in stories:
        path = f"{prefix}{story.slug}.html"
        site.page(path, article_page(story, nfd=nfd))
        items.append(FeedItem(link=site.url(path), title=story.title, guid=f"guid-{story.slug}",
                              date=story.date))
    return items


def corpus_articles(corpus_dir: Path) -> dict[str, Article]:
    """Every file in the corpus, parsed; fails on leftovers and on non-NFC text."""
    articles = {}
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_dir():
            continue
        assert path.suffix == ".md" and not path.name.startswith("."), f"stray file {path}"
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path
        article_id = path.relative_to(corpus_dir).as_posix()
        articles[article_id] = parse_article(path.read_bytes(), article_id)
    return articles
