"""The shortcuts the search takes for speed give exactly what the plain path gives.

`window_forms` reads (gap, token) tuples from one `findall`; `Searcher._select`
unpacks a question's posting lists once and reuses them for every candidate. Both must
be indistinguishable from what they replace, or rankings and shown passages would move.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import POOL
from retrieval.analyzer import window_forms
from retrieval.evaluate import read_questions

DATA = Path(__file__).parent.parent / "data"
SAMPLE = [q.query for q in read_questions(DATA / "sample_queries.jsonl")]


@pytest.mark.parametrize(
    ("text", "forms", "pairs"),
    [
        # Punctuation between two words breaks the pair; whitespace does not.
        ("hải quan, cửa khẩu", ["hai", "quan", "cua", "khau"],
         {("hai", "quan"), ("cua", "khau")}),
        # "_" is not part of a token and breaks the pair like punctuation.
        ("thuế_suất 5 %", ["thue", "suat", "5"], {("suat", "5")}),
        # Slashes between numbers that are not a date: separate numbers, no pairs.
        ("ngày 1/2/3/4 và 12/5/2020", ["ngay", "1", "2", "3", "4", "va", "12/5", "2020"],
         {("ngay", "1"), ("4", "va"), ("va", "12/5"), ("12/5", "2020")}),
        # An abbreviation's syllables pair with each other, not across the bracket.
        ("DN (XNK) nộp", ["doanh", "nghiep", "xuat", "nhap", "khau", "nop"],
         {("doanh", "nghiep"), ("xuat", "nhap"), ("nhap", "khau")}),
        # A line break between passages of a window is whitespace.
        ("5.3 tỷ\nđồng", ["5.3", "ty", "dong"], {("5.3", "ty"), ("ty", "dong")}),
    ],
)
def test_window_forms_pairs_only_words_joined_by_whitespace(text, forms, pairs):
    assert window_forms(text) == (forms, pairs)


def _plain_selection(searcher, query, position, passage_scores):
    """The title-discounted passage scores through `FieldIndex`, as before the cache."""
    start, end = (int(x) for x in searcher.index.article_start[position : position + 2])
    selection = passage_scores[start:end].copy()
    levels = searcher.index.levels
    discount = 1.0 - searcher.config.title_term_factor
    for name, (keys, counts) in query.keys.items():
        weight = query.passage_weights[name]
        if weight == 0 or not len(keys):
            continue
        in_title = levels["title"][name].units_contain(keys, position)
        if in_title.any():
            levels["passage"][name].add_scores_in_range(
                selection, keys[in_title], counts[in_title] * (-discount * weight), start, end
            )
    return selection


@pytest.mark.parametrize("question", SAMPLE)
def test_cached_selection_is_bit_identical_to_the_field_index_path(sample_searcher, question):
    prepared = sample_searcher._prepare(question)
    assert prepared is not None
    passage_scores, article_scores = sample_searcher._score(prepared)
    pool = sample_searcher._pool(prepared, passage_scores, article_scores, POOL)
    assert pool
    discounted = 0
    for candidate in pool:
        cached = prepared.selections[candidate.position]  # filled while the pool was made
        plain = _plain_selection(sample_searcher, prepared, candidate.position, passage_scores)
        assert cached.dtype == plain.dtype
        assert np.array_equal(cached, plain), candidate.position
        start = int(sample_searcher.index.article_start[candidate.position])
        discounted += int((plain != passage_scores[start : start + len(plain)]).any())
    assert discounted, "no candidate had a title word discounted: the test checks nothing"


@pytest.mark.parametrize("question", SAMPLE)
def test_coverage_of_the_candidates_is_the_whole_levels_read_at_them(sample_searcher, question):
    """`Searcher._coverage` searches the candidates in the posting lists
    (`FieldIndex.presence_at`) instead of adding the lists whole: the same float32s."""
    prepared = sample_searcher._prepare(question)
    assert prepared is not None
    field_index = sample_searcher.index.levels["article"]["fold"]
    # The plain path: each key's whole posting list added, in key order, in float32.
    whole = np.zeros(sample_searcher.index.n_articles, np.float32)
    columns = field_index.columns(prepared.coverage_keys).tolist()
    for column, weight in zip(columns, prepared.coverage_weights.tolist(), strict=True):
        if column >= 0:
            start, end = int(field_index.indptr[column]), int(field_index.indptr[column + 1])
            whole[field_index.units(start, end)] += np.float32(weight)
    whole /= np.float32(prepared.information)
    _, article_scores = sample_searcher._score(prepared)
    everything = np.arange(sample_searcher.index.n_articles, dtype=np.intp)
    some = np.argsort(-article_scores, kind="stable")[:30]  # unsorted, as the pool asks
    for positions in (everything, some, everything[::-1]):
        got = sample_searcher._coverage(prepared, positions)
        assert got.dtype == np.float32
        assert np.array_equal(got, whole[positions])
    assert len(np.unique(whole)) > 1  # articles differ: the comparison says something
