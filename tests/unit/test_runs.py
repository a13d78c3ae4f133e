"""`runs.best_runs` chooses, for many articles at once, the runs one article at a time
would: the window a hit shows must not move because its neighbours were weighed with it."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.runs import best_runs


def _one_article(scores, sizes, n, span, limit):
    """The rule as it reads, one article and one passage at a time."""
    values = [float(v) for v in scores]
    runs = []
    for first in range(len(values)):
        total, size = values[first], sizes[first]
        best = (total, first, first)
        for last in range(first + 1, min(len(values), first + span)):
            size += sizes[last] + 1
            if size > limit:
                break
            total += values[last]
            if total > best[0]:
                best = (total, first, last)
        runs.append(best)
    if not runs:
        return [(0.0, 0, 0)]
    runs.sort(key=lambda run: (-run[0], run[1]))
    chosen = [runs[0]]
    for run in runs[1:]:
        if len(chosen) == n:
            break
        if all(run[2] < c[1] or run[1] > c[2] for c in chosen):
            chosen.append(run)
    return chosen


@pytest.mark.parametrize("n", [1, 3])
def test_many_articles_at_once_choose_what_each_alone_chooses(n):
    rng = np.random.default_rng(7)
    scores, sizes = [], []
    for _ in range(300):
        count = int(rng.integers(0, 12))
        # Few distinct values, so that ties (to the earlier run) happen often.
        scores.append(rng.integers(-2, 6, count).astype(np.float32) / np.float32(3))
        sizes.append(rng.integers(50, 700, count))
    got = best_runs(scores, sizes, n, span=3, limit=1000)
    expected = [_one_article(s, z.tolist(), n, 3, 1000) for s, z in zip(scores, sizes, strict=True)]
    assert got == expected
    # The draw exercises what matters: empty articles, runs of every length, ties.
    lengths = {last - first for runs in got for _, first, last in runs}
    assert lengths == {0, 1, 2}
    assert any(len(s) == 0 for s in scores)


def test_a_run_stops_at_the_size_limit_but_one_passage_is_always_allowed():
    scores = [np.asarray([1.0, 5.0, 0.0, 0.0], np.float32)]
    # 400 + 1 + 599 = 1000 fits; a third passage would not.
    assert best_runs(scores, [[400, 599, 10, 10]], 1, span=3, limit=1000) == [[(6.0, 0, 1)]]
    # The 5.0 passage alone is longer than the limit: it is still the best run.
    assert best_runs(scores, [[400, 2000, 10, 10]], 1, span=3, limit=1000) == [[(5.0, 1, 1)]]


def test_later_runs_do_not_overlap_those_chosen_and_ties_go_to_the_earlier():
    scores = [np.asarray([2.0, 2.0, 0.0, 2.0, 2.0], np.float32)]
    runs = best_runs(scores, [[10] * 5], 3, span=2, limit=1000)
    # (2.0, 1, 1), (2.0, 2, 3) and (2.0, 4, 4) each overlap a run chosen before them.
    assert runs == [[(4.0, 0, 1), (4.0, 3, 4)]]


def test_an_article_without_passages_has_the_empty_run():
    assert best_runs([np.zeros(0, np.float32)], [[]], 1, span=3, limit=1000) == [[(0.0, 0, 0)]]
    assert best_runs([], [], 1, span=3, limit=1000) == []
