"""Our BM25 arithmetic against rank_bm25, the reference implementation."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.bm25 import idf, term_frequency_weights
from retrieval.index import Bm25Params, FieldIndex, Postings

WORDS = [f"w{i}" for i in range(30)]
documents = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=25), min_size=3, max_size=40
)


def our_scores(corpus, query, params):
    vocab = {}
    units, keys = [], []
    for unit, doc in enumerate(corpus):
        for token in doc:
            units.append(unit)
            keys.append(vocab.setdefault(token, len(vocab)))
    field = FieldIndex.build(
        np.array(units, np.int32), np.array(keys, np.int64), len(corpus), params
    )
    counts = {}
    for token in query:
        if token in vocab:
            counts[vocab[token]] = counts.get(vocab[token], 0) + 1
    scores = np.zeros(len(corpus), np.float32)
    field.add_scores(
        scores, np.array(list(counts), np.int64), np.array(list(counts.values()), np.float32)
    )
    return scores


@settings(max_examples=60, deadline=None)
@given(documents, st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_okapi_variant_reproduces_rank_bm25(corpus, query):
    reference = BM25Okapi(corpus, k1=1.5, b=0.75, epsilon=0.25)
    ours = our_scores(corpus, query, Bm25Params(k1=1.5, b=0.75, idf="okapi"))
    assert np.allclose(ours, reference.get_scores(query), rtol=1e-5, atol=1e-5)


def test_okapi_floor_gives_common_words_more_weight_than_rarer_ones():
    # The reason we index with the Lucene idf: with Okapi's epsilon floor a word in 97 %
    # of the units can outweigh one in 40 %.
    df = np.array([970, 400, 49, *[1] * 50])  # a realistic vocabulary: mostly rare words
    okapi = idf(df, 1000, "okapi")
    lucene = idf(df, 1000, "lucene")
    assert okapi[0] > okapi[1]
    assert np.all(np.diff(lucene) >= 0)
    assert np.all(lucene > 0)


def test_unknown_idf_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="lucene"):
        idf(np.array([1]), 10, "bm25x")


def test_too_common_terms_can_be_left_out():
    corpus = [["a", "b"], ["a", "c"], ["a", "d"], ["e"]]
    keep_all = our_scores(corpus, ["a", "b"], Bm25Params())
    pruned = our_scores(corpus, ["a", "b"], Bm25Params(max_df_ratio=0.5))
    assert keep_all[1] > 0 and pruned[1] == 0  # "a" is in 3 of 4 units
    assert pruned[0] > 0  # "b" still counts


def test_unit_numbers_past_16_bits_round_trip_through_the_bit_planes():
    rng = np.random.default_rng(7)
    n_units = 300_000  # 19 bits: three bit-planes above the 16 low bits
    units = np.sort(rng.integers(0, n_units, 5000)).astype(np.int32)
    keys = rng.integers(0, 40, len(units)).astype(np.int64)
    field = FieldIndex.build(units, keys, n_units, Bm25Params())
    assert field.units_high.shape[0] == 3 and field.units_low.dtype == np.uint16
    order = np.lexsort((units, keys))
    expected = np.unique(np.stack([keys[order], units[order]]), axis=1)  # distinct pairs
    decoded = np.concatenate(
        [field.units(int(a), int(b)) for a, b in zip(field.indptr[:-1], field.indptr[1:], strict=True)]
    )
    assert decoded.tolist() == expected[1].tolist()
    # and every posting's score lands on its own unit
    scores = field.presence_at(
        np.arange(n_units), field.keys.astype(np.int64), np.ones(len(field.keys), np.float32)
    )
    assert set(np.flatnonzero(scores).tolist()) == set(units.tolist())


@pytest.mark.parametrize("n_units", [40_000, 70_000, 300_000, 2**20 + 5, 2**24 + 10])
def test_whole_lists_decode_to_the_units_they_were_indexed_with(n_units):
    """`list_units` (many lists at once, the high bits unpacked from the lists' bytes;
    past eight planes four bytes wide) gives each list's units as they were indexed, for
    lists in any order, repeated, sharing bytes at their ends."""
    rng = np.random.default_rng(n_units)
    units = rng.integers(0, n_units, 6000).astype(np.int32)
    units[:2] = (0, n_units - 1)
    keys = rng.integers(0, 50, len(units)).astype(np.int64)
    field = FieldIndex.build(units, keys, n_units, Bm25Params())
    assert field.units_high.shape[0] == max(0, (n_units - 1).bit_length() - 16)
    indptr = field.indptr.astype(np.intp)
    pairs = np.unique(np.stack([keys, units]), axis=1)  # (key, unit), sorted: the postings
    indexed = [pairs[1][pairs[0] == key] for key in field.keys.tolist()]
    for columns in (np.arange(len(field.keys)), rng.permutation(len(field.keys))[:7],
                    np.asarray([3, 3, 0, len(field.keys) - 1])):
        starts, lengths = indptr[columns], indptr[columns + 1] - indptr[columns]
        decoded = field.list_units(starts, lengths)
        expected = np.concatenate([indexed[c] for c in columns.tolist()])
        assert decoded.tolist() == expected.tolist()
    assert field.list_units(indptr[:1], indptr[:1] * 0).tolist() == []
    assert field.list_units(indptr[:0], indptr[:0]).tolist() == []


def test_a_unit_past_the_field_is_refused_not_scored_as_another():
    """Unit numbers are not range-checked at load (that would page the field in): a
    damaged list must fail the search, never add its weight to a wrapped-around unit."""
    units = np.arange(0, 40_000, 7, dtype=np.int32)
    field = FieldIndex.build(units, np.zeros(len(units), np.int64), 40_000, Bm25Params())
    damaged = field.units_low.copy()
    damaged[-1] = 50_000  # fits the 16 low bits, past the 40,000 units
    broken = dataclasses.replace(field, units_low=damaged)
    scores = np.zeros(40_000, np.float32)
    field.add_scores(scores, np.zeros(1, np.int64), np.ones(1, np.float32))
    with pytest.raises(IndexError):
        broken.add_scores(np.zeros(40_000, np.float32), np.zeros(1, np.int64),
                          np.ones(1, np.float32))
    assert np.count_nonzero(scores) == len(units)


def test_scores_equal_precomputed_bm25_impacts_bit_for_bit():
    rng = np.random.default_rng(3)
    units = rng.integers(0, 500, 20_000).astype(np.int32)
    keys = rng.integers(0, 300, len(units)).astype(np.int64)
    params = Bm25Params(k1=1.0, b=0.8)
    field = FieldIndex.build(units, keys, 500, params)
    # the formula as the build used to store it, per posting, all postings at once
    df = np.diff(field.indptr.astype(np.int64))
    all_units = np.concatenate(
        [field.units(int(a), int(b)) for a, b in zip(field.indptr[:-1], field.indptr[1:], strict=True)]
    )
    lengths = np.bincount(units, minlength=500).astype(np.float32)
    expected = term_frequency_weights(
        field.tf.astype(np.float32), lengths[all_units], float(lengths.mean()), 1.0, 0.8
    )
    expected *= np.repeat(idf(df, 500, "lucene").astype(np.float32), df)
    assert np.array_equal(field.all_impacts(), expected)


@pytest.mark.parametrize("key_range", [300, 2**30])  # a 32-bit sort, a 64-bit sort
def test_counting_gives_sorted_term_frequencies_at_either_width(key_range):
    rng = np.random.default_rng(11)
    units = rng.integers(0, 1000, 30_000).astype(np.int32)
    keys = rng.integers(0, key_range, len(units)).astype(np.int64)
    counted = Postings.count(units, keys, 1000)
    pairs, tf = np.unique(np.stack([keys, units]), axis=1, return_counts=True)
    assert counted.keys.dtype == np.int64
    assert counted.keys.tolist() == pairs[0].tolist()
    assert counted.units.tolist() == pairs[1].tolist()
    assert counted.tf.tolist() == tf.tolist()


def _bit_plane_field() -> FieldIndex:
    """Units past 16 bits (two bit-planes), lists of every length from one to thousands."""
    rng = np.random.default_rng(5)
    n_units = 200_000
    units = rng.integers(0, n_units, 40_000).astype(np.int32)
    keys = np.minimum(rng.zipf(1.3, len(units)), 500).astype(np.int64)
    return FieldIndex.build(units, keys, n_units, Bm25Params(k1=1.0, b=0.8))


def test_all_terms_at_once_give_the_float32_sums_of_adding_one_term_after_the_other():
    """`add_scores` weighs every list of a question in one pass; a unit held by several
    of its terms must get each term's share, in the question's order, in float32."""
    field = _bit_plane_field()
    rng = np.random.default_rng(6)
    query = np.concatenate([field.keys[:40].astype(np.int64), [10**6, -1], field.keys[:3]])
    weights = rng.uniform(0.1, 3.0, len(query)).astype(np.float32)
    expected = np.full(field.n_units, 0.25, np.float32)
    for key, weight in zip(query.tolist(), weights.tolist(), strict=True):
        column = int(field.columns(np.asarray([key]))[0])
        if column >= 0:
            start, end = int(field.indptr[column]), int(field.indptr[column + 1])
            units = field.units(start, end)
            expected[units] += np.float32(weight) * field.impacts(start, end, column, units)
    scores = np.full(field.n_units, 0.25, np.float32)
    field.add_scores(scores, query, weights)
    assert np.count_nonzero(expected != 0.25) > 10_000
    assert np.array_equal(scores, expected)


def test_presence_at_the_candidates_is_each_lists_weight_added_in_key_order():
    field = _bit_plane_field()
    rng = np.random.default_rng(8)
    query = np.concatenate([field.keys[:60].astype(np.int64), [10**6]])
    weights = rng.uniform(-1.0, 3.0, len(query)).astype(np.float32)
    held = field.units(int(field.indptr[0]), int(field.indptr[1]))
    candidates = np.concatenate([rng.integers(0, field.n_units, 300), held[:50],
                                 [0, field.n_units - 1]])
    expected = np.zeros(len(candidates), np.float32)
    for key, weight in zip(query.tolist(), weights.tolist(), strict=True):
        column = int(field.columns(np.asarray([key]))[0])
        if column >= 0:
            units = field.units(int(field.indptr[column]), int(field.indptr[column + 1]))
            expected[np.isin(candidates, units)] += np.float32(weight)
    found = field.presence_at(candidates, query, weights)
    assert np.count_nonzero(expected) > 50
    assert np.array_equal(found, expected)
    assert not field.presence_at(np.zeros(0, np.intp), query, weights).size


def test_a_scoring_pass_hands_back_the_units_and_impacts_of_the_lists_it_read():
    """What `add_scores` decoded is reused by the question's later reads (the title
    discount), so it must be each list's units and BM25 contributions exactly, and
    nothing for lists it did not read."""
    field = _bit_plane_field()
    query = np.concatenate([field.keys[5:30].astype(np.int64), [10**6], field.keys[5:6]])
    read = field.add_scores(np.zeros(field.n_units, np.float32), query,
                            np.full(len(query), 2.5, np.float32))
    assert read is not None
    assert sorted(read.columns) == list(range(5, 30))
    for column, at in read.columns.items():
        start, end = int(field.indptr[column]), int(field.indptr[column + 1])
        units = read.units[read.bounds[at] : read.bounds[at + 1]]
        impacts = read.impacts[read.bounds[at] : read.bounds[at + 1]]
        assert units.tolist() == field.units(start, end).tolist()
        # Before the question's weight (2.5): the title discount applies its own.
        assert np.array_equal(impacts, field.impacts(start, end, column, units))
    unknown = np.asarray([10**6], np.int64)
    assert field.add_scores(np.zeros(field.n_units, np.float32), unknown,
                            np.ones(1, np.float32)) is None


def test_keys_out_of_the_fields_range_have_no_column():
    """A question's key can be -1 (a term never seen) or wider than the field's key
    type (a pair of two late words); converted to the narrower type it would wrap onto
    some other key."""
    field = _bit_plane_field()
    assert field.keys.dtype == np.uint32
    known = int(field.keys[3])
    query = np.asarray([known, -1, known + (1 << 32), known - (1 << 32), 10**6], np.int64)
    assert field.columns(query).tolist() == [3, -1, -1, -1, -1]
    assert field.columns(np.zeros(0, np.int64)).tolist() == []
