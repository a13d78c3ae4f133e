"""Why a passage answers: its best sentence and the spans of the matched words.

Both come from the same syllables the index saw (`analyzer.syllables`), so what is
bold is what matched: accented forms for an accented question, folded forms for one
typed without diacritics, expanded abbreviations mapped back to the letters the article
wrote ("XNK" is bold when the question said "xuất nhập khẩu").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat

from retrieval.analyzer import QUESTION_WORDS, Syllable, fold, syllables
from retrieval.sentences import split_sentences

__all__ = [
    "Explanation",
    "Matches",
    "QueryWords",
    "best_sentence",
    "find_matches",
    "match_spans",
]

# A single matched word is bold only when it says something (idf on the passage level,
# 2.5 ≈ in fewer than one passage in twelve); "của" or "năm" alone would paint half the
# passage. Question words ("nào", "bao nhiêu") and single letters are never bold alone.
MIN_HIGHLIGHT_IDF = 2.5


@dataclass(frozen=True, slots=True)
class QueryWords:
    """The question's words as matching sees them, with their weight (idf).

    `unigrams` maps a syllable form (accented or folded, see `folded`) to its idf;
    `bigrams` maps a pair of forms to the bigram's idf.
    """

    folded: bool
    unigrams: Mapping[str, float]
    bigrams: Mapping[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class Matches:
    """The syllables of a text with, for each, its form, its weight and whether it is bold."""

    units: list[Syllable]
    forms: list[str]
    weights: list[float]
    bold: list[bool]


def find_matches(text: str, words: QueryWords) -> Matches:
    """Match the question's words against `text` once, for both spans and sentences."""
    units = syllables(text)
    texts = [u.text for u in units]
    forms = list(map(fold, texts)) if words.folded else texts
    # A passage is a few hundred syllables and a question matches a few dozen: the
    # loops below visit the matched ones only (found by `compress`, without a Python
    # step per syllable).
    weight = list(map(words.unigrams.get, forms, repeat(0.0)))
    bold = [False] * len(forms)
    shown = {form for form, value in words.unigrams.items()
             if value >= MIN_HIGHLIGHT_IDF and len(form) > 1 and form not in QUESTION_WORDS}
    for i in compress(count(), map(shown.__contains__, forms)):
        bold[i] = True
    bigrams = words.bigrams
    firsts = {first for first, _ in bigrams}
    for i in compress(count(1), map(firsts.__contains__, forms[:-1])):
        pair_idf = bigrams.get((forms[i - 1], forms[i]))
        if pair_idf is not None and units[i].joined:
            bold[i - 1] = bold[i] = True
            weight[i] += pair_idf
    return Matches(units, forms, weight, bold)


def match_spans(text: str, matches: Matches) -> list[tuple[int, int]]:
    """Character spans of `text` to show in bold, merged where they touch."""
    spans: list[tuple[int, int]] = []
    for unit in compress(matches.units, matches.bold):
        if spans and (text[spans[-1][1] : unit.start].isspace() or spans[-1][1] >= unit.start):
            spans[-1] = (spans[-1][0], max(spans[-1][1], unit.end))
        else:
            spans.append((unit.start, unit.end))
    return spans


def best_sentence(
    text: str, matches: Matches, sentences: Sequence[tuple[int, int]] | None = None
) -> tuple[int, int]:
    """Span of the sentence of `text` that holds most of the question's information.

    Each distinct matched word counts once per sentence (a sentence repeating "hải quan"
    is not a better answer), bigrams add to their second word; ties go to the first.
    `sentences` are the spans `split_sentences(text)` gives, when already known.
    """
    spans = split_sentences(text) if sentences is None else sentences
    if not spans:
        return (0, len(text))
    ends = [end for _, end in spans]
    best: dict[str, float] = {}
    scores = [0.0] * len(spans)
    current = 0
    # Only matched words count: the others would add nothing to any sentence.
    for unit, form, value in compress(
        zip(matches.units, matches.forms, matches.weights, strict=True), matches.weights
    ):
        while current < len(spans) - 1 and unit.start >= ends[current]:
            scores[current] = sum(best.values())
            best = {}
            current += 1
        if value > best.get(form, 0.0):
            best[form] = value
    scores[current] = sum(best.values())
    top = max(range(len(spans)), key=lambda i: (scores[i], -i))
    return spans[top]


class Explanation:
    """A passage, its best sentence and bold spans, worked out when first read.

    A search returns twenty hits and the bot shows three at a time: cutting every
    passage out of its article, into syllables and into sentences up front cost a third
    of a search. Reading `text` cuts the passage (`text` may be given, or a function
    that cuts it); reading `sentence` or `highlights` computes both once (`resolve` does
    it ahead, on the search thread, for the hits about to be shown). `sentences`, when
    given, returns the text's sentence spans as the analysis kept them (None: split the
    text). Computing twice in a race gives the same values, so no lock is taken.
    """

    __slots__ = ("_result", "_sentences", "_source", "_text", "_words")

    def __init__(
        self, text: str | Callable[[], str], words: QueryWords | None,
        sentences: Callable[[], Sequence[tuple[int, int]] | None] | None = None,
    ) -> None:
        self._text, self._source = (text, None) if isinstance(text, str) else (None, text)
        self._words = words
        self._sentences = sentences
        self._result: tuple[tuple[int, int], tuple[tuple[int, int], ...]] | None = None

    @classmethod
    def known(
        cls, sentence: tuple[int, int], highlights: Sequence[tuple[int, int]], text: str = ""
    ) -> Explanation:
        """An explanation of `text` whose values are already known."""
        explanation = cls(text, None)
        explanation._result = (sentence, tuple(highlights))
        return explanation

    @property
    def text(self) -> str:
        """The passage explained."""
        text = self._text
        if text is None:
            source = self._source
            if source is None:  # unreachable: one of the two is always set
                raise RuntimeError("an explanation without a text")
            text = self._text = source()
        return text

    def resolve(self) -> tuple[tuple[int, int], tuple[tuple[int, int], ...]]:
        """(sentence span, bold spans), computed on the first call."""
        result = self._result
        if result is None:
            text, words = self.text, self._words
            if words is None:
                raise RuntimeError("an explanation made with known() is always resolved")
            matches = find_matches(text, words)
            known = None if self._sentences is None else self._sentences()
            result = (best_sentence(text, matches, known), tuple(match_spans(text, matches)))
            self._result = result
        return result

    @property
    def resolved(self) -> bool:
        """Whether the values are worked out already (reading them costs nothing more)."""
        return self._result is not None

    @property
    def sentence(self) -> tuple[int, int]:
        """Span of the best sentence in the passage."""
        return self.resolve()[0]

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """Spans of the matched words to show in bold, merged where they touch."""
        return self.resolve()[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        return (self.text, self.resolve()) == (other.text, other.resolve())

    def __hash__(self) -> int:
        return hash((self.text, self.resolve()))

    def __repr__(self) -> str:
        state = "pending" if self._result is None else repr(self._result)
        return f"Explanation({state})"
