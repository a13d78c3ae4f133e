"""The feed list's parts on their own: OPML parsing limits and the store's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.admin.feeds import MAX_OPML_BYTES, OpmlError, opml_document, parse_opml
from bot.store import FeedStore, open_database
from bot.store.feeds import MAX_FEEDS


def test_a_file_over_the_cap_is_refused_before_parsing():
    data = b"<opml><body>" + b" " * MAX_OPML_BYTES + b"</body></opml>"
    with pytest.raises(OpmlError, match="512 KB"):
        parse_opml(data)


def test_nested_outlines_are_found_once_and_bad_addresses_counted():
    data = (b"<opml version='2.0'><body><outline text='A'>"
            b"<outline xmlUrl='https://a.example/rss' title='A'/>"
            b"<outline text='B'><outline xmlUrl='https://a.example/rss'/>"
            b"<outline xmlUrl='http://10.0.0.1/rss'/></outline></outline></body></opml>")
    entries, refused = parse_opml(data)
    assert [(e.url, e.title) for e in entries] == [("https://a.example/rss", "A")]
    assert refused == 1


def test_an_export_reads_back_as_the_same_list(tmp_path):
    store = FeedStore(open_database(tmp_path))
    store.add_many([("https://a.example/rss", "Tin A & B"), ("https://b.example/atom", "")],
                   origin="admin", added_by=1)

    document = opml_document(store.active(), dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    entries, _ = parse_opml(document)
    assert [(e.url, e.title) for e in entries] == [
        ("https://a.example/rss", "Tin A & B"), ("https://b.example/atom", "https://b.example/atom")]


def test_a_batch_past_the_limit_adds_nothing(tmp_path):
    store = FeedStore(open_database(tmp_path))
    store.add_many([(f"https://s{n}.example/rss", "") for n in range(MAX_FEEDS - 1)],
                   origin="opml", added_by=None)
    with pytest.raises(ValueError, match="at most"):
        store.add_many([("https://x.example/rss", ""), ("https://y.example/rss", "")],
                       origin="opml", added_by=None)
    assert len(store.active()) == MAX_FEEDS - 1


def test_seeding_twice_and_after_a_removal_adds_nothing(tmp_path):
    store = FeedStore(open_database(tmp_path))
    assert store.seed(["https://a.example/rss", "https://www.a.example/rss/"]) == 1
    [feed] = store.active()
    assert store.remove(feed.id) == feed
    assert store.seed(["https://a.example/rss"]) == 0
    assert store.active() == []
    added, already = store.add_many([("https://a.example/rss", "")], origin="admin",
                                    added_by=7)
    assert [f.id for f in added] == [feed.id] and already == 0  # revived, same number
