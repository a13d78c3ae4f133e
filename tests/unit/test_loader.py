import os
from pathlib import Path

import pytest

from corpus import CorpusError, default_corpus_dir, load_corpus

GOOD = """---
title: Hải quan {n} tăng cường kiểm tra
url: https://example.vn/{n}
date: 2021-01-0{n}
source: example.vn
---

Nội dung bài {n}.
"""


def write(root: Path, name: str, data: bytes | str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_one_broken_file_never_costs_the_others(tmp_path):
    for n in range(1, 4):
        write(tmp_path, f"good{n}.md", GOOD.format(n=n))
    write(tmp_path, "nested/deeper/good4.md", GOOD.format(n=4))
    write(tmp_path, "empty.md", b"")
    write(tmp_path, "latin1.md", "Tiêu đề\n===\n".encode("cp1258", errors="replace") + b"\xff\xfe")
    write(tmp_path, "junk.md", os.urandom(2048).replace(b"\n", b"") + b"\x00")
    write(tmp_path, "huge-line.md", b"a" * 2_000_000)
    write(tmp_path, "no-title.md", "---\nurl: https://a.vn\n---\nbody\n")
    write(tmp_path, "notes.txt", "not an article")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")

    report = load_corpus(tmp_path)

    assert sorted(a.id for a in report.articles) == [
        "good1.md",
        "good2.md",
        "good3.md",
        "nested/deeper/good4.md",
    ]
    reasons = {s.path: s.reason for s in report.skipped}
    assert reasons["empty.md"] == "empty file"
    assert "UTF-8" in reasons["latin1.md"]
    assert "binary" in reasons["junk.md"]
    assert "characters" in reasons["huge-line.md"]
    assert "lacks title" in reasons["no-title.md"]
    assert "symbolic links" in reasons["self.md"] or "cannot read" in reasons["self.md"]
    assert "symlink loop" in reasons["loop"]
    assert "notes.txt" not in reasons


def test_file_size_limit(tmp_path):
    write(tmp_path, "ok.md", GOOD.format(n=1))
    write(tmp_path, "big.md", GOOD.format(n=2) + "x" * 5000)
    report = load_corpus(tmp_path, max_bytes=1000)
    assert [a.id for a in report.articles] == ["ok.md"]
    assert "too large" in report.skipped[0].reason


def test_special_files_are_skipped(tmp_path):
    write(tmp_path, "ok.md", GOOD.format(n=1))
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block forever
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    report = load_corpus(tmp_path)
    reasons = {s.path: s.reason for s in report.skipped}
    assert reasons["pipe.md"] == "not a regular file"
    assert "cannot read" in reasons["dangling.md"]
    assert [a.id for a in report.articles] == ["ok.md"]


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match=r"no \.md articles"):
        load_corpus(tmp_path)
    write(tmp_path, "file.md", GOOD.format(n=1))
    with pytest.raises(CorpusError, match="not a directory"):
        load_corpus(tmp_path / "file.md")


def test_bundled_sample_corpus_loads_cleanly():
    report = load_corpus(default_corpus_dir())
    assert len(report.articles) >= 30
    assert report.skipped == ()
    assert len(report.directives) >= 6
    assert all(a.published and a.source_url.startswith("https://") for a in report.articles)
    kinds = {a.directive.kind for a in report.directives}
    assert {"chi_thi", "cong_van", "thong_tu"} <= kinds
