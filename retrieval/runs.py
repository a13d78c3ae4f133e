"""The runs of consecutive passages a hit can show, chosen for many articles at once.

A hit shows a window of at most `span` consecutive passages of at most `limit`
characters: the run whose passages score most. The pool weighs twenty articles per
question and the shown hits three runs each; one Python loop per article and passage
cost more than the scores it chose from, so every article's runs are worked out
together, one numpy pass per run length. The sums are float64 additions in passage
order, as adding the passages one after the other gives, so the choice is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["Run", "best_runs"]

# (total score, first passage, last passage) of a run, passages counted in the article.
Run = tuple[float, int, int]


def best_runs(
    scores: Sequence[npt.NDArray[np.floating]],
    sizes: Sequence[Sequence[int] | npt.NDArray[np.integer]],
    n: int,
    *,
    span: int,
    limit: int,
) -> list[list[Run]]:
    """For each article (its passages' `scores` and character `sizes`), its `n` best
    runs, best first: from each passage, the best run starting there (a single passage
    is always allowed, whatever its size; passages are joined by a line break, which
    counts as a character); then the best of those, ties to the earlier run, and after
    the first only runs that overlap none already chosen. An article without passages
    has the one run ``(0.0, 0, 0)``."""
    counts = np.asarray([len(s) for s in scores], np.intp)
    total_passages = int(counts.sum())
    if not total_passages:
        return [[(0.0, 0, 0)] for _ in scores]
    values = np.concatenate([np.asarray(s, np.float64) for s in scores])
    chars = np.concatenate([np.asarray(s, np.int64) for s in sizes])
    ends = np.cumsum(counts)
    # Passages from each one to its article's end, itself included.
    room = np.repeat(ends, counts) - np.arange(total_passages)
    best = values.copy()
    best_extra = np.zeros(total_passages, np.intp)
    total, length = values.copy(), chars.copy()
    for extra in range(1, span):
        # The run from each passage grown by its `extra`-th next passage.
        total[:-extra] += values[extra:]
        length[:-extra] += chars[extra:] + 1
        # Lengths only grow, so a run past the limit is never followed by one within it.
        better = (room > extra) & (length <= limit) & (total > best)
        best[better] = total[better]
        best_extra[better] = extra
    starts = ends - counts
    runs: list[list[Run]] = []
    bests = best.tolist()
    extras = best_extra.tolist()
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        if not count:
            runs.append([(0.0, 0, 0)])
            continue
        article = bests[start : start + count]
        if n == 1:  # the first best, without sorting them all
            first = article.index(max(article))
            runs.append([(article[first], first, first + extras[start + first])])
            continue
        ordered = sorted(range(count), key=lambda first: (-article[first], first))
        chosen = [(article[ordered[0]], ordered[0], ordered[0] + extras[start + ordered[0]])]
        for first in ordered[1:]:
            if len(chosen) == n:
                break
            last = first + extras[start + first]
            if all(last < c[1] or first > c[2] for c in chosen):
                chosen.append((article[first], first, last))
        runs.append(chosen)
    return runs
