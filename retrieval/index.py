"""A BM25 field index: postings in contiguous numpy arrays, scores precomputed.

Each field (accented unigrams, folded bigrams, …) is an inverted index over integer term
keys. At build time every posting gets its BM25 contribution (`impact`), so a query only
adds the impacts of its terms' postings into a score vector: the cost follows the
postings of the query's terms, never a Python loop over every unit.

Build is a sort: each (term, unit) occurrence becomes one int64 ``key << unit_bits |
unit``; after `np.sort`, equal neighbours are term frequencies and key changes are the
posting-list boundaries. No dictionaries, no per-token Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from retrieval.bm25 import IdfVariant, idf, term_frequency_weights
from retrieval.errors import IndexBuildError

__all__ = ["Bm25Params", "FieldIndex", "Postings"]

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Bm25Params:
    """BM25 parameters of one field."""

    k1: float = 1.2
    b: float = 0.75
    idf: IdfVariant = "lucene"
    # Terms in more than this share of the units are left out of the field: at passage
    # level the hundred commonest syllables ("của", "và", "năm") hold half the postings
    # and, measured on the dev set, only blur which paragraph answers.
    max_df_ratio: float = 1.0


@dataclass(frozen=True, slots=True)
class Postings:
    """Term frequencies: one entry per (term, unit) pair, sorted by term key then unit."""

    n_units: int
    keys: Int64Array
    units: Int32Array
    tf: FloatArray

    @classmethod
    def count(cls, unit_of_token: Int32Array, term_keys: Int64Array, n_units: int) -> Postings:
        """Count the occurrences ``(unit_of_token[i], term_keys[i])``."""
        if len(unit_of_token) != len(term_keys):
            raise IndexBuildError("unit and term arrays differ in length")
        unit_bits = max(1, int(n_units).bit_length())
        if len(term_keys) and int(term_keys.max()) >= 1 << (63 - unit_bits):
            raise IndexBuildError("term keys too large for the unit count")
        combined = term_keys.astype(np.int64) << unit_bits
        combined |= unit_of_token
        combined.sort()
        if not len(combined):
            return cls(n_units, combined, np.zeros(0, np.int32), np.zeros(0, np.float32))
        starts = np.flatnonzero(np.concatenate(([True], combined[1:] != combined[:-1])))
        tf = np.empty(len(starts), np.float32)
        tf[:-1] = np.diff(starts)
        tf[-1] = len(combined) - starts[-1]
        pairs = combined[starts]
        del combined, starts
        units = (pairs & ((1 << unit_bits) - 1)).astype(np.int32)
        pairs >>= unit_bits
        return cls(n_units, pairs, units, tf)

    def select(self, mask: npt.NDArray[np.bool_], new_units: Int32Array, n_units: int) -> Postings:
        """The postings where `mask` holds, their units renumbered by `new_units`."""
        return Postings(n_units, self.keys[mask], new_units[self.units[mask]], self.tf[mask])

    def merge_units(self, unit_map: Int32Array, n_units: int) -> Postings:
        """Postings of larger units (``unit_map[u]``, non-decreasing in ``u``: passages to
        their article), term frequencies summed. Order is kept, so no sort is needed."""
        units = unit_map[self.units]
        if not len(units):
            return Postings(n_units, self.keys, units, self.tf)
        new = np.concatenate(
            ([True], (self.keys[1:] != self.keys[:-1]) | (units[1:] != units[:-1]))
        )
        starts = np.flatnonzero(new)
        return Postings(
            n_units, self.keys[starts], units[starts], np.add.reduceat(self.tf, starts)
        )


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """Postings of one field: for term column ``c``, units ``units[indptr[c]:indptr[c+1]]``
    with BM25 contributions ``impacts[...]``; ``keys`` (sorted) maps term keys to columns."""

    n_units: int
    keys: Int64Array
    indptr: Int64Array
    units: Int32Array
    impacts: FloatArray
    idf: npt.NDArray[np.float32]

    PARTS: ClassVar[tuple[str, ...]] = ("keys", "indptr", "units", "impacts", "idf")

    @classmethod
    def build(
        cls, unit_of_token: Int32Array, term_keys: Int64Array, n_units: int, params: Bm25Params
    ) -> FieldIndex:
        """Index the occurrences ``(unit_of_token[i], term_keys[i])``; lengths are counted
        from them, so a unit's length is its number of terms in this field."""
        return cls.from_postings(Postings.count(unit_of_token, term_keys, n_units), params)

    @classmethod
    def from_postings(cls, postings: Postings, params: Bm25Params) -> FieldIndex:
        """Score counted postings with BM25 (`params`), dropping too common terms."""
        n_units = postings.n_units
        keys, units, tf = postings.keys, postings.units, postings.tf
        if len(keys):
            column_starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        else:
            column_starts = np.zeros(0, np.int64)
        column_keys = keys[column_starts]
        df = np.empty(len(column_starts), np.int64)
        if len(df):
            df[:-1] = np.diff(column_starts)
            df[-1] = len(units) - column_starts[-1]
        lengths = np.bincount(units, weights=tf, minlength=n_units).astype(np.float32)
        if params.max_df_ratio < 1.0 and len(df):
            keep_column = df <= params.max_df_ratio * n_units
            keep = np.repeat(keep_column, df)
            column_keys, df = column_keys[keep_column], df[keep_column]
            units, tf = units[keep], tf[keep]
        indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        average = float(lengths.mean()) if n_units and lengths.mean() > 0 else 1.0
        term_idf = idf(df, n_units, params.idf) if len(df) else np.zeros(0)
        weights = term_frequency_weights(tf, lengths[units], average, params.k1, params.b)
        weights *= np.repeat(term_idf.astype(np.float32), df)
        return cls(n_units, column_keys, indptr, units, weights, term_idf.astype(np.float32))

    def columns(self, term_keys: Int64Array) -> Int64Array:
        """Column of each key, or -1 for keys the field has never seen."""
        found = np.searchsorted(self.keys, term_keys)
        found = np.minimum(found, max(len(self.keys) - 1, 0))
        hit = (self.keys[found] == term_keys) if len(self.keys) else np.zeros(len(term_keys), bool)
        return np.where(hit, found, -1)

    def add_scores(
        self,
        scores: npt.NDArray[np.float32],
        term_keys: Int64Array,
        weights: npt.NDArray[np.float32],
    ) -> None:
        """``scores[u] += weight × impact(term, u)`` for every posting of every term."""
        for start, end, weight in self._postings(term_keys, weights):
            scores[self.units[start:end]] += weight * self.impacts[start:end]

    def add_presence(
        self,
        scores: npt.NDArray[np.float32],
        term_keys: Int64Array,
        weights: npt.NDArray[np.float32],
    ) -> None:
        """``scores[u] += weight`` for every unit holding the term, whatever its frequency."""
        for start, end, weight in self._postings(term_keys, weights):
            scores[self.units[start:end]] += weight

    def _postings(
        self, term_keys: Int64Array, weights: npt.NDArray[np.floating]
    ) -> Iterator[tuple[int, int, np.float32]]:
        """(start, end, weight) of the posting range of every known term."""
        for column, weight in zip(self.columns(term_keys).tolist(), weights.tolist(), strict=True):
            if column >= 0:
                yield int(self.indptr[column]), int(self.indptr[column + 1]), np.float32(weight)

    def units_contain(self, term_keys: Int64Array, unit: int) -> npt.NDArray[np.bool_]:
        """For each key, whether the term occurs in `unit` (postings are sorted by unit)."""
        result = np.zeros(len(term_keys), np.bool_)
        for i, column in enumerate(self.columns(term_keys).tolist()):
            if column >= 0:
                units = self.units[self.indptr[column] : self.indptr[column + 1]]
                found = int(np.searchsorted(units, unit))
                result[i] = found < len(units) and units[found] == unit
        return result

    def add_scores_in_range(
        self,
        scores: npt.NDArray[np.float32],
        term_keys: Int64Array,
        weights: npt.NDArray[np.floating],
        first_unit: int,
        end_unit: int,
    ) -> None:
        """Like `add_scores` for units ``first_unit <= u < end_unit`` only, into
        ``scores[u - first_unit]``: one article's passages, without touching the rest."""
        for column, weight in zip(self.columns(term_keys).tolist(), weights.tolist(), strict=True):
            if column < 0:
                continue
            units = self.units[self.indptr[column] : self.indptr[column + 1]]
            lo, hi = np.searchsorted(units, [first_unit, end_unit])
            if hi > lo:
                offset = self.indptr[column]
                scores[units[lo:hi] - first_unit] += (
                    np.float32(weight) * self.impacts[offset + lo : offset + hi]
                )

    def term_idf(self, term_keys: Int64Array) -> npt.NDArray[np.float32]:
        """Idf of each key (0 for unknown keys): how much a match on it says."""
        columns = self.columns(term_keys)
        return np.where(
            columns >= 0, self.idf[np.maximum(columns, 0)] if len(self.idf) else 0, 0
        ).astype(np.float32)

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """The arrays that make up the field, for storage."""
        return {part: getattr(self, part) for part in self.PARTS}

    @classmethod
    def from_arrays(cls, n_units: int, parts: dict[str, npt.NDArray[np.generic]]) -> FieldIndex:
        """Rebuild from `arrays` output; raises ValueError when they do not fit together."""
        index = cls(n_units, **parts)  # type: ignore[arg-type]
        if len(index.indptr) != len(index.keys) + 1 or int(index.indptr[-1]) != len(index.units):
            raise ValueError("postings arrays do not fit together")
        if len(index.impacts) != len(index.units) or len(index.idf) != len(index.keys):
            raise ValueError("postings arrays do not fit together")
        if len(index.units) and int(index.units.max()) >= n_units:
            raise ValueError("unit number out of range")
        return index
