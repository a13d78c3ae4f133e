"""All articles' analyses assembled into passage-level and title-level BM25 fields.

Term keys: a syllable's key is its id in one shared vocabulary (accented and folded
forms both live there); a bigram's key is ``first << vocab_bits | second``; document
identifiers have their own small vocabulary. Every step after the per-article loop is a
numpy operation over all tokens at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import FIELDS, Terms, fold
from retrieval.index import Bm25Params, FieldIndex, Postings

__all__ = ["LEVELS", "CorpusIndex", "QueryKeys"]

Keys = npt.NDArray[np.int64]
QueryKeys = dict[str, tuple[Keys, npt.NDArray[np.float32]]]


LEVELS = ("passage", "title", "article")


@dataclass(frozen=True, slots=True)
class CorpusIndex:
    """Three levels of the same fields: passages, titles (one unit per article), and whole
    articles (all passages of an article as one unit, bigrams not crossing passages).

    Passages of article ``a`` are ``article_start[a]:article_start[a+1]``.
    """

    vocab: dict[str, int]
    vocab_bits: int
    id_vocab: dict[str, int]
    levels: dict[str, dict[str, FieldIndex]]
    article_start: npt.NDArray[np.int64]

    @property
    def n_passages(self) -> int:
        """Passages indexed."""
        return int(self.article_start[-1])

    @property
    def n_articles(self) -> int:
        """Articles indexed."""
        return len(self.article_start) - 1

    @classmethod
    def build(
        cls,
        analysed: Sequence[AnalysedArticle],
        params: dict[str, dict[str, Bm25Params]],
        *,
        threads: int = 1,
    ) -> CorpusIndex:
        """Index `analysed` in order; article ``i`` of the index is ``analysed[i]``.

        `params` gives BM25 parameters per level and field; `threads` fields are built
        at once (the same index whatever the number).
        """
        vocab: dict[str, int] = {}
        id_vocab: dict[str, int] = {}
        token_parts: list[npt.NDArray[np.int32]] = []
        joined_parts: list[npt.NDArray[np.bool_]] = []
        offsets: list[npt.NDArray[np.int32]] = []
        id_units: list[int] = []
        id_keys: list[int] = []
        unit = 0
        mappings: dict[int, npt.NDArray[np.int32]] = {}  # articles from a cache share a vocab
        for article in analysed:
            local = mappings.get(id(article.vocab))
            if local is None:
                local = np.fromiter(
                    (vocab.setdefault(word, len(vocab)) for word in article.vocab),
                    dtype=np.int32,
                    count=len(article.vocab),
                )
                mappings[id(article.vocab)] = local
            token_parts.append(local[article.tokens] if len(article.tokens) else article.tokens)
            joined_parts.append(article.joined)
            offsets.append(article.offsets)
            for terms in article.ids:
                for term in terms:
                    id_units.append(unit)
                    id_keys.append(id_vocab.setdefault(term, len(id_vocab)))
                unit += 1
        for word in list(vocab):
            vocab.setdefault(fold(word), len(vocab))
        fold_of = np.fromiter((vocab[fold(w)] for w in vocab), dtype=np.int32, count=len(vocab))
        vocab_bits = max(1, len(vocab).bit_length())

        tokens = np.concatenate(token_parts) if token_parts else np.zeros(0, np.int32)
        del token_parts
        joined = np.concatenate(joined_parts) if joined_parts else np.zeros(0, np.bool_)
        unit_lengths = _unit_lengths(offsets)
        del offsets
        is_title = np.zeros(len(unit_lengths), np.bool_)
        title_units = np.cumsum([len(a.offsets) - 1 for a in analysed]) - 1
        is_title[title_units] = True
        # Each unit's number among passages or among titles.
        rank = np.where(is_title, np.cumsum(is_title) - 1, np.cumsum(~is_title) - 1).astype(
            np.int32
        )
        unit_of_token = np.repeat(np.arange(len(unit_lengths), dtype=np.int32), unit_lengths)

        n_passages = int((~is_title).sum())
        n_articles = len(analysed)
        passage_counts = np.array([a.n_passages for a in analysed], dtype=np.int64)
        article_start = np.concatenate(([0], np.cumsum(passage_counts))).astype(np.int64)

        id_unit_array = np.asarray(id_units, dtype=np.int32)
        article_of_passage = np.repeat(np.arange(n_articles, dtype=np.int32), passage_counts)
        n_units = len(unit_lengths)
        levels: dict[str, dict[str, FieldIndex]] = {level: {} for level in LEVELS}

        # One field at a time per thread, temporaries dropped as we go: the whole corpus
        # is ~8 M tokens, and every int64 copy of it is 64 MB. Counting once over all
        # units, then splitting passages from titles and merging passages into articles,
        # keeps it to one sort per field.
        def build_field(field: str) -> None:
            if field == "ids":
                units, keys = id_unit_array, np.asarray(id_keys, dtype=np.int64)
            else:
                units, keys = _field_keys(
                    field, tokens, joined, fold_of, vocab_bits, unit_of_token
                )
            counted = Postings.count(units, keys, n_units)
            del units, keys
            title_postings = is_title[counted.units]
            passages = counted.select(~title_postings, rank, n_passages)
            titles = counted.select(title_postings, rank, n_articles)
            del counted, title_postings
            built = {
                "passage": FieldIndex.from_postings(passages, params["passage"][field]),
                "title": FieldIndex.from_postings(titles, params["title"][field]),
            }
            articles = passages.merge_units(article_of_passage, n_articles)
            del passages
            built["article"] = FieldIndex.from_postings(articles, params["article"][field])
            for level, field_index in built.items():
                levels[level][field] = field_index

        if threads > 1:
            # numpy sorts and copies without the interpreter lock: fields build side by
            # side, at the cost of their temporaries held at once.
            with ThreadPoolExecutor(threads, thread_name_prefix="haiquan-index") as pool:
                list(pool.map(build_field, FIELDS))
        else:
            for field in FIELDS:
                build_field(field)
        levels = {level: {f: levels[level][f] for f in FIELDS} for level in LEVELS}
        return cls(vocab, vocab_bits, id_vocab, levels, article_start)

    def query_keys(self, terms: Terms) -> QueryKeys:
        """The keys of a query's terms per field, each with its count in the query."""
        result: QueryKeys = {}
        for field in FIELDS:
            counts: dict[int, int] = {}
            for term in terms.field(field):
                key = self.query_keys_for(field, term)
                if key is not None:
                    counts[key] = counts.get(key, 0) + 1
            result[field] = (
                np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)),
                np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
            )
        return result

    def query_keys_for(self, field: str, term: str) -> int | None:
        """The key of one term of `field`, or None when the index has never seen it."""
        if field == "ids":
            return self.id_vocab.get(term)
        if field in ("acc2", "fold2"):
            first, _, second = term.partition(" ")
            a, b = self.vocab.get(first), self.vocab.get(second)
            return None if a is None or b is None else (a << self.vocab_bits) | b
        return self.vocab.get(term)


def _unit_lengths(offsets: Sequence[npt.NDArray[np.int32]]) -> npt.NDArray[np.int32]:
    """Token count of every unit of every article, from the articles' offset arrays, in
    three numpy calls rather than one per article."""
    if not offsets:
        return np.zeros(0, np.int32)
    joined = np.concatenate(offsets).astype(np.int64)
    steps = np.diff(joined)
    # The step from one article's last offset to the next article's 0 is not a unit.
    boundaries = np.cumsum([len(o) for o in offsets])[:-1] - 1
    return np.delete(steps, boundaries).astype(np.int32)


def _field_keys(
    field: str,
    tokens: npt.NDArray[np.int32],
    joined: npt.NDArray[np.bool_],
    fold_of: npt.NDArray[np.int32],
    vocab_bits: int,
    unit_of_token: npt.NDArray[np.int32],
) -> tuple[npt.NDArray[np.int32], Keys]:
    """(unit, term key) of every occurrence of a syllable field; a bigram belongs to the
    unit of its second token (both tokens are in one unit: `joined` is False at starts)."""
    forms = fold_of[tokens] if field in ("fold", "fold2") else tokens
    if field in ("acc", "fold"):
        return unit_of_token, forms.astype(np.int64)
    pair_end = np.flatnonzero(joined[1:]) + 1  # token i pairs with token i-1
    keys = (forms[pair_end - 1].astype(np.int64) << vocab_bits) | forms[pair_end]
    return unit_of_token[pair_end], keys
