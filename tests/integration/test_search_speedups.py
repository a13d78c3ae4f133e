"""The shortcuts the search takes for speed give exactly what the plain path gives.

`window_forms` reads (gap, token) tuples from one `findall`; `Searcher._select`
reuses the first stage's decoded posting lists for every candidate; the windows'
evidence is weighed for all of them at once. All must be indistinguishable from what
they replace, or rankings and shown passages would move.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from retrieval import POOL
from retrieval.analyzer import window_forms
from retrieval.evaluate import read_questions
from retrieval.features import window_evidence
from retrieval.forward import WindowForms

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


def _plain_evidence(facts, window):
    """A window's evidence by the rule as it reads, on its forms as strings."""
    forms, joins = window.forms, window.joins.tolist()
    present = set(forms)
    pairs = {(forms[i - 1], forms[i]) for i in range(1, len(forms)) if joins[i]}
    total = sum(facts.content.values()) or 1.0
    coverage = sum(v for w, v in facts.content.items() if w in present) / total
    numbers = (sum(1 for n in facts.numbers if n in present) / len(facts.numbers)
               if facts.numbers else 0.0)
    phrase_total = sum(facts.phrases.values())
    phrases = (sum(v for p, v in facts.phrases.items() if p in pairs) / phrase_total
               if phrase_total else 0.0)
    wanted = {w for w, v in facts.content.items() if w in present and v >= 1.0}
    proximity = 0.0
    if len(wanted) >= 2:
        best = len(forms)
        for i in range(len(forms)):
            seen = set()
            for j in range(i, len(forms)):
                if forms[j] in wanted:
                    seen.add(forms[j])
                    if len(seen) == len(wanted):
                        best = min(best, j - i + 1)
                        break
        proximity = len(wanted) / best
    return coverage, numbers, phrases, proximity


def test_the_windows_evidence_read_at_once_is_each_windows_by_the_plain_rule(sample_searcher):
    """`features.window_evidence` weighs all of a question's windows in a few numpy
    passes over their keys; each must get the coverage, number and phrase shares and
    the proximity the rule gives on its forms, to the last bit."""
    weighed = []
    for question in SAMPLE:
        prepared = sample_searcher._prepare(question)
        assert prepared is not None
        passage_scores, article_scores = sample_searcher._score(prepared)
        pool = sample_searcher._pool(prepared, passage_scores, article_scores, POOL)
        facts = sample_searcher._facts(prepared, question)
        # Every window of one to three passages of the pool's first articles, read from
        # the analysis, and some cut from their text.
        requests = [(c.position, first, last) for c in pool[:6]
                    for first in range(len(sample_searcher.passages[c.position]))
                    for last in range(first,
                                      min(first + 3, len(sample_searcher.passages[c.position])))]
        windows = [w for w in sample_searcher.forward.windows(requests) if w is not None]
        windows += [WindowForms.of_text("\n".join(sample_searcher.passages[p][f : e + 1]),
                                        sample_searcher.index.vocab)
                    for p, f, e in requests[::5]]
        got = window_evidence(facts, windows)
        assert got == [_plain_evidence(facts, w) for w in windows], question
        # Weighed again, with others: the same, from what the question remembers.
        assert window_evidence(facts, [*windows[:3], *windows[-3:]]) == [*got[:3], *got[-3:]]
        weighed += got
    # Every part of the rule had something to weigh.
    for part in range(4):
        assert sum(0 < evidence[part] < 1 for evidence in weighed) > 20, part


def test_a_number_the_vocabulary_lacks_is_found_among_the_forms(sample_searcher):
    facts = sample_searcher._facts(sample_searcher._prepare("tờ khai số 98765 hải quan"),
                                   "tờ khai số 98765 hải quan")
    assert facts.numbers == ("98765",) and facts.number_words == (-1,)
    vocab = sample_searcher.index.vocab
    holding = WindowForms.of_text("Tờ khai hải quan số 98765 đã thông quan.", vocab)
    lacking = WindowForms.of_text("Tờ khai hải quan số 12 đã thông quan.", vocab)
    (_, held, *_), (_, lacked, *_) = window_evidence(facts, [holding, lacking])
    assert (held, lacked) == (1.0, 0.0)


def test_shares_are_summed_in_the_questions_order_and_a_weight_of_one_is_weighty(
    sample_searcher,
):
    """Float sums depend on their order ((0.1 + 0.2) + 0.3 is not 0.3 + 0.2 + 0.1): the
    shares add the question's words in its order, as the rule does; a word weighing
    exactly 1 counts for proximity."""
    vocab = sample_searcher.index.vocab
    words = ["hai", "khai", "quan", "nop", "thue", "bao"]
    weights = [0.3, 1.0, 0.1, 1.0, 0.7, 0.2]
    base = sample_searcher._facts(sample_searcher._prepare("hải quan"), "hải quan")
    facts = dataclasses.replace(
        base, content=dict(zip(words, weights, strict=True)),
        content_keys=np.asarray([vocab[w] for w in words], np.int64), evidence={})
    window = WindowForms.of_text("hải quan thuế khai rồi nộp", vocab)  # no "báo"
    [(coverage, _, _, proximity)] = window_evidence(facts, [window])
    in_order = ((((0.3 + 1.0) + 0.1) + 1.0) + 0.7) / sum(weights)
    assert in_order != ((((0.7 + 1.0) + 0.1) + 1.0) + 0.3) / sum(weights)
    assert coverage == _plain_evidence(facts, window)[0] == in_order
    assert proximity == 2 / 3  # "khai rồi nộp"
