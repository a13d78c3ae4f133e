"""BM25 arithmetic, vectorised over numpy arrays.

rank_bm25's `BM25Okapi` is the reference: with ``idf="okapi"`` these functions give its
scores (tests compare them on the same tokens). The index uses ``idf="lucene"``,
``ln(1 + (N - df + 0.5) / (df + 0.5))``: always positive and falling with df. Okapi's
idf goes negative for terms in more than half the units and rank_bm25 floors those at
``epsilon × mean idf`` -- at article level on this corpus that floor gives "và" (97 % of
articles) more weight than "hải quan" (27 %). See docs/benchmarks.md for the measurement.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["IdfVariant", "idf", "term_frequency_weights"]

IdfVariant = Literal["lucene", "okapi"]


def idf(
    df: npt.NDArray[np.integer],
    n_units: int,
    variant: IdfVariant = "lucene",
    epsilon: float = 0.25,
) -> npt.NDArray[np.float64]:
    """Inverse document frequency of each term.

    `okapi` reproduces rank_bm25 0.2.2: negative values are replaced by
    ``epsilon * average_idf`` where the average runs over the terms given (all of
    them, as rank_bm25 averages over its whole vocabulary).
    """
    df64 = df.astype(np.float64)
    if variant == "lucene":
        return np.log1p((n_units - df64 + 0.5) / (df64 + 0.5))
    if variant == "okapi":
        raw = np.log(n_units - df64 + 0.5) - np.log(df64 + 0.5)
        floor = epsilon * (raw.sum() / len(raw)) if len(raw) else 0.0
        return np.where(raw < 0, floor, raw)
    raise ValueError(f"unknown idf variant {variant!r}; expected 'lucene' or 'okapi'")


def term_frequency_weights(
    tf: npt.NDArray[np.float32],
    unit_length: npt.NDArray[np.float32],
    average_length: float,
    k1: float,
    b: float,
) -> npt.NDArray[np.float32]:
    """The tf part of BM25, ``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``, per posting.

    In float32, in place where possible: it runs over tens of millions of postings, and
    the index stores float32 anyway."""
    # A new array, ours to overwrite, made by the first operation rather than a copy.
    norm = np.multiply(unit_length, np.float32(k1 * b / average_length), dtype=np.float32)
    norm += np.float32(k1 * (1.0 - b))
    norm += tf
    result = tf * np.float32(k1 + 1.0)
    result /= norm
    return result
