"""The corpus watcher: what counts as a change, and waiting for changes to settle."""

from __future__ import annotations

import os

from bot.admin.watch import CorpusWatcher, corpus_snapshot


def test_a_snapshot_sees_added_changed_and_removed_articles_only(tmp_path):
    (tmp_path / "a.md").write_text("một", encoding="utf-8")
    first = corpus_snapshot(tmp_path)
    (tmp_path / "notes.txt").write_text("không phải bài", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("ẩn", encoding="utf-8")
    assert corpus_snapshot(tmp_path) == first
    (tmp_path / "a.md").write_text("một hai", encoding="utf-8")
    changed = corpus_snapshot(tmp_path)
    assert changed != first
    stat = (tmp_path / "a.md").stat()
    os.utime(tmp_path / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert corpus_snapshot(tmp_path) != changed  # touched: may have new content
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("ba", encoding="utf-8")
    assert {entry[0] for entry in corpus_snapshot(tmp_path)} == {"a.md", "sub/b.md"}


def test_a_reload_waits_until_a_look_finds_nothing_new(tmp_path):
    watcher = CorpusWatcher(tmp_path)
    a, b, c = frozenset({("a", 1, 1)}), frozenset({("b", 1, 1)}), frozenset({("c", 1, 1)})
    assert watcher.observe(a) is False  # the first look only remembers
    assert watcher.observe(a) is False  # nothing changed
    assert watcher.observe(b) is False  # changing...
    assert watcher.observe(c) is False  # ...still changing
    assert watcher.observe(c) is True  # settled: reload
    assert watcher.observe(c) is True  # until the reload is done
    watcher.reloaded()
    assert watcher.observe(c) is False
