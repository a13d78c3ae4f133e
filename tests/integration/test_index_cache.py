"""The data-directory caches: reused when they fit, rebuilt when they do not, never fatal."""

import mmap
import shutil
import subprocess
import sys

import numpy as np
import pytest

from corpus import CorpusError, default_corpus_dir
from retrieval import IndexBuildError, build_searcher, cache_dir
from retrieval import build as build_module
from retrieval import store as store_module


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(
        default_corpus_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


def build(corpus, data):
    return build_searcher(corpus, data, progress=False)


def cache_files(corpus, data):
    return cache_dir(data, corpus)


NEW_ARTICLE = """---
title: Hải quan Cà Mau triển khai phần mềm giám sát tàu cá xuất khẩu
url: https://example.vn/hai-quan-ca-mau
date: 2021-03-02
source: example.vn
---

Cục Hải quan Cà Mau đưa vào dùng phần mềm giám sát tàu cá chở hàng xuất khẩu qua cảng Năm Căn.
"""


def test_first_build_fills_the_caches_and_the_second_reuses_them(corpus, tmp_path):
    data = tmp_path / "data"
    searcher, _, stats = build(corpus, data)
    assert stats.analysed == stats.articles and not stats.index_from_cache
    folder = cache_files(corpus, data)
    assert {p.name for p in folder.iterdir()} == {"articles.bin", "analysis.bin", "index.bin"}
    again, _, stats = build(corpus, data)
    assert stats.analysed == 0 and stats.reused == stats.articles and stats.index_from_cache
    query = "kiểm tra sau thông quan"
    assert [h.article_id for h in again.search(query)] == [
        h.article_id for h in searcher.search(query)
    ]


def test_the_superseded_json_article_cache_is_removed(corpus, tmp_path):
    data = tmp_path / "data"
    build(corpus, data)
    legacy = cache_files(corpus, data) / "articles.json"
    legacy.write_bytes(b'{"kind": "haiquan-article-cache", "articles": {}}')
    build(corpus, data)
    assert not legacy.exists()


def test_adding_changing_and_removing_articles_reanalyses_only_those(corpus, tmp_path):
    data = tmp_path / "data"
    build(corpus, data)
    (corpus / "new.md").write_text(NEW_ARTICLE, encoding="utf-8")
    victim = sorted(corpus.glob("*.md"))[0]
    victim.write_text(
        victim.read_text(encoding="utf-8") + "\nMột đoạn bổ sung về tàu cá.\n", encoding="utf-8"
    )
    removed = sorted(corpus.glob("*.md"))[1]
    removed.unlink()
    searcher, _, stats = build(corpus, data)
    assert stats.analysed == 2  # the new file and the changed one
    assert not stats.index_from_cache
    assert searcher.article("new.md") is not None
    assert searcher.article(removed.name) is None
    assert searcher.search("tàu cá Cà Mau", k=1)[0].article_id == "new.md"


def test_an_old_searcher_keeps_serving_while_a_new_one_is_built(corpus, tmp_path):
    data = tmp_path / "data"
    old, _, _ = build(corpus, data)
    before = [h.article_id for h in old.search("thuế giá trị gia tăng")]
    (corpus / "new.md").write_text(NEW_ARTICLE, encoding="utf-8")
    new, _, _ = build(corpus, data)
    assert [h.article_id for h in old.search("thuế giá trị gia tăng")] == before
    assert old.article("new.md") is None and new.article("new.md") is not None


@pytest.mark.parametrize("name", ["articles.bin", "analysis.bin", "index.bin"])
@pytest.mark.parametrize("damage", [b"", b"not a cache at all", b"PK\x03\x04broken zip"])
def test_a_damaged_cache_is_rebuilt_not_fatal(corpus, tmp_path, name, damage):
    data = tmp_path / "data"
    reference, _, _ = build(corpus, data)
    (cache_files(corpus, data) / name).write_bytes(damage)
    searcher, _, stats = build(corpus, data)
    assert stats.indexed == len(reference.articles)
    assert (
        searcher.search("hóa đơn điện tử", k=1)[0].article_id
        == reference.search("hóa đơn điện tử", k=1)[0].article_id
    )
    # and the next start finds a healthy cache again
    _, _, stats = build(corpus, data)
    assert stats.analysed == 0 and stats.index_from_cache


def test_a_foreign_or_outdated_cache_is_ignored(corpus, tmp_path, monkeypatch):
    data = tmp_path / "data"
    build(corpus, data)
    folder = cache_files(corpus, data)
    store_module.write_arrays(folder / "analysis.bin", "someone-else", "k", {"x": np.zeros(3)})
    (folder / "index.bin").unlink()
    _, _, stats = build(corpus, data)
    assert stats.analysed == stats.articles
    # Other analyser code (a new abbreviation, a changed cutter): everything again.
    monkeypatch.setattr(store_module, "analysis_key", lambda: "made-by-other-code")
    monkeypatch.setattr(build_module, "index_key", lambda hashes, config: "other-code")
    _, _, stats = build(corpus, data)
    assert stats.analysed == stats.articles and not stats.index_from_cache


def test_writes_leave_no_temporary_files(corpus, tmp_path):
    data = tmp_path / "data"
    build(corpus, data)
    (corpus / "new.md").write_text(NEW_ARTICLE, encoding="utf-8")
    build(corpus, data)
    leftovers = [p.name for p in cache_files(corpus, data).iterdir() if p.name.startswith(".")]
    assert leftovers == []


_WRITE_WITH_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
from pathlib import Path
from retrieval import build_searcher
limit = int(sys.argv[3])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
searcher, _, _ = build_searcher(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
print(searcher.article("new.md").title)
"""


def test_an_interrupted_write_keeps_the_old_cache(corpus, tmp_path):
    # A real OS-level failure halfway through the write: a child process may write
    # files of at most half the index's size, so the kernel refuses the rest (EFBIG).
    data = tmp_path / "data"
    build(corpus, data)
    folder = cache_files(corpus, data)
    index_file = folder / "index.bin"
    before = index_file.read_bytes()
    (corpus / "new.md").write_text(NEW_ARTICLE, encoding="utf-8")
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _WRITE_WITH_A_FILE_SIZE_LIMIT, str(corpus), str(data),
         str(len(before) // 2)], capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 0, child.stderr  # it served; only the cache write failed
    assert child.stdout.strip()
    assert "File too large" in child.stderr or "Errno 27" in child.stderr, child.stderr
    assert index_file.read_bytes() == before  # the old cache, whole
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    searcher, _, _ = build(corpus, data)  # the next start reads what is there and serves
    assert searcher.article("new.md") is not None


def test_unwritable_data_dir_still_serves(corpus, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    searcher, _, _ = build(corpus, blocked / "data")
    assert searcher.search("hải quan Hải Phòng", k=1)


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        build(tmp_path / "nope", None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=r"no \.md"):
        build(tmp_path / "empty", None)


def test_corpus_where_no_article_has_text_is_an_index_error(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "broken.md").write_bytes(b"\x00\x01")
    (tmp_path / "c" / "a.md").write_text(
        "Chỉ có tiêu đề\n=====\n\n[:gift:x:gift:](https://example.vn/a)\n", encoding="utf-8"
    )
    with pytest.raises(IndexBuildError):
        build(tmp_path / "c", None)


def test_a_changed_passage_cutter_never_serves_the_old_cache(corpus, tmp_path, monkeypatch):
    data = tmp_path / "data"
    before, _, _ = build(corpus, data)
    from retrieval import passages

    monkeypatch.setattr(passages, "MAX_CHARS", 200)
    monkeypatch.setattr(passages, "MIN_CHARS", 60)
    after, _, stats = build(corpus, data)
    assert stats.analysed == stats.articles and not stats.index_from_cache
    assert after.n_passages > before.n_passages
    # what is shown and what was indexed are cut by the same cutter
    article_id = after.articles[0].id
    texts = after.article_passages(article_id)
    assert len(texts) == int(after.index.article_start[1] - after.index.article_start[0])


def test_a_warm_start_maps_the_index_and_reads_no_analysis(corpus, tmp_path):
    data = tmp_path / "data"
    reference, _, _ = build(corpus, data)
    (cache_files(corpus, data) / "analysis.bin").unlink()
    searcher, _, stats = build(corpus, data)
    assert stats.index_from_cache and stats.analysed == 0
    field = searcher.index.levels["passage"]["acc"]
    base = field.units_low
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(getattr(base, "obj", base), mmap.mmap)  # viewed in place, not read
    query = "kiểm tra sau thông quan"
    assert [(h.article_id, h.passage, h.highlights) for h in searcher.search(query)] == [
        (h.article_id, h.passage, h.highlights) for h in reference.search(query)
    ]


@pytest.mark.parametrize("name", ["analysis.bin", "index.bin"])
def test_a_truncated_cache_is_rebuilt_not_fatal(corpus, tmp_path, name):
    data = tmp_path / "data"
    reference, _, _ = build(corpus, data)
    path = cache_files(corpus, data) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    if name == "analysis.bin":
        (cache_files(corpus, data) / "index.bin").unlink()  # so the analysis is needed
    searcher, _, stats = build(corpus, data)
    assert not stats.index_from_cache and stats.indexed == len(reference.articles)
    assert stats.analysed == (stats.articles if name == "analysis.bin" else 0)
    query = "hóa đơn điện tử"
    assert [h.article_id for h in searcher.search(query)] == [
        h.article_id for h in reference.search(query)
    ]
