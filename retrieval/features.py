"""What the second stage looks at: features of (question, candidate article) pairs.

The first stage (BM25 over passages, titles and whole articles) finds the topic; it
cannot tell two articles on the same topic apart when the question pins down a detail
only one of them holds -- a date ("15/7"), a period, a year, an amount ("308 tỷ"), a
document number, a unit or place ("Chi cục Hải quan Móng Cái"). These features measure
exactly that, for a fixed pool of first-stage candidates:

- agreement on the question's *numbers* (every token with a digit: dates, amounts,
  years, document numbers), in the article, its title and the shown passage;
- *phrases*: the question's neighbouring word pairs (folded bigrams, which is what a
  place or unit name is) found in the article, the title and the shown passage;
- *coverage*: the idf-weighted share of the question's content words present in the
  title and in the shown passage (the first stage already gives the article's share);
- *proximity*: the shortest stretch of the shown passage holding all its matched words;
- *position* of the shown passage and the first-stage scores and rank;
- *recency* when the question asks for the latest news, and whether the article falls in
  the period the question names (`Timeframe`).

Everything is folded (no diacritics), so accented, unaccented and mixed spellings of one
question see the same evidence. All of it reads the index's existing postings (presence
only) or the shown window's syllables; nothing is precomputed or stored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from retrieval.analyzer import QUESTION_WORDS, Terms, fold
from retrieval.corpus_index import CorpusIndex
from retrieval.forward import WindowForms

__all__ = [
    "FEATURE_NAMES",
    "WINDOW_FEATURE_NAMES",
    "Candidate",
    "QueryFacts",
    "Timeframe",
    "candidate_features",
    "query_facts",
    "timeframe_of",
    "typed_without_marks",
    "wants_recent",
    "window_evidence",
    "window_features",
]

FEATURE_NAMES: tuple[str, ...] = (
    "score_ratio",  # first-stage score / best first-stage score of the pool
    "log_score",  # log(1 + score / idf of a word found once): corpus-size free
    "rank_inverse",  # 1 / first-stage rank in the pool
    "coverage",  # article's idf²-share of the question's words (first stage)
    "passage_ratio",  # best passage score / best of the pool
    "title_coverage",  # idf-share of the question's content words in the title
    "window_coverage",  # idf-share of the question's content words in the shown passage
    "numbers_article",  # share of the question's numbers found in the article
    "numbers_missing",  # how many of them the article lacks
    "numbers_window",  # share found in the shown passage
    "numbers_title",
    "ids_article",  # share of the question's document numbers the article holds
    "ids_missing",  # how many it lacks
    "ids_title",
    "phrases_article",  # idf-share of the question's word pairs in the article
    "phrases_title",
    "phrases_window",
    "proximity",  # matched words / shortest span holding them in the shown passage
    "window_first",  # shown passage is the lead
    "window_position",  # log(1 + index of the shown passage)
    "recent_age",  # asked for recent news: years older than the pool's newest
    "recent_undated",  # asked for recent news, article has no date
    "period_match",  # +1 in the question's period, -1 outside, 0 unknown / none
    "query_unseen",  # share of the question's words the corpus never saw
)

# Features of one candidate window of an article (which passages to show).
WINDOW_FEATURE_NAMES: tuple[str, ...] = (
    "run_ratio",  # BM25 total of the run / the best run's
    "coverage",
    "numbers",
    "phrases",
    "proximity",
    "digits_asked",  # the question asks "how many / when" and the run holds a figure
    "position",  # log(1 + first passage)
    "best_run",  # the run the first stage would show
)

# How a question asks for a figure or a date ("bao nhiêu", "mấy", "khi nào"), folded
# pairs and accented singles: the answer then holds digits.
_ASKS_PAIRS = {("bao", "nhieu"), ("khi", "nao"), ("bao", "gio"), ("ngay", "nao"),
               ("nam", "nao"), ("thang", "nao"), ("bao", "lau"), ("ty", "le")}
_ASKS_WORDS = {"mấy", "bao nhiêu"}

# Phrases a question uses to ask for the newest item, folded. Not topics: asking
# "what's the latest" is how a question is put, whatever it is about.
_RECENT = ("moi nhat", "hom nay", "nam nay", "gan day", "hien nay", "moi day", "vua qua")


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A period the question names (inclusive dates), or just "the latest"."""

    start: dt.date | None = None
    end: dt.date | None = None
    recent: bool = False


# A window's coverage, number share, phrase share and proximity (`window_evidence`).
Evidence = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class QueryFacts:
    """What the question pins down, looked up once per question."""

    content: dict[str, float]  # folded content syllable -> article-level idf
    number_keys: npt.NDArray[np.int64]  # folded terms with a digit, as index keys
    numbers: tuple[str, ...]
    id_keys: npt.NDArray[np.int64]  # document identifiers ("#39/2018/tt-btc", "#tt39")
    n_ids: int
    phrase_keys: npt.NDArray[np.int64]
    phrase_weights: npt.NDArray[np.float32]
    phrases: dict[tuple[str, str], float]
    content_keys: npt.NDArray[np.int64]
    content_weights: npt.NDArray[np.float32]
    timeframe: Timeframe | None
    information: float
    unseen: float
    n_words: int
    asks_figure: bool
    # The vocabulary keys of the words of `numbers` (-1: not in the vocabulary) and of
    # the two words of each of `phrases`, in their orders: what windows are read by.
    number_words: tuple[int, ...] = ()
    phrase_words: tuple[tuple[int, int], ...] = ()
    # `window_evidence` of the windows already weighed for this question: the window
    # the pool's features read is usually also the first of the runs the window model
    # weighs (the searcher hands the same `WindowForms` for both).
    evidence: dict[WindowForms, Evidence] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One article of the pool, with its first-stage evidence and the shown window."""

    position: int
    score: float
    passage_score: float
    coverage: float
    window: tuple[int, int]  # first and last passage shown
    forms: WindowForms  # of the shown passages
    published: dt.date | None


def wants_recent(folded_query: str) -> bool:
    """Whether the question asks for the latest news ("mới nhất", "hôm nay", "năm nay")."""
    text = " ".join(folded_query.split())
    return any(phrase in text for phrase in _RECENT)


def typed_without_marks(index: CorpusIndex, terms: Terms) -> bool:
    """Whether a question with diacritics also has words typed without them ("Cuc HQ
    Hải Phòng thu NSNN"): a word whose bare spelling is rare in the corpus as written
    (idf on the accented field far above the folded one -- "nguoi" is almost always
    "người") but common once folded. Such a question is searched like an unaccented
    one, or its bare words would match only as typos."""
    bare = [w for w in dict.fromkeys(terms.acc)
            if w.isalpha() and len(w) > 1 and fold(w) == w and w not in QUESTION_WORDS]
    if not bare:
        return False
    keys = np.asarray([index.vocab.get(w, -1) for w in bare], np.int64)
    article = index.levels["article"]
    acc_idf = article["acc"].term_idf(keys)
    fold_idf = article["fold"].term_idf(keys)
    rarest = math.log1p((index.n_articles + 0.5) / 0.5)
    as_written = np.where(acc_idf > 0, acc_idf, rarest)
    return bool(np.any((fold_idf > 0) & (as_written - fold_idf > _BARE_GAP)))


# log(20): the bare spelling is at least ~20 times rarer as written than once folded.
_BARE_GAP = math.log(20.0)


def timeframe_of(query: str, today: dt.date | None = None) -> Timeframe | None:
    """The period or recency the question asks about, if any."""
    folded = fold(query.lower())
    if wants_recent(folded):
        return Timeframe(recent=True)
    return None


def query_facts(
    index: CorpusIndex, terms: Terms, information: float, timeframe: Timeframe | None
) -> QueryFacts:
    """The question's content words, numbers and phrases with their index keys."""
    asked = {fold(word) for word in terms.acc if word in QUESTION_WORDS}
    article_fold = index.levels["article"]["fold"]
    distinct = [w for w in dict.fromkeys(terms.fold) if w not in asked and w.strip()]
    keys = np.asarray([index.vocab.get(w, -1) for w in distinct], np.int64)
    idf = article_fold.term_idf(keys).tolist()
    content = {w: float(v) for w, v, k in zip(distinct, idf, keys.tolist(), strict=True) if k >= 0}
    unseen = sum(1 for k in keys.tolist() if k < 0) / max(1, len(distinct))
    numbers = tuple(w for w in distinct if any(ch.isdigit() for ch in w))
    number_keys = np.asarray(
        [index.vocab[w] for w in numbers if w in index.vocab], np.int64
    )
    phrases: dict[tuple[str, str], float] = {}
    phrase_keys: list[int] = []
    phrase_weights: list[float] = []
    pairs: list[tuple[str, str]] = []
    pair_keys: list[int] = []
    for term in dict.fromkeys(terms.fold2):
        first, _, second = term.partition(" ")
        if first in asked or second in asked:
            continue
        key = index.query_keys_for("fold2", term)
        if key is not None:
            pairs.append((first, second))
            pair_keys.append(key)
    pair_idf = index.levels["article"]["fold2"].term_idf(np.asarray(pair_keys, np.int64))
    for pair, key, weight in zip(pairs, pair_keys, pair_idf.tolist(), strict=True):
        if weight > 0:
            phrases[pair] = weight
            phrase_keys.append(key)
            phrase_weights.append(weight)
    content_keys = np.asarray([index.vocab[w] for w in content], np.int64)
    ids = list(dict.fromkeys(terms.ids))
    id_keys = [index.query_keys_for("ids", term) for term in ids]
    return QueryFacts(
        content=content,
        number_keys=number_keys,
        numbers=numbers,
        id_keys=np.asarray([k for k in id_keys if k is not None], np.int64),
        n_ids=len(ids),
        phrase_keys=np.asarray(phrase_keys, np.int64),
        phrase_weights=np.asarray(phrase_weights, np.float32),
        phrases=phrases,
        content_keys=content_keys,
        content_weights=np.asarray(list(content.values()), np.float32),
        timeframe=timeframe,
        information=information,
        unseen=unseen,
        n_words=len(distinct),
        number_words=tuple(index.vocab.get(w, -1) for w in numbers),
        phrase_words=tuple((index.vocab[first], index.vocab[second]) for first, second in phrases),
        asks_figure=bool(set(zip(terms.fold, terms.fold[1:], strict=False)) & _ASKS_PAIRS)
        or any(word in _ASKS_WORDS for word in terms.acc),
    )


def _presence(
    index: CorpusIndex, level: str, field: str, keys: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float32], positions: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """Weighted presence of `keys` in the units `positions` of a level (articles, titles):
    the pool's articles searched in each posting list (`FieldIndex.presence_at`)."""
    return index.levels[level][field].presence_at(positions, keys, weights)


def window_evidence(facts: QueryFacts, windows: Sequence[WindowForms]) -> list[Evidence]:
    """Coverage, number share, phrase share and proximity of each shown window, those
    not yet weighed for this question all at once (`_measure_windows`)."""
    known = facts.evidence
    missing = list({id(w): w for w in windows if w not in known}.values())
    if missing:
        known.update(zip(missing, _measure_windows(facts, missing), strict=True))
    return [known[w] for w in windows]


def _measure_windows(facts: QueryFacts, windows: Sequence[WindowForms]) -> list[Evidence]:
    """`window_evidence` of windows not weighed yet.

    The question's words are found in all the windows' keys at once: one sorted search
    over their syllables gives, per window, which words are present, which of the
    question's phrases stand joined, and where its weightier words occur, for the
    shortest run holding them all. A number the vocabulary lacks has no key, and is
    looked for among a window's forms. Shares are summed word after word in the
    question's order, as one window at a time would."""
    content_keys = facts.content_keys.tolist()
    weights = list(facts.content.values())
    words = np.unique(np.asarray(
        [*content_keys, *facts.number_words, *(k for pair in facts.phrase_words for k in pair)],
        np.int64))
    words = words[words >= 0]
    slot = {key: i for i, key in enumerate(words.tolist())}
    n_windows, n_words = len(windows), len(words)
    lengths = np.asarray([len(w.keys) for w in windows], np.intp)
    present = np.zeros((n_windows, n_words), np.bool_)
    joined = np.zeros((n_windows, len(facts.phrase_words)), np.bool_)
    strong = [slot[key] for key, weight in zip(content_keys, weights, strict=True)
              if weight >= 1.0]
    best = lengths.copy()  # shortest run holding the window's strong words
    if n_words and lengths.sum():
        keys = np.concatenate([w.keys for w in windows])
        at = np.minimum(np.searchsorted(words, keys), n_words - 1)
        hit = words[at] == keys
        where = np.flatnonzero(hit)  # the question's words, by position over all windows
        token_owner = np.repeat(np.arange(n_windows), lengths)
        owner, word = token_owner[where], at[where]
        present[owner, word] = True
        if facts.phrase_words:
            _mark_joined(joined, facts, slot, np.concatenate([w.joins for w in windows]),
                         hit, where, at, token_owner)
        if len(strong) >= 2:
            _shortest_runs(best, present, strong, lengths, where, owner, word)
    total = sum(weights) or 1.0
    coverage = _running_share(present[:, [slot[key] for key in content_keys]], weights, total)
    phrase_total = sum(facts.phrases.values())
    phrases = (_running_share(joined, list(facts.phrases.values()), phrase_total)
               if phrase_total else [0.0] * n_windows)
    numbers = [0.0] * n_windows
    if facts.numbers:
        known = [slot[key] for key in facts.number_words if key >= 0]
        counts = present[:, known].sum(axis=1).tolist()
        unknown = [n for n, key in zip(facts.numbers, facts.number_words, strict=True) if key < 0]
        numbers = [(count + sum(1 for n in unknown if n in window.forms)) / len(facts.numbers)
                   for count, window in zip(counts, windows, strict=True)]
    wanted = present[:, strong].sum(axis=1)
    proximity = np.where(wanted >= 2, wanted / np.maximum(best, 1), 0.0).tolist()
    return list(zip(coverage, numbers, phrases, proximity, strict=True))


def _mark_joined(
    joined: npt.NDArray[np.bool_], facts: QueryFacts, slot: dict[int, int],
    joins: npt.NDArray[np.bool_], hit: npt.NDArray[np.bool_], where: npt.NDArray[np.intp],
    at: npt.NDArray[np.intp], token_owner: npt.NDArray[np.intp],
) -> None:
    """``joined[window, phrase]``: the phrase's two words stand joined in the window, a
    hit paired with the hit before it (a window's first form pairs with nothing)."""
    n_words = len(slot)
    codes = np.asarray([slot[a] * n_words + slot[b] for a, b in facts.phrase_words], np.int64)
    order = np.argsort(codes)
    sorted_codes = codes[order]
    second = where[(where > 0) & joins[where]]
    second = second[hit[second - 1]]
    pairs = at[second - 1] * n_words + at[second]
    found = np.minimum(np.searchsorted(sorted_codes, pairs), len(codes) - 1)
    match = sorted_codes[found] == pairs
    joined[token_owner[second[match]], order[found[match]]] = True


def _shortest_runs(
    best: npt.NDArray[np.intp], present: npt.NDArray[np.bool_], strong: list[int],
    lengths: npt.NDArray[np.intp], where: npt.NDArray[np.intp], owner: npt.NDArray[np.intp],
    word: npt.NDArray[np.intp],
) -> None:
    """Lower `best[window]` to the shortest run of syllables holding every strong word
    present in the window: at each occurrence of one, the run back to the earliest of
    their latest occurrences, once all of them have occurred."""
    is_strong = np.zeros(present.shape[1], np.bool_)
    is_strong[strong] = True
    chosen = is_strong[word]
    position, window, found = where[chosen], owner[chosen], word[chosen]
    if not len(position):
        return
    words = np.asarray(strong)[:, None]
    # Latest occurrence of each strong word up to each occurrence, over all windows: one
    # from an earlier window counts as none (it lies before this window's start).
    latest = np.maximum.accumulate(np.where(found[None, :] == words, position[None, :], -1),
                                   axis=1)
    start = (np.cumsum(lengths) - lengths)[window]
    needed = present[window][:, strong].T  # the strong words the window holds
    complete = np.all((latest >= start[None, :]) | ~needed, axis=0)
    earliest = np.where(needed, latest, np.iinfo(np.int64).max).min(axis=0)
    np.minimum.at(best, window[complete], (position - earliest + 1)[complete])


def _running_share(
    present: npt.NDArray[np.bool_], weights: list[float], total: float
) -> list[float]:
    """Per row, the weights of the columns present summed left to right, over `total`."""
    if not weights:
        return [0.0] * len(present)
    added = np.where(present, np.asarray(weights, np.float64), 0.0)
    return (np.cumsum(added, axis=1)[:, -1] / total).tolist()


def window_features(
    facts: QueryFacts, runs: Sequence[tuple[float, int, WindowForms]]
) -> npt.NDArray[np.float64]:
    """One row of `WINDOW_FEATURE_NAMES` per candidate run (total, first passage, its
    forms), the first stage's best run first."""
    rows = np.zeros((len(runs), len(WINDOW_FEATURE_NAMES)))
    best = max(runs[0][0], 1e-6) if runs else 1.0
    evidence = window_evidence(facts, [forms for _, _, forms in runs])
    for i, (total, first, forms) in enumerate(runs):
        coverage, numbers, phrases, proximity = evidence[i]
        digits = facts.asks_figure and forms.has_digit
        rows[i] = (total / best, coverage, numbers, phrases, proximity, float(digits),
                   math.log1p(first), 1.0 if i == 0 else 0.0)
    return rows


def _period(timeframe: Timeframe | None, published: dt.date | None) -> float:
    if timeframe is None or (timeframe.start is None and timeframe.end is None):
        return 0.0
    if published is None:
        return 0.0
    if timeframe.start is not None and published < timeframe.start:
        return -1.0
    if timeframe.end is not None and published > timeframe.end:
        return -1.0
    return 1.0


def candidate_features(
    index: CorpusIndex, facts: QueryFacts, pool: Sequence[Candidate]
) -> npt.NDArray[np.float64]:
    """One row of `FEATURE_NAMES` per candidate of `pool` (in first-stage order)."""
    n = len(pool)
    if not n:
        return np.zeros((0, len(FEATURE_NAMES)))
    positions = np.asarray([c.position for c in pool], np.int64)
    scores = np.asarray([c.score for c in pool])
    top = max(float(scores.max()), 1e-6)
    best_passage = max(max(c.passage_score for c in pool), 1e-6)
    content_total = float(facts.content_weights.sum()) or 1.0
    title_cov = _presence(index, "title", "fold", facts.content_keys, facts.content_weights,
                          positions) / content_total
    n_numbers = len(facts.numbers)
    ones = np.ones(len(facts.number_keys), np.float32)
    numbers_article = _presence(index, "article", "fold", facts.number_keys, ones, positions)
    numbers_title = _presence(index, "title", "fold", facts.number_keys, ones, positions)
    id_ones = np.ones(len(facts.id_keys), np.float32)
    ids_article = _presence(index, "article", "ids", facts.id_keys, id_ones, positions)
    ids_title = _presence(index, "title", "ids", facts.id_keys, id_ones, positions)
    phrase_total = float(facts.phrase_weights.sum()) or 1.0
    phrases_article = _presence(index, "article", "fold2", facts.phrase_keys,
                                facts.phrase_weights, positions) / phrase_total
    phrases_title = _presence(index, "title", "fold2", facts.phrase_keys,
                              facts.phrase_weights, positions) / phrase_total
    recent = facts.timeframe is not None and facts.timeframe.recent
    dated = [c.published for c in pool if c.published is not None]
    newest = max(dated) if dated else None
    # Scores and weights in units of the rarest word's idf, so that a model trained on
    # the full corpus reads the same on the 30-article sample (idf grows with size).
    rarest = math.log1p((index.n_articles + 0.5) / 0.5)
    rows = np.zeros((n, len(FEATURE_NAMES)))
    evidence = window_evidence(facts, [candidate.forms for candidate in pool])
    for i, candidate in enumerate(pool):
        coverage, numbers_window, phrases_window, proximity = evidence[i]
        age = 0.0
        if recent and newest is not None and candidate.published is not None:
            age = min(5.0, (newest - candidate.published).days / 365.25)
        rows[i] = (
            candidate.score / top,
            math.log1p(max(candidate.score, 0.0) / rarest),
            1.0 / (i + 1),
            candidate.coverage,
            candidate.passage_score / best_passage,
            float(title_cov[i]),
            coverage,
            float(numbers_article[i]) / n_numbers if n_numbers else 0.0,
            float(n_numbers - numbers_article[i]),
            numbers_window,
            float(numbers_title[i]) / n_numbers if n_numbers else 0.0,
            float(ids_article[i]) / facts.n_ids if facts.n_ids else 0.0,
            float(facts.n_ids - ids_article[i]),
            float(ids_title[i]) / facts.n_ids if facts.n_ids else 0.0,
            float(phrases_article[i]),
            float(phrases_title[i]),
            phrases_window,
            proximity,
            1.0 if candidate.window[0] == 0 else 0.0,
            math.log1p(candidate.window[0]),
            age,
            1.0 if recent and candidate.published is None else 0.0,
            _period(facts.timeframe, candidate.published),
            facts.unseen,
        )
    return rows
