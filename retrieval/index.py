"""A BM25 field index: postings in contiguous, compact numpy arrays.

Each field (accented unigrams, folded bigrams, …) is an inverted index over integer term
keys. A query adds the BM25 contributions of its terms' postings into a score vector,
computed from the stored term frequencies for those postings only: the cost follows the
postings of the query's terms, never a Python loop over every unit, and the arrays stay
small enough to be memory-mapped from the cache and read only where a query looks.

Build is a sort: each (term, unit) occurrence becomes one int64 ``key << unit_bits |
unit``; after `np.sort`, equal neighbours are term frequencies and key changes are the
posting-list boundaries. No dictionaries, no per-token Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from retrieval.bm25 import IdfVariant, idf, term_frequency_weights
from retrieval.errors import IndexBuildError

__all__ = ["Bm25Params", "FieldIndex", "ListsRead", "Postings", "pack_units", "ranges"]

Int64Array = npt.NDArray[np.int64]
KeyArray = npt.NDArray[np.uint32] | npt.NDArray[np.int64]
UnitLow = npt.NDArray[np.uint16]
UnitHigh = npt.NDArray[np.uint8]
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
        max_key = int(term_keys.max()) if len(term_keys) else 0
        # Unigram keys and unit numbers fit 32 bits together: a 32-bit sort is ~40 %
        # faster, and the index is rebuilt on every reload.
        wide = np.int64 if max_key.bit_length() + unit_bits > 32 else np.uint32
        combined = term_keys.astype(wide) << wide(unit_bits)
        combined |= unit_of_token.astype(wide)
        combined.sort()
        if not len(combined):
            return cls(
                n_units, np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32)
            )
        starts = np.flatnonzero(np.concatenate(([True], combined[1:] != combined[:-1])))
        tf = np.empty(len(starts), np.float32)
        tf[:-1] = np.diff(starts)
        tf[-1] = len(combined) - starts[-1]
        pairs = combined[starts]
        del combined, starts
        units = (pairs & wide((1 << unit_bits) - 1)).astype(np.int32)
        return cls(n_units, (pairs >> wide(unit_bits)).astype(np.int64), units, tf)

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


def ranges(starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, without the loop."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.intp)
    ends = np.cumsum(lengths)
    return np.arange(total) + np.repeat(starts - (ends - lengths), lengths)


def _lists(
    array: npt.NDArray[np.generic], starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp],
    dtype: npt.DTypeLike = None,
) -> npt.NDArray[np.generic]:
    """``array[ranges(starts, lengths)].astype(dtype)``, copied slice by slice: a
    question's lists are a few dozen long runs, and copying runs costs less than
    gathering every element through an index array (converted as they are copied)."""
    dtype = array.dtype if dtype is None else dtype
    if len(starts) <= 1:
        start, length = (int(starts[0]), int(lengths[0])) if len(starts) else (0, 0)
        return array[start : start + length].astype(dtype)
    return np.concatenate(
        [array[a : a + n] for a, n in zip(starts.tolist(), lengths.tolist(), strict=True)],
        dtype=dtype,
    )


def _smallest_uint(max_value: int) -> type[np.unsignedinteger]:
    """The narrowest unsigned dtype that holds `max_value`."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_value <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def pack_units(units: npt.NDArray[np.integer], n_units: int) -> tuple[UnitLow, UnitHigh]:
    """Unit numbers as their low 16 bits plus one packed bit-plane per higher bit.

    104,684 passages need 17 bits: 2 bytes and 1 bit per posting instead of 4 bytes."""
    planes = max(0, int(max(n_units - 1, 0)).bit_length() - 16)
    low = (units & 0xFFFF).astype(np.uint16)
    high = np.zeros((planes, (len(units) + 7) // 8), np.uint8)
    for plane in range(planes):
        high[plane] = np.packbits(((units >> (16 + plane)) & 1).astype(np.uint8))
    return low, high


@dataclass(frozen=True, slots=True)
class ListsRead:
    """The units and BM25 contributions of the posting lists one `FieldIndex.add_scores`
    call read, kept so that the question's later reads of the same lists (the title
    discount of the pool's windows reads the lists of the title's words, the longest
    ones) neither decode nor weigh them again."""

    columns: dict[int, int]  # column -> its list's number among those read
    bounds: list[int]  # list i's units are units[bounds[i]:bounds[i + 1]]
    units: npt.NDArray[np.intp]
    # Each posting's BM25 contribution (`FieldIndex.impacts`), before the question's
    # weights: the title discount subtracts a share of some of them again.
    impacts: FloatArray


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """Postings of one field: for term column ``c``, the units of positions
    ``indptr[c]:indptr[c+1]`` with their term frequencies; ``keys`` (sorted) maps term
    keys to columns.

    Compact so that it can be memory-mapped and only the postings a query reads are ever
    paged in: units as 16 low bits plus bit-planes (`pack_units`), term frequencies and
    keys in the narrowest unsigned type that holds them. BM25 contributions are computed
    from ``tf``, the unit lengths and the idf for the postings a query touches, with the
    same float32 operations in the same order as at build time, so scores are exactly
    what precomputed impacts gave, at a quarter of the storage.
    """

    n_units: int
    keys: KeyArray
    indptr: npt.NDArray[np.unsignedinteger]
    units_low: UnitLow
    units_high: UnitHigh
    tf: npt.NDArray[np.unsignedinteger]
    idf: FloatArray
    lengths: FloatArray
    average: float
    k1: float
    b: float

    PARTS: ClassVar[tuple[str, ...]] = (
        "keys", "indptr", "units_low", "units_high", "tf", "idf", "lengths"
    )
    SCALARS: ClassVar[tuple[str, ...]] = ("average", "k1", "b")

    @classmethod
    def build(
        cls, unit_of_token: Int32Array, term_keys: Int64Array, n_units: int, params: Bm25Params
    ) -> FieldIndex:
        """Index the occurrences ``(unit_of_token[i], term_keys[i])``; lengths are counted
        from them, so a unit's length is its number of terms in this field."""
        return cls.from_postings(Postings.count(unit_of_token, term_keys, n_units), params)

    @classmethod
    def from_postings(cls, postings: Postings, params: Bm25Params) -> FieldIndex:
        """Count BM25 statistics of counted postings (`params`), dropping too common terms."""
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
        indptr = np.concatenate(([0], np.cumsum(df))).astype(
            np.uint32 if len(units) <= np.iinfo(np.uint32).max else np.uint64
        )
        average = float(lengths.mean()) if n_units and lengths.mean() > 0 else 1.0
        term_idf = idf(df, n_units, params.idf) if len(df) else np.zeros(0)
        max_key = int(column_keys.max()) if len(column_keys) else 0
        key_type = np.uint32 if max_key <= np.iinfo(np.uint32).max else np.int64
        low, high = pack_units(units, n_units)
        max_tf = int(tf.max()) if len(tf) else 0
        return cls(
            n_units,
            column_keys.astype(key_type),
            indptr,
            low,
            high,
            tf.astype(_smallest_uint(max_tf)),
            term_idf.astype(np.float32),
            lengths,
            average,
            params.k1,
            params.b,
        )

    # -- reading postings ----------------------------------------------------------------

    def units(self, start: int, end: int) -> npt.NDArray[np.intp]:
        """Unit numbers of postings ``start:end`` (one list, or part of one), unpacked."""
        return self.list_units(
            np.asarray([start], np.intp), np.asarray([max(end - start, 0)], np.intp)
        )

    def impacts(
        self, start: int, end: int, column: int, units: npt.NDArray[np.intp]
    ) -> FloatArray:
        """BM25 contributions of postings ``start:end`` of `column` (whose units are
        `units`): `term_frequency_weights` times idf, as the build computed them."""
        return self._impacts(self.tf[start:end], column, units)

    def _impacts(
        self, tf: npt.NDArray[np.generic], column: int, units: npt.NDArray[np.intp]
    ) -> FloatArray:
        weights = term_frequency_weights(
            tf.astype(np.float32), self.lengths.take(units), self.average, self.k1, self.b
        )
        weights *= self.idf[column]
        return weights

    def all_impacts(self) -> FloatArray:
        """Every posting's contribution, in posting order (for tests and comparisons)."""
        result = np.zeros(len(self.tf), np.float32)
        for column in range(len(self.keys)):
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            result[start:end] = self.impacts(start, end, column, self.units(start, end))
        return result

    def columns(self, term_keys: Int64Array) -> Int64Array:
        """Column of each key, or -1 for keys the field has never seen."""
        term_keys = np.asarray(term_keys, np.int64)
        keys = self.keys
        if not len(keys):
            return np.full(len(term_keys), -1, np.int64)
        # Probe with the keys' own dtype: searchsorted would otherwise convert (copy) the
        # whole key array on every call. A key out of the dtype's range (-1 for an
        # unknown term, a wide pair) changes in the conversion and is refused for it.
        # Few numpy calls: this runs a few dozen times per question, on a handful of keys.
        probe = term_keys.astype(keys.dtype)
        found = keys.searchsorted(probe)
        np.minimum(found, len(keys) - 1, out=found)
        hit = keys[found] == probe
        hit &= probe == term_keys
        return np.where(hit, found, -1)

    def list_units(
        self, starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """The units of whole posting lists (those at ``ranges(starts, lengths)``),
        laid end to end.

        The low bits are the lists' slices copied end to end, not gathered posting by
        posting; the high bits are unpacked from each list's bytes (`np.unpackbits`
        over the lists' byte ranges, the planes combined a byte at a time) and picked
        out once: a question reads hundreds of thousands of postings at five times the
        corpus, in four planes."""
        units = _lists(self.units_low, starts, lengths, np.intp)
        if not len(self.units_high) or not len(units):
            return units
        first = starts >> 3
        n_bytes = ((starts + lengths + 7) >> 3) - first
        chunk = np.cumsum(n_bytes) - n_bytes  # where each list's bytes start, unpacked / 8
        wanted = ranges(chunk * 8 + (starts & 7), lengths)
        span = ranges(first, n_bytes)
        wide = np.uint8 if len(self.units_high) <= 8 else np.uint32
        high = np.unpackbits(self.units_high[0].take(span)).astype(wide, copy=False)
        for plane, bits in enumerate(self.units_high[1:], start=1):
            unpacked = np.unpackbits(bits.take(span)).astype(wide, copy=False)
            unpacked <<= plane
            high |= unpacked
        # `wanted` is inside `high` by construction: numpy's wrapping gather skips the
        # checks that cost a third of a plain `take`.
        units |= np.left_shift(high.take(wanted, mode="wrap"), 16, dtype=np.intp)
        return units

    def add_scores(
        self,
        scores: npt.NDArray[np.float32],
        term_keys: Int64Array,
        weights: npt.NDArray[np.float32],
    ) -> ListsRead | None:
        """``scores[u] += weight × impact(term, u)`` for every posting of every term;
        returns the lists' decoded units and
        contributions (None: no key is in this field).

        All the terms' postings are read and weighed at once and added in term order
        (`np.add.at` adds element by element, in order): the float32 sums are exactly
        those of adding one term's list after the other, without a dozen numpy calls
        per term — a question has about a hundred (level, field, term) lists."""
        columns = self.columns(term_keys)
        known = columns >= 0
        if not known.any():
            return None
        columns = columns[known]
        starts = self.indptr[columns].astype(np.intp)
        lengths = self.indptr[columns + 1].astype(np.intp) - starts
        units = self.list_units(starts, lengths)
        # Units past the lengths would wrap here, but `np.add.at` below refuses them.
        impacts = term_frequency_weights(
            _lists(self.tf, starts, lengths, np.float32), self.lengths.take(units, mode="wrap"),
            self.average, self.k1, self.b,
        )
        impacts *= np.repeat(self.idf[columns], lengths)
        np.add.at(scores, units, impacts * np.repeat(np.asarray(weights, np.float32)[known],
                                                     lengths))
        bounds = [0, *np.cumsum(lengths).tolist()]
        return ListsRead(
            {column: i for i, column in enumerate(columns.tolist())}, bounds, units, impacts
        )

    def presence_at(
        self,
        units: npt.NDArray[np.integer],
        term_keys: Int64Array,
        weights: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        """``weight`` summed, in key order and in float32, over the keys whose posting
        list holds the unit, for each of `units` (sorted or not). The lists are searched
        for those units, not read whole into a score vector: the candidates of a question
        are a few dozen, a common term's list holds most of a level's units.

        All lists are searched at once: laid end to end, (list number, unit) pairs are
        sorted, so one `searchsorted` finds every candidate in every list."""
        result = np.zeros(len(units), np.float32)
        if not len(units) or not len(term_keys):  # most questions have no figure or code
            return result
        columns = self.columns(term_keys)
        known = columns >= 0
        if not known.any():
            return result
        columns = columns[known]
        starts = self.indptr[columns].astype(np.intp)
        lengths = self.indptr[columns + 1].astype(np.intp) - starts
        span = np.int64(self.n_units + 1)
        lists = np.repeat(np.arange(len(columns), dtype=np.int64), lengths)
        held = lists * span + self.list_units(starts, lengths)
        wanted = (np.arange(len(columns), dtype=np.int64)[:, None] * span
                  + np.asarray(units, np.int64)[None, :])
        at = np.minimum(np.searchsorted(held, wanted), max(len(held) - 1, 0))
        found = held.take(at) == wanted if len(held) else np.zeros(wanted.shape, np.bool_)
        added = found * np.asarray(weights, np.float32)[known][:, None]
        # Row after row, as adding one key's weight after the other (cumsum never pairs).
        return np.cumsum(added, axis=0, dtype=np.float32)[-1]

    def units_contain(self, term_keys: Int64Array, unit: int) -> npt.NDArray[np.bool_]:
        """For each key, whether the term occurs in `unit` (postings are sorted by unit)."""
        result = np.zeros(len(term_keys), np.bool_)
        for i, column in enumerate(self.columns(term_keys).tolist()):
            if column >= 0:
                units = self.units(int(self.indptr[column]), int(self.indptr[column + 1]))
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
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            units = self.units(start, end)
            lo, hi = (int(x) for x in np.searchsorted(units, [first_unit, end_unit]))
            if hi > lo:
                inside = units[lo:hi]
                scores[inside - first_unit] += np.float32(weight) * self.impacts(
                    start + lo, start + hi, column, inside
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

    def scalars(self) -> dict[str, float]:
        """The numbers that make up the field besides its arrays, for storage."""
        return {name: float(getattr(self, name)) for name in self.SCALARS}

    @classmethod
    def from_arrays(
        cls,
        n_units: int,
        parts: dict[str, npt.NDArray[np.generic]],
        scalars: dict[str, float],
    ) -> FieldIndex:
        """Rebuild from `arrays` and `scalars` output; raises ValueError when they do not
        fit together. Only lengths and one end are checked: reading every unit number
        would page the whole (memory-mapped) field in."""
        index = cls(n_units, **parts, **{k: float(scalars[k]) for k in cls.SCALARS})  # type: ignore[arg-type]
        n_postings = len(index.units_low)
        if len(index.indptr) != len(index.keys) + 1 or int(index.indptr[-1]) != n_postings:
            raise ValueError("postings arrays do not fit together")
        if len(index.tf) != n_postings or len(index.idf) != len(index.keys):
            raise ValueError("postings arrays do not fit together")
        planes = max(0, int(max(n_units - 1, 0)).bit_length() - 16)
        if index.units_high.shape != (planes, (n_postings + 7) // 8):
            raise ValueError("unit bit-planes do not fit the unit count")
        if len(index.lengths) != n_units:
            raise ValueError("unit lengths do not fit the unit count")
        return index
