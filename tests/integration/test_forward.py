"""The second stage reads windows from the analysis (`retrieval.forward`) exactly as it
would cut them from their text (their forms and their sentences), on the in-memory and
the mapped path alike, and falls back to the text wherever the analysis cannot say."""

from __future__ import annotations

import dataclasses
from itertools import compress, islice, pairwise
from pathlib import Path

import numpy as np
import pytest

from corpus import Article, default_corpus_dir
from retrieval import build_searcher
from retrieval.analysis import analyse_article
from retrieval.forward import ForwardIndex, WindowForms
from retrieval.passages import passage_texts
from retrieval.searcher import Searcher
from retrieval.sentences import split_sentences

QUESTIONS = [
    "thủ tục hải quan hàng xuất khẩu",
    "thu ngan sach cuc hai quan",
    "C/O mẫu D ưu đãi thuế",
    "xnk tang truong nam 2020",
    "công văn 1234/TCHQ-GSQL",
]


def _windows(searcher: Searcher, positions):
    """Every run of one to three passages of the articles at `positions`."""
    for position in positions:
        texts = searcher.passages[position]
        for first in range(len(texts)):
            for last in range(first, min(len(texts), first + 3)):
                yield position, first, last, "\n".join(texts[first : last + 1])


def _pairs(window: WindowForms) -> set[tuple[str, str]]:
    """Every pair of neighbouring forms the window joins (by whitespace only)."""
    return set(compress(pairwise(window.forms), islice(window.joins.tolist(), 1, None)))


def _same(read: WindowForms, cut: WindowForms) -> bool:
    # One join flag and one key per form, the first flag never set (it would pair with
    # the passage before the window).
    assert len(read.joins) == len(read.forms) == len(read.keys) and not any(read.joins[:1])
    return (read.forms, _pairs(read), read.has_digit, read.keys.tolist()) == (
        cut.forms, _pairs(cut), cut.has_digit, cut.keys.tolist())


def _vocab(*texts: str) -> dict[str, int]:
    """A vocabulary of the forms of `texts` (an index's would hold them all)."""
    forms = sorted({form for text in texts for form in WindowForms.of_text(text, {}).forms})
    return {form: key for key, form in enumerate(forms, start=7)}


def _check_every_window(searcher: Searcher, positions) -> tuple[int, int, int]:
    """Asserts read == cut for every window, and that every window is read; returns
    (read from the tokens alone, read with the kept cut of a passage that is not plain,
    read across a line break that joins a pair)."""
    forward = searcher.forward
    assert forward is not None
    read = composed = crossing = 0
    for position, first, last, text in _windows(searcher, positions):
        from_text = WindowForms.of_text(text, searcher.index.vocab)
        found = forward.window(position, first, last)
        assert found is not None, (position, first, last)
        start = int(forward.first_unit[position])
        if forward.plain[start + first : start + last + 1].all():
            read += 1
        else:
            composed += 1
        assert _same(found, from_text), (position, first, last)
        assert forward.sentences_of(position, first, last) == split_sentences(text), (
            position, first, last)
        if last > first and any(forward.crosses[forward.first_unit[position] + first + 1 :
                                                forward.first_unit[position] + last + 1]):
            crossing += 1
    for position in positions:
        sizes = forward.passage_sizes(position, len(searcher.passages[position]))
        assert list(sizes) == [len(t) for t in searcher.passages[position]]
    return read, composed, crossing


def _answers(searcher: Searcher) -> list:
    return [[(h.article_id, h.passage, h.sentence, h.highlights, h.confidence)
             for h in searcher.search(q, 20)] for q in QUESTIONS]


def test_windows_read_from_the_analysis_are_the_windows_cut_from_the_text(sample_searcher):
    read, composed, _ = _check_every_window(
        sample_searcher, range(len(sample_searcher.articles)))
    # The sample is rich in document codes and C/O: both paths are exercised.
    assert read > composed > 0


def test_a_pair_across_a_line_break_is_read_where_the_text_has_no_punctuation():
    """Two passages of list lines, no full stop between: the last word of one and the
    first of the next form a pair in the window's text, and so in what is read."""
    line = "hàng hóa xuất khẩu qua cửa khẩu biên giới phía bắc trong tháng"
    first = " ".join([line] * 5)  # ~330 characters, no final punctuation
    second = " ".join(reversed(first.split()))
    article = Article("list.md", "Danh sách", "https://hddtvn.com/l/",
                      (first, first, second), "1" * 64)
    analysed = analyse_article(article)
    assert analysed.n_passages == 2
    texts = passage_texts(article)
    vocab = _vocab(*texts)
    forward = ForwardIndex.from_analyses([analysed], vocab)
    read = forward.window(0, 0, 1)
    assert read is not None and bool(forward.crosses[1])
    assert _same(read, WindowForms.of_text("\n".join(texts), vocab))
    assert (read.keys >= 0).all()
    assert ("thang", "thang") in _pairs(read)  # "... tháng" + "tháng ..."
    # The same with a document code in the first passage, whose letters the analyser
    # keeps unexpanded ("TCHQ"): that passage is read from its kept cut, the rest from
    # the tokens.
    coded = Article("list.md", "Danh sách", "https://hddtvn.com/l/",
                    (first, "theo công văn 1234/TCHQ-GSQL " + first, second), "3" * 64)
    analysed = analyse_article(coded)
    texts = passage_texts(coded)
    # A vocabulary that lacks the code's number: it keeps no key, read or cut.
    vocab = {form: key for form, key in _vocab(*texts).items() if form != "1234"}
    forward = ForwardIndex.from_analyses([analysed], vocab)
    assert not forward.plain[0] and forward.plain[1] and bool(forward.crosses[1])
    assert analysed.cuts and len(forward.cut_units) == 1
    read = forward.window(0, 0, 1)
    assert read is not None
    assert _same(read, WindowForms.of_text("\n".join(texts), vocab))
    assert read.keys[read.forms.index("1234")] == -1
    assert ("thang", "thang") in _pairs(read)
    # With a full stop the pair is gone from both.
    stopped = Article("list.md", "Danh sách", "https://hddtvn.com/l/",
                      (first, first + ".", second), "2" * 64)
    texts = passage_texts(stopped)
    vocab = _vocab(*texts)
    forward = ForwardIndex.from_analyses([analyse_article(stopped)], vocab)
    read = forward.window(0, 0, 1)
    assert read is not None and not forward.crosses[1]
    assert _same(read, WindowForms.of_text("\n".join(texts), vocab))


def test_the_mapped_analysis_reads_the_same_as_the_built_one(tmp_path: Path, sample_searcher):
    build_searcher(default_corpus_dir(), tmp_path, progress=False)
    warm, _, stats = build_searcher(default_corpus_dir(), tmp_path, progress=False)
    assert stats.index_from_cache and warm.forward is not None
    assert warm.forward.tokens.base is not None  # a view of the file, not a copy
    _check_every_window(warm, range(len(warm.articles)))
    assert _answers(warm) == _answers(sample_searcher)


def test_answers_do_not_depend_on_reading_the_analysis(sample_searcher):
    without = dataclasses.replace(sample_searcher, forward=None)
    assert _answers(without) == _answers(sample_searcher)


def test_an_article_the_analysis_lacks_is_cut_from_its_text(tmp_path: Path, sample_searcher):
    build_searcher(default_corpus_dir(), tmp_path, progress=False)
    from retrieval.store import map_analysis

    [path] = tmp_path.rglob("analysis.bin")
    mapped = map_analysis(path)
    assert mapped is not None
    hashes = [a.content_hash for a in sample_searcher.articles]
    hashes[0] = "0" * 64  # not in the cache
    forward = ForwardIndex.from_arrays(mapped, hashes, sample_searcher.index.vocab)
    assert forward.window(0, 0, 0) is None
    assert forward.passage_sizes(0, len(sample_searcher.passages[0])) is None
    assert forward.window(1, 0, 0) is not None
    searcher = dataclasses.replace(sample_searcher, forward=forward)
    assert _answers(searcher) == _answers(sample_searcher)


def test_damaged_token_ids_fall_back_to_the_text(sample_searcher):
    forward = sample_searcher.forward
    broken = dataclasses.replace(forward, tokens=np.full_like(forward.tokens, len(forward.table)))
    assert broken.window(0, 0, 0) is None
    searcher = dataclasses.replace(sample_searcher, forward=broken)
    assert _answers(searcher) == _answers(sample_searcher)


@pytest.mark.usefixtures("shared_corpus")
def test_real_corpus_windows_read_as_they_are_cut(shared_searcher):
    """Every window of every 25th real article (NFD sources, document codes, C/O, lists)."""
    read, composed, crossing = _check_every_window(
        shared_searcher, range(0, len(shared_searcher.articles), 25)
    )
    assert read > 3 * composed > 0 and crossing


def test_a_rebuild_from_cached_analyses_reads_the_same(tmp_path: Path, sample_searcher):
    """The reload path: analyses come back from the cache (flags and all)."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(default_corpus_dir(), corpus)
    build_searcher(corpus, tmp_path / "data", progress=False)
    victim = sorted(corpus.rglob("*.md"))[0]
    victim.unlink()  # a new index; every other analysis is read back from the cache
    rebuilt, _, stats = build_searcher(corpus, tmp_path / "data", progress=False)
    assert not stats.index_from_cache and stats.analysed == 0
    read, composed, _ = _check_every_window(rebuilt, range(len(rebuilt.articles)))
    assert read > composed > 0


def test_a_missing_or_damaged_kept_cut_falls_back_to_the_text(sample_searcher):
    forward = sample_searcher.forward
    assert len(forward.cut_units)
    without = dataclasses.replace(forward, cut_units=forward.cut_units[:0])
    garbled = dataclasses.replace(forward, cut_text=np.full_like(forward.cut_text, 0xFF))
    unit = int(forward.cut_units[0])
    position = int(np.searchsorted(forward.first_unit, unit, side="right")) - 1
    passage = unit - int(forward.first_unit[position])
    assert forward.window(position, passage, passage) is not None
    for broken in (without, garbled):
        assert broken.window(position, passage, passage) is None
        searcher = dataclasses.replace(sample_searcher, forward=broken)
        assert _answers(searcher) == _answers(sample_searcher)


def test_the_kept_cuts_round_trip_through_the_analysis_cache(tmp_path: Path, sample_searcher):
    from retrieval.store import load_analysis, save_analysis

    analysed = {a.content_hash: analyse_article(a) for a in sample_searcher.articles[:40]}
    assert sum(len(a.cuts) for a in analysed.values()) > 5
    save_analysis(tmp_path / "analysis.bin", analysed)
    loaded = load_analysis(tmp_path / "analysis.bin")
    assert {h: a.cuts for h, a in loaded.items()} == {h: a.cuts for h, a in analysed.items()}
    assert all(len(a.cuts) == int((~a.plain).sum()) for a in loaded.values())
    for content_hash, article in analysed.items():
        back = loaded[content_hash]
        assert back.sentence_counts.tolist() == article.sentence_counts.tolist()
        assert back.sentences.tolist() == article.sentences.tolist()
        assert len(article.sentences) == int(article.sentence_counts.sum()) > 0


def test_a_shown_hit_takes_its_sentences_from_the_analysis(sample_searcher, monkeypatch):
    """With the analysis at hand a hit is explained without splitting its text again,
    and to the same sentence as splitting it would give."""
    expected = _answers(dataclasses.replace(sample_searcher, forward=None))

    def refuse(text: str) -> list[tuple[int, int]]:
        raise AssertionError("split while the analysis holds the sentences")

    monkeypatch.setattr("retrieval.explain.split_sentences", refuse)
    assert _answers(sample_searcher) == expected


def test_damaged_sentences_fall_back_to_splitting_the_text(sample_searcher):
    forward = sample_searcher.forward
    position = next(p for p in range(len(sample_searcher.passages))
                    if len(sample_searcher.passages[p]) > 1)
    text = "\n".join(sample_searcher.passages[position][:2])
    assert forward.sentences_of(position, 0, 1) == split_sentences(text)
    beyond = np.full_like(forward.sentences, np.iinfo(forward.sentences.dtype).max)
    backwards = forward.sentences[:, ::-1].copy()
    backwards[:, 0] += 1
    for damaged in (beyond, backwards):
        broken = dataclasses.replace(forward, sentences=damaged)
        assert broken.sentences_of(position, 0, 1) is None
        searcher = dataclasses.replace(sample_searcher, forward=broken)
        assert _answers(searcher) == _answers(sample_searcher)
    assert forward.sentences_of(position, 1, 0) is None
    assert forward.sentences_of(position, 0, 10**6) is None



def _array_start(path: Path, name: str) -> int:
    """Byte offset of array `name` in a file `store.write_arrays` wrote."""
    import json

    data = path.read_bytes()
    magic = data.index(b"\n") + 1
    size = int.from_bytes(data[magic : magic + 8], "little")
    header = json.loads(data[magic + 8 : magic + 8 + size])
    return -(-(magic + 8 + size) // 64) * 64 + header["arrays"][name][2]


def test_damaged_kept_cuts_make_the_analysis_cache_unusable(tmp_path: Path, sample_searcher):
    """The cuts are stored compressed: bytes that no longer inflate leave the cache
    unused (rebuilt) rather than misread."""
    from retrieval.store import load_analysis, map_analysis, save_analysis

    analysed = {a.content_hash: analyse_article(a) for a in sample_searcher.articles[:40]}
    path = tmp_path / "analysis.bin"
    save_analysis(path, analysed)
    assert map_analysis(path) is not None
    good = path.read_bytes()
    start = _array_start(path, "cut_text")
    for damage in (b"\x00" * 8, b"\xff" * 8):
        broken = bytearray(good)
        broken[start : start + 8] = damage
        path.write_bytes(bytes(broken))
        assert map_analysis(path) is None
        assert load_analysis(path) == {}


def test_sentence_counts_that_do_not_fit_make_the_analysis_cache_unusable(
    tmp_path: Path, sample_searcher
):
    from retrieval.store import load_analysis, map_analysis, save_analysis

    analysed = {a.content_hash: analyse_article(a) for a in sample_searcher.articles[:10]}
    path = tmp_path / "analysis.bin"
    save_analysis(path, analysed)
    assert map_analysis(path) is not None
    broken = bytearray(path.read_bytes())
    broken[_array_start(path, "sentence_counts")] += 1  # one sentence more than stored
    path.write_bytes(bytes(broken))
    assert map_analysis(path) is None
    assert load_analysis(path) == {}


def test_windows_read_together_are_each_what_its_text_cuts(sample_searcher):
    """The pool's windows are read in one pass: in any order, repeated, mixed with
    windows that hold a passage that is not plain and with requests that cannot be
    read, each comes out as its own text cuts it (or None where it cannot be read)."""
    forward = sample_searcher.forward
    windows = list(_windows(sample_searcher, range(len(sample_searcher.passages))))
    rng = np.random.default_rng(4)
    order = rng.permutation(len(windows))
    requests = [windows[i][:3] for i in order] + [windows[0][:3], (0, 0, 10**6), (0, 2, 1)]
    read = forward.windows(requests)
    texts = {w[:3]: w[3] for w in windows}
    for request, found in zip(requests, read, strict=True):
        if request in texts:
            assert found is not None and _same(
                found, WindowForms.of_text(texts[request], sample_searcher.index.vocab))
        else:
            assert found is None
    spanning = [r for r in requests if r in texts and r[2] > r[1]]
    assert len(spanning) > 50  # windows of several passages, where line breaks join
