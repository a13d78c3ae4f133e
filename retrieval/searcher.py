"""Search over a built index: articles ranked for a question, each with the passage to show.

A `Searcher` is immutable once built. The bot builds a new one on reload while the old
one keeps answering, then swaps one reference; nothing here is shared between the two.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from corpus import Article, has_diacritics, normalize_line
from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import QUESTION_WORDS, Terms, analyze, fold
from retrieval.corpus_index import CorpusIndex, QueryKeys
from retrieval.decline import (
    DeclineModel,
    default_decline_model,
    is_small_talk,
    pool_features,
    select,
)
from retrieval.duplicates import duplicate_groups
from retrieval.explain import Explanation, QueryWords
from retrieval.features import (
    FEATURE_NAMES,
    Candidate,
    QueryFacts,
    candidate_features,
    query_facts,
    timeframe_of,
    typed_without_marks,
    window_evidence,
    window_features,
)
from retrieval.forward import ForwardIndex, WindowForms
from retrieval.index import ListsRead, ranges
from retrieval.passage_texts import PassageTexts
from retrieval.ranking import DEFAULT_RANKING, RankingConfig
from retrieval.rerank import Reranker, default_reranker
from retrieval.runs import Run, best_runs

__all__ = ["MAX_QUERY_CHARS", "POOL", "Hit", "Searcher"]

# Longer questions are cut: a pasted page is not a question, and the cost of a query
# follows its number of terms.
MAX_QUERY_CHARS = 1000
# First-stage candidates the reranker sees (and declining looks at), whatever k.
POOL = 20
_IDS_ARTICLE = FEATURE_NAMES.index("ids_article")
_IDS_TITLE = FEATURE_NAMES.index("ids_title")
# The first hits (one page) choose their shown passages among this many runs.
WINDOW_CHOICES = 3
WINDOW_RUNS = 3


@dataclass(frozen=True, slots=True)
class Hit:
    """One answer: an article, the passage to quote from it and why it matched.

    `passage` is one to three consecutive passages of the article; `sentence` is the
    span of its best sentence and `highlights` the spans of the matched words, both as
    (start, end) character offsets into `passage`. All three are worked out when first
    read (`Explanation`; `Searcher.search` resolves the hits it is told will be shown):
    the bot asks for twenty hits and shows three.
    """

    article_id: str
    title: str
    url: str
    published: dt.date | None
    score: float
    explanation: Explanation
    passage_index: int
    # The reranker's probability that this article answers (None: first stage only).
    confidence: float | None = None
    # How `published` was obtained (`Article.date_source`): renderers hedge estimates.
    date_source: str = ""

    @property
    def passage(self) -> str:
        """The passages quoted, joined by line breaks."""
        return self.explanation.text

    @property
    def sentence(self) -> tuple[int, int]:
        """Span of the passage's best sentence."""
        return self.explanation.sentence

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """Spans of the matched words, merged where they touch."""
        return self.explanation.highlights

    @property
    def best_sentence(self) -> str:
        """The sentence of the passage that best answers the question."""
        start, end = self.sentence
        return self.passage[start:end]


@dataclass(frozen=True, slots=True)
class _Query:
    terms: Terms
    keys: QueryKeys
    weights: dict[str, float]
    passage_weights: dict[str, float]
    words: QueryWords
    coverage_keys: npt.NDArray[np.int64]
    coverage_weights: npt.NDArray[np.float32]
    information: float
    # The lists the first stage decoded, by (level, field), with their postings'
    # contributions: the title discount of the pool's windows reads them again.
    read: dict[tuple[str, str], ListsRead | None] = field(default_factory=dict)
    # Per question, filled as the pool's windows are chosen: each article's passage
    # scores with the title's words discounted.
    selections: dict[int, npt.NDArray[np.float32]] = field(default_factory=dict)
    columns: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # Per field: the articles whose title holds one of the question's keys (sorted) and
    # which key (`Searcher._title_owners`).
    titles: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]] = field(
        default_factory=dict)
    # The forms of each window weighed, by (article, first, last passage).
    windows: dict[tuple[int, int, int], WindowForms] = field(default_factory=dict)


@dataclass(frozen=True)
class Searcher:
    """Articles, their passages and the index over them; `search` is thread-safe.

    `passages[i]` are the passage texts of ``articles[i]`` (cut on demand, see
    `PassageTexts`); `forward`, when given, holds their folded syllables, which the
    second stage then reads instead of cutting the texts."""

    articles: tuple[Article, ...]
    passages: Sequence[tuple[str, ...]]
    index: CorpusIndex
    config: RankingConfig = DEFAULT_RANKING
    built_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(tz=dt.UTC))
    reranker: Reranker | None = field(default_factory=default_reranker)
    # Whether to answer at all (`decline`); None: the reranker's answer threshold.
    decline: DeclineModel | None = field(default_factory=default_decline_model)
    forward: ForwardIndex | None = None
    _by_id: dict[str, int] = field(init=False, repr=False)
    _groups: npt.NDArray[np.int64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.articles) != self.index.n_articles or len(self.passages) != len(self.articles):
            raise ValueError("articles, passages and index do not match")
        object.__setattr__(self, "_by_id", {a.id: i for i, a in enumerate(self.articles)})
        object.__setattr__(self, "_groups", duplicate_groups(self.articles))

    @classmethod
    def from_analysed(
        cls,
        articles: Sequence[Article],
        analysed: Sequence[AnalysedArticle],
        index: CorpusIndex,
        config: RankingConfig = DEFAULT_RANKING,
    ) -> Searcher:
        """Wrap an index built from `analysed` (same order as `articles`)."""
        if len(analysed) != len(articles):
            raise ValueError("articles and analyses do not match")
        return cls.from_index(articles, index, config,
                              ForwardIndex.from_analyses(analysed, index.vocab))

    @classmethod
    def from_index(
        cls,
        articles: Sequence[Article],
        index: CorpusIndex,
        config: RankingConfig = DEFAULT_RANKING,
        forward: ForwardIndex | None = None,
    ) -> Searcher:
        """Wrap an index (built or loaded from the cache) of `articles`, in its order."""
        articles = tuple(articles)
        return cls(articles, PassageTexts(articles), index, config, forward=forward)

    @property
    def n_passages(self) -> int:
        """Passages indexed."""
        return self.index.n_passages

    def article(self, article_id: str) -> Article | None:
        """The indexed article with this id, if any."""
        position = self._by_id.get(article_id)
        return None if position is None else self.articles[position]

    def article_passages(self, article_id: str) -> tuple[str, ...]:
        """The passages of an article as the index cut them (empty for unknown ids)."""
        position = self._by_id.get(article_id)
        return () if position is None else self.passages[position]

    def search(self, query: str, k: int = 5, *, shown: slice = slice(None)) -> list[Hit]:
        """The `k` best articles for `query`, near-duplicates collapsed.

        The hits in `shown` (all by default) have their best sentence and highlights
        worked out before this returns, on the caller's thread; the others when first
        read. The bot searches twenty deep and shows a page of three.

        Returns an empty list, never raises, when the question has no searchable words
        or nothing in the corpus covers enough of it.
        """
        if k <= 0:
            return []
        prepared = self._prepare(query)
        if prepared is None:
            return []
        passage_scores, article_scores = self._score(prepared)
        if self.reranker is None:
            hits = self._hits(prepared, passage_scores, article_scores, k)
        else:
            hits = self._reranked(self.reranker, prepared, query, passage_scores,
                                  article_scores, k)
        for hit in hits[shown]:
            hit.explanation.resolve()
        return hits

    def candidates(self, query: str) -> tuple[list[str], npt.NDArray[np.float64]]:
        """The first-stage pool for `query` (article ids) and its reranker features:
        what `python -m retrieval train-reranker` learns from."""
        found = self._pool_features(query)
        if found is None:
            return [], np.zeros((0, len(FEATURE_NAMES)))
        _, _, pool, rows = found
        return [self.articles[c.position].id for c in pool], rows

    def pool_row(self, query: str) -> npt.NDArray[np.float64] | None:
        """The question's `decline.POOL_FEATURE_NAMES` row, or None when it is not
        searched at all (no searchable words, small talk): what `train-decline` learns
        from."""
        found = self._pool_features(query) if self.reranker is not None else None
        if found is None or is_small_talk(found[0].terms) or not found[2]:
            return None
        _, facts, _, rows = found
        return self._pool_row(facts, rows, self.reranker.probabilities(rows))

    def _pool_features(
        self, query: str
    ) -> tuple[_Query, QueryFacts, list[Candidate], npt.NDArray[np.float64]] | None:
        """The fixed pool of `query` with its reranker features (None: nothing to search)."""
        prepared = self._prepare(query)
        if prepared is None:
            return None
        passage_scores, article_scores = self._score(prepared)
        pool = self._pool(prepared, passage_scores, article_scores, POOL)
        facts = self._facts(prepared, query)
        return prepared, facts, pool, candidate_features(self.index, facts, pool)

    def _pool_row(
        self, facts: QueryFacts, rows: npt.NDArray[np.float64],
        probabilities: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]:
        return pool_features(rows[:POOL], probabilities[:POOL], n_words=facts.n_words,
                             min_coverage=self.config.min_coverage)

    # -- scoring -----------------------------------------------------------------------

    def _prepare(self, query: str) -> _Query | None:
        text = normalize_line(query)[:MAX_QUERY_CHARS]
        terms = analyze(text, normalized=True)
        if not (terms.acc or terms.ids):
            return None
        accented = has_diacritics(text)
        if accented and typed_without_marks(self.index, terms):  # mixed: search it folded
            accented = False
        weights = dict(self.config.field_weights)
        if accented:
            weights["fold"] *= self.config.folded_weight_when_accented
            weights["fold2"] *= self.config.folded_weight_when_accented
        else:
            weights["acc"] = weights["acc2"] = 0.0
        passage_weights = dict(weights)
        if accented:
            passage_weights["fold"] = passage_weights["fold2"] = (
                weights["fold"] if self.config.folded_passages_when_accented else 0.0
            )
        keys = self.index.query_keys(terms)
        coverage_keys, coverage_weights, information = self._information(terms)
        rarest = float(np.log1p((self.index.n_articles + 0.5) / 0.5))
        total_idf = float(np.sqrt(coverage_weights).sum()) + rarest * (
            len(set(terms.fold)) - len(coverage_keys)
        )
        if total_idf < self.config.min_query_idf_share * rarest and not len(keys["ids"][0]):
            return None
        return _Query(
            terms,
            keys,
            weights,
            passage_weights,
            self._words(terms, keys, accented),
            coverage_keys,
            coverage_weights,
            information,
        )

    def _information(
        self, terms: Terms
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], float]:
        """Folded words of the question with their weight (article-level idf squared),
        and the total weight.

        A word the corpus has never seen counts as the rarest word: a question about
        something absent must not look answered by the words it shares with the corpus.
        """
        field_index = self.index.levels["article"]["fold"]
        asked = {fold(word) for word in terms.acc if word in QUESTION_WORDS}
        distinct = [word for word in dict.fromkeys(terms.fold) if word not in asked]
        known = [self.index.vocab.get(word, -1) for word in distinct]
        keys = np.asarray([k for k in known if k >= 0], dtype=np.int64)
        idf = field_index.term_idf(keys)
        unseen = sum(1 for k in known if k < 0)
        rarest = float(np.log1p((self.index.n_articles + 0.5) / 0.5))
        # Squared: the rare words of a question say what it is about ("poodle" in a
        # question about feeding a poodle); an article holding only its common words
        # ("cho", "ăn", "ngày") is not an answer.
        weight = idf.astype(np.float64) ** 2
        unseen_weight = self.config.unseen_word_weight * rarest**2
        return keys, weight.astype(np.float32), float(weight.sum()) + unseen * unseen_weight

    def _words(self, terms: Terms, keys: QueryKeys, accented: bool) -> QueryWords:
        uni, bi = ("acc", "acc2") if accented else ("fold", "fold2")
        passage = self.index.levels["passage"]
        unigram_idf = passage[uni].term_idf(
            np.asarray([self.index.vocab.get(t, -1) for t in terms.field(uni)], np.int64)
        )
        bigram_keys = [self.index.query_keys_for(bi, term) for term in terms.field(bi)]
        bigram_idf = passage[bi].term_idf(
            np.asarray([k if k is not None else -1 for k in bigram_keys], np.int64)
        )
        unigrams = {
            t: float(v)
            for t, v in zip(terms.field(uni), unigram_idf.tolist(), strict=True)
            if v > 0
        }
        bigrams: dict[tuple[str, str], float] = {}
        for term, value in zip(terms.field(bi), bigram_idf.tolist(), strict=True):
            if value > 0:
                first, _, second = term.partition(" ")
                bigrams[(first, second)] = float(value)
        return QueryWords(folded=not accented, unigrams=unigrams, bigrams=bigrams)

    def _score(self, query: _Query) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Scores of passages and of articles."""
        levels = self.index.levels
        passage_scores = np.zeros(self.index.n_passages, np.float32)
        article_scores = np.zeros(self.index.n_articles, np.float32)
        read = query.read
        for name, (keys, counts) in query.keys.items():
            weight = query.weights[name]
            if weight == 0 or not len(keys):
                continue
            if query.passage_weights[name]:
                read["passage", name] = levels["passage"][name].add_scores(
                    passage_scores, keys, counts * query.passage_weights[name]
                )
            read["title", name] = levels["title"][name].add_scores(
                article_scores, keys, counts * (weight * self.config.title_weight)
            )
            levels["article"][name].add_scores(
                article_scores, keys, counts * (weight * self.config.article_weight)
            )
        article_scores += np.maximum.reduceat(passage_scores, self.index.article_start[:-1])
        return passage_scores, article_scores

    def _coverage(self, query: _Query, positions: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        """Each article's share of the question's information, for the articles at
        `positions` only: the candidates are all that read it, and searching their
        numbers in the posting lists costs less than adding the lists whole (those of a
        common word hold most articles, and grow with the corpus)."""
        coverage = self.index.levels["article"]["fold"].presence_at(
            positions, query.coverage_keys, query.coverage_weights
        )
        if query.information > 0:
            coverage /= np.float32(query.information)
        else:
            coverage += 1
        return coverage

    # -- second stage ------------------------------------------------------------------

    def _facts(self, query: _Query, text: str) -> QueryFacts:
        return query_facts(self.index, query.terms, query.information, timeframe_of(text))

    def _pool(
        self,
        query: _Query,
        passage_scores: npt.NDArray[np.float32],
        article_scores: npt.NDArray[np.float32],
        size: int,
    ) -> list[Candidate]:
        """The `size` best articles by first-stage score, near-duplicates collapsed,
        each with the window it would show. No coverage cut: the reranker weighs it."""
        n_top = min(len(article_scores), 3 * size + 20)
        top = np.argpartition(-article_scores, n_top - 1)[:n_top]
        order = top[np.lexsort((top, -article_scores[top]))]
        chosen: list[int] = []
        seen: set[int] = set()
        for position in order.tolist():
            if article_scores[position] <= 0 or len(chosen) == size:
                break
            group = int(self._groups[position])
            if group in seen:
                continue
            seen.add(group)
            chosen.append(position)
        coverage = self._coverage(query, np.asarray(chosen, np.intp)).tolist()
        windows = [(p, *runs[0][1:])
                   for p, runs in zip(chosen, self._windows(query, chosen, passage_scores, 1),
                                      strict=True)]
        forms = self._windows_forms(query, windows)
        pool: list[Candidate] = []
        for (position, first, last), covered, read in zip(windows, coverage, forms, strict=True):
            score = float(article_scores[position])
            start, end = (int(x) for x in self.index.article_start[position : position + 2])
            pool.append(Candidate(
                position=position,
                score=score,
                passage_score=float(passage_scores[start:end].max()) if end > start else 0.0,
                coverage=covered,
                window=(first, last),
                forms=read,
                published=self.articles[position].published,
            ))
        return pool

    def _reranked(
        self,
        reranker: Reranker,
        query: _Query,
        text: str,
        passage_scores: npt.NDArray[np.float32],
        article_scores: npt.NDArray[np.float32],
        k: int,
    ) -> list[Hit]:
        """Hits ordered by the reranker; none when it judges nothing answers.

        The pool has a fixed size whatever `k`, so whether a question is declined, and
        the order of what is shown, never depend on how many results were asked for.
        """
        if is_small_talk(query.terms):
            return []
        pool = self._pool(query, passage_scores, article_scores, max(POOL, k))
        if not pool:
            return []
        facts = self._facts(query, text)
        rows = candidate_features(self.index, facts, pool)
        covered = np.asarray([c.coverage >= self.config.min_coverage for c in pool])
        named = np.zeros(len(pool))
        if facts.n_ids:
            named = (rows[:, _IDS_ARTICLE] >= 1.0) + (rows[:, _IDS_TITLE] >= 1.0) * 1.0
            named[rows[:, _IDS_ARTICLE] < 1.0] = 0.0
        probabilities = reranker.probabilities(rows)
        answers = None
        if self.decline is not None:
            answers = self.decline.answers(self._pool_row(facts, rows, probabilities))
        chosen = select(reranker, probabilities, pool_size=POOL, k=k, covered=covered,
                        named=named, answers=answers)
        windows = [pool[i].window for i, _ in chosen]
        if reranker.window is not None:
            first = [pool[i].position for i, _ in chosen[:WINDOW_CHOICES]]
            windows[: len(first)] = self._chosen_windows(reranker, query, facts, first,
                                                         passage_scores)
        return [
            self._hit(query, pool[i].position, pool[i].score, passage_scores, window,
                      probability)
            for (i, probability), window in zip(chosen, windows, strict=True)
        ]

    def window_runs(
        self, query: str, article_id: str, n: int = 3
    ) -> tuple[QueryFacts, list[tuple[float, int, int, str]]] | None:
        """Candidate windows (total, first, last, text) of one article for `query`:
        what `train-reranker` fits the window model on."""
        prepared = self._prepare(query)
        position = self._by_id.get(article_id)
        if prepared is None or position is None:
            return None
        passage_scores, _ = self._score(prepared)
        runs = self._windows(prepared, [position], passage_scores, n)[0]
        return self._facts(prepared, query), [
            (total, first, last, _window_text(self.passages, position, first, last))
            for total, first, last in runs
        ]

    def _chosen_windows(
        self, reranker: Reranker, query: _Query, facts: QueryFacts, positions: list[int],
        passage_scores: npt.NDArray[np.float32],
    ) -> list[tuple[int, int]]:
        """For each article, of its best non-overlapping runs the one the window model
        prefers (the runs of all of them read at once)."""
        model = reranker.window
        every = self._windows(query, positions, passage_scores, WINDOW_RUNS)
        forms = self._windows_forms(query, [
            (position, first, last)
            for position, runs in zip(positions, every, strict=True) if len(runs) > 1
            for _, first, last in runs
        ])
        window_evidence(facts, forms)  # every article's runs weighed at once
        chosen: list[tuple[int, int]] = []
        for runs in every:
            if len(runs) == 1 or model is None:
                chosen.append(runs[0][1:])
                continue
            read, forms = forms[: len(runs)], forms[len(runs) :]
            rows = window_features(
                facts, [(t, f, got) for (t, f, _), got in zip(runs, read, strict=True)]
            )
            chosen.append(runs[int(np.argmax(model.logits(rows)))][1:])
        return chosen

    # -- hits --------------------------------------------------------------------------

    def _hits(
        self,
        query: _Query,
        passage_scores: npt.NDArray[np.float32],
        article_scores: npt.NDArray[np.float32],
        k: int,
    ) -> list[Hit]:
        n_candidates = min(len(article_scores), 4 * k + 20)
        top = np.argpartition(-article_scores, n_candidates - 1)[:n_candidates]
        order = top[np.lexsort((top, -article_scores[top]))]
        coverage = self._coverage(query, order)
        hits: list[Hit] = []
        seen_groups: set[int] = set()
        for position, covered in zip(order.tolist(), coverage, strict=True):
            score = float(article_scores[position])
            if score <= 0 or len(hits) == k:
                break
            group = int(self._groups[position])
            if group in seen_groups:
                continue
            if covered < self.config.min_coverage:
                continue
            seen_groups.add(group)
            hits.append(self._hit(query, position, score, passage_scores))
        return hits

    def _hit(
        self,
        query: _Query,
        position: int,
        score: float,
        passage_scores: npt.NDArray[np.float32],
        window: tuple[int, int] | None = None,
        confidence: float | None = None,
    ) -> Hit:
        article = self.articles[position]
        first, last = window or self._window(query, position, passage_scores)
        passage = functools.partial(_window_text, self.passages, position, first, last)
        return Hit(
            article_id=article.id,
            title=article.title,
            url=article.source_url,
            published=article.published,
            date_source=article.date_source,
            score=score,
            explanation=Explanation(
                passage, query.words,
                functools.partial(self._window_sentences, position, first, last),
            ),
            passage_index=first,
            confidence=confidence,
        )

    def _window(
        self, query: _Query, position: int, passage_scores: npt.NDArray[np.float32]
    ) -> tuple[int, int]:
        """The run of consecutive passages to show (see `_windows`)."""
        return self._windows(query, [position], passage_scores, 1)[0][0][1:]

    def _windows(
        self, query: _Query, positions: Sequence[int],
        passage_scores: npt.NDArray[np.float32], n: int,
    ) -> list[list[Run]]:
        """For each article, the `n` best runs of consecutive passages to show
        (`runs.best_runs`): the most question terms within the size limit, terms that
        are also in the title counting little (every passage of the article is about
        the title; the answer is in the one with the rest)."""
        self._select(query, positions, passage_scores)
        return best_runs(
            [query.selections[p] for p in positions],
            [self._passage_sizes(p) for p in positions],
            n, span=self.config.window_passages, limit=self.config.window_chars,
        )

    def _select(
        self, query: _Query, positions: Sequence[int], passage_scores: npt.NDArray[np.float32]
    ) -> None:
        """Fill `query.selections` for `positions`: each article's passage scores with its
        title's words discounted, what `_windows` chooses by.

        The pool's articles are done together, one `np.add.at` per field over every
        (title key, article) pair, reading the lists and contributions the first stage
        kept (`query.read`) instead of one pass per article and key: this ran twenty
        times per question. Each passage gets the same additions, in the same order, as
        `FieldIndex.add_scores_in_range` after `FieldIndex.units_contain` would give it
        article by article, so the result is bit for bit the same.
        """
        missing = np.asarray(
            [p for p in dict.fromkeys(positions) if p not in query.selections], np.intp
        )
        if not len(missing):
            return
        bounds = self.index.article_start
        starts = bounds[missing].astype(np.intp)
        sizes = bounds[missing + 1].astype(np.intp) - starts
        # The articles' passages laid end to end: flat slot = passage number - shift.
        offsets = np.zeros(len(missing) + 1, np.intp)
        np.cumsum(sizes, out=offsets[1:])
        shifts = starts - offsets[:-1]
        flat = passage_scores[np.arange(offsets[-1]) + np.repeat(shifts, sizes)]
        discount = 1.0 - self.config.title_term_factor
        for name, (keys, counts) in query.keys.items():
            weight = query.passage_weights[name]
            read = query.read.get(("passage", name))
            if weight == 0 or read is None:  # None: no key of the field is in a passage
                continue
            # Which of the articles' titles hold which of the field's keys.
            articles, owners = self._title_owners(query, name, keys)
            lo = np.searchsorted(articles, missing)
            found = np.searchsorted(articles, missing + 1) - lo
            if not found.any():
                continue
            # (key, article) pairs in the keys' order, the articles in order within a
            # key: each passage gets its keys' discounts in the order they were added.
            held = owners[ranges(lo, found)]
            order = np.argsort(held, kind="stable")
            held = held[order]
            holders = np.repeat(np.arange(len(missing)), found)[order]
            # The passage list each key's postings were read into (-1: none).
            lists = np.asarray([
                read.columns.get(column, -1) if column >= 0 else -1
                for column in self._columns(query, "passage", name, keys)
            ], np.intp)[held]
            kept = lists >= 0
            held, holders, lists = held[kept], holders[kept], lists[kept]
            if not len(lists):
                continue
            # Each pair's passages in its key's list: a search per key, in its slice.
            first = np.empty(len(lists), np.intp)
            end = np.empty(len(lists), np.intp)
            edges = [0, *(np.flatnonzero(np.diff(lists)) + 1).tolist(), len(lists)]
            for a, b in pairwise(edges):
                begin, stop = read.bounds[lists[a]], read.bounds[lists[a] + 1]
                chosen = holders[a:b]
                found = read.units[begin:stop].searchsorted(
                    np.concatenate((starts[chosen], starts[chosen] + sizes[chosen]))
                ) + begin
                first[a:b], end[a:b] = found[: b - a], found[b - a :]
            within = end - first
            at = ranges(first, within)
            slots = read.units.take(at) - np.repeat(shifts[holders], within)
            values = (counts * (-discount * weight)).astype(np.float32)
            # np.add.at adds in array order: key after key, as one key at a time did.
            np.add.at(flat, slots, np.repeat(values[held], within) * read.impacts.take(at))
        for j, position in enumerate(missing.tolist()):
            query.selections[position] = flat[offsets[j] : offsets[j + 1]]

    def _title_owners(
        self, query: _Query, name: str, keys: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """The title postings of the question's keys of one field, inverted once per
        question: articles (sorted) and, for each, which key its title holds."""
        by_article = query.titles.get(name)
        if by_article is None:
            read = query.read.get(("title", name))
            if read is None:  # no key of the field is in a title
                by_article = (np.zeros(0, np.intp), np.zeros(0, np.intp))
            else:
                # The lists were read in the keys' order, those of unknown keys left out.
                known = [i for i, column in enumerate(self._columns(query, "title", name, keys))
                         if column >= 0]
                owners = np.repeat(np.asarray(known, np.intp), np.diff(read.bounds))
                order = np.argsort(read.units, kind="stable")
                by_article = (read.units[order], owners[order])
            query.titles[name] = by_article
        return by_article

    def _columns(
        self, query: _Query, level: str, name: str, keys: npt.NDArray[np.int64]
    ) -> list[int]:
        """`FieldIndex.columns` of the question's keys of one field, once per question."""
        columns = query.columns.get((level, name))
        if columns is None:
            columns = self.index.levels[level][name].columns(keys).tolist()
            query.columns[(level, name)] = columns
        return columns

    def _windows_forms(
        self, query: _Query, windows: Sequence[tuple[int, int, int]]
    ) -> list[WindowForms]:
        """The forms of each (article, first, last passage) window, once per question:
        read from `forward` where it has them (all the missing ones at once), else cut
        from the text (the same either way)."""
        known = query.windows
        missing = [key for key in dict.fromkeys(windows) if key not in known]
        if missing:
            read = self.forward.windows(missing) if self.forward is not None else None
            for i, (position, first, last) in enumerate(missing):
                forms = read[i] if read is not None else None
                if forms is None:
                    forms = WindowForms.of_text(
                        _window_text(self.passages, position, first, last), self.index.vocab
                    )
                known[position, first, last] = forms
        return [known[key] for key in windows]

    def _window_sentences(
        self, position: int, first: int, last: int
    ) -> list[tuple[int, int]] | None:
        """Sentence spans of a window, as the analysis kept them (None: not known here)."""
        if self.forward is None:
            return None
        start, end = self.index.article_start[position : position + 2]
        if self.forward.passage_sizes(position, int(end - start)) is None:
            return None
        return self.forward.sentences_of(position, first, last)

    def _passage_sizes(self, position: int) -> Sequence[int] | npt.NDArray[np.int64]:
        """Characters of each passage of an article (from `forward` without cutting)."""
        if self.forward is not None:
            start, end = self.index.article_start[position : position + 2]
            sizes = self.forward.passage_sizes(position, int(end - start))
            if sizes is not None:
                return sizes
        return [len(text) for text in self.passages[position]]


def _window_text(passages: Sequence[tuple[str, ...]], position: int, first: int, last: int) -> str:
    """Passages ``first..last`` of the article at `position`, as shown."""
    return "\n".join(passages[position][first : last + 1])
