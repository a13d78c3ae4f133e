"""Subscription filters: which new directives a chat wants, as plain data.

``/dangky thông tư, công văn thuế`` names document kinds and keywords. Words that name a
kind ("thông tư", "thong tu", "Công văn", "công điện", "chỉ thị"...) become kind filters;
what remains are keywords, separated by commas (``thuế, xuất xứ`` is two keywords;
``hoàn thuế`` is one, a phrase).

Matching uses the search analyser (`retrieval.analyze`) on both sides, folded: accents,
tones and case never matter ("thue", "thuế" and "THUẾ" are one keyword) and
abbreviations are expanded the same way (XNK, C/O). A keyword matches an article when
every folded syllable of it, and every pair of neighbouring syllables, occurs in the
article's title, summary or body. Filters are stored as the words the user typed, never
as patterns: nothing a user sends is ever compiled or executed.

An article matches a subscription when its directive kind is one of the kinds (if any
are set) and it matches at least one keyword (if any are set).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus import (
    DIRECTIVE_KINDS,
    KIND_LABELS,
    Article,
    fold_diacritics,
    kind_from_text,
    normalize_line,
)
from retrieval import analyze

__all__ = [
    "MAX_KEYWORDS",
    "MAX_KEYWORD_CHARS",
    "ArticleTerms",
    "Filters",
    "article_terms",
    "parse_filters",
]

MAX_KEYWORDS = 10
MAX_KEYWORD_CHARS = 60
# "văn bản" is what every document is: as a filter it would mean "everything".
_GENERIC = frozenset({"van ban"})
_JOINT_CIRCULAR = "thong tu lien tich"
# Linking words around a keyword ("thông tư về thuế"): not part of it.
_LINKING = frozenset({"về", "và", "hoặc", "của", "hoac"})
_SEPARATORS = re.compile(r"[,;\n]+")
_KIND_ORDER = tuple(KIND_LABELS)


@dataclass(frozen=True, slots=True)
class Filters:
    """Kinds (keys of `corpus.KIND_LABELS`, in that order) and keywords (as typed, NFC)."""

    kinds: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No filter: every new directive is sent."""
        return not self.kinds and not self.keywords

    def with_kind_toggled(self, kind: str) -> Filters:
        """The same filters with `kind` added or removed."""
        if kind not in DIRECTIVE_KINDS:
            raise ValueError(f"unknown document kind {kind!r}; expected one of {_KIND_ORDER}")
        kinds = set(self.kinds) ^ {kind}
        return Filters(_ordered(kinds), self.keywords)

    def kinds_json(self) -> str:
        """The kinds as stored in the database (a JSON list)."""
        return json.dumps(list(self.kinds))

    def keywords_json(self) -> str:
        """The keywords as stored in the database (a JSON list of strings)."""
        return json.dumps(list(self.keywords), ensure_ascii=False)

    @classmethod
    def from_json(cls, kinds: str, keywords: str) -> Filters:
        """Filters read back from the database; unknown kinds are dropped."""
        stored_kinds = [k for k in json.loads(kinds) if k in DIRECTIVE_KINDS]
        stored_words = [str(w) for w in json.loads(keywords)]
        return cls(_ordered(stored_kinds), tuple(stored_words))

    def matches(self, kind: str | None, terms: ArticleTerms) -> bool:
        """Whether an article of directive `kind` with `terms` passes these filters."""
        if self.kinds and kind not in self.kinds:
            return False
        return not self.keywords or any(_keyword_in(k, terms) for k in self.keywords)


@dataclass(frozen=True, slots=True)
class ArticleTerms:
    """The folded syllables and folded syllable pairs of an article's text."""

    syllables: frozenset[str]
    pairs: frozenset[str]


def article_terms(article: Article) -> ArticleTerms:
    """The terms keywords are matched against: title, teaser, summary and body.

    Parts are joined with a full stop so that no pair spans two of them.
    """
    parts = [article.title, article.teaser, article.summary, *article.paragraphs]
    terms = analyze(" . ".join(p for p in parts if p), normalized=True)
    return ArticleTerms(frozenset(terms.fold), frozenset(terms.fold2))


@functools.lru_cache(maxsize=4096)
def _keyword_terms(keyword: str) -> tuple[frozenset[str], frozenset[str]]:
    analysed = analyze(keyword)
    return frozenset(analysed.fold), frozenset(analysed.fold2)


def _keyword_in(keyword: str, terms: ArticleTerms) -> bool:
    syllables, pairs = _keyword_terms(keyword)
    return bool(syllables) and syllables <= terms.syllables and pairs <= terms.pairs


def _ordered(kinds: Iterable[str]) -> tuple[str, ...]:
    chosen = set(kinds)
    return tuple(k for k in _KIND_ORDER if k in chosen)


def _folded_words(text: str) -> list[str]:
    return fold_diacritics(text).lower().split()


def _kind_at(words: Sequence[str], start: int) -> tuple[str | None, int] | None:
    """The kind named by the words at `start` and how many words name it, if any.

    Every kind name is two syllables ("thông tư", "công văn", "công điện"), except
    "thông tư liên tịch", a joint circular, which counts as a circular. "văn bản"
    (any document) names no kind: (None, 2).
    """
    if " ".join(_folded_words(" ".join(words[start : start + 4]))) == _JOINT_CIRCULAR:
        return "thong_tu", 4
    pair = words[start : start + 2]
    if len(pair) < 2:
        return None
    if " ".join(_folded_words(" ".join(pair))) in _GENERIC:
        return None, 2
    kind = kind_from_text(" ".join(pair))
    return (kind, 2) if kind is not None else None


def parse_filters(text: str) -> tuple[Filters, list[str]]:
    """The filters of a ``/dangky`` argument, and the keywords that were dropped.

    Commas (or semicolons, line breaks) separate keywords, and so does a kind name
    between words. A keyword over `MAX_KEYWORD_CHARS`, or past the `MAX_KEYWORDS`-th,
    is dropped and returned so the bot can say so; repeats (however accented) count once.
    """
    kinds: set[str] = set()
    keywords: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()

    def keep(words: list[str]) -> None:
        while words and words[0].lower() in _LINKING:
            words = words[1:]
        while words and words[-1].lower() in _LINKING:
            words = words[:-1]
        keyword = " ".join(words).strip(" .:-–")
        folded = " ".join(_folded_words(keyword))
        if not any(ch.isalnum() for ch in keyword) or folded in seen:
            return
        if len(keyword) > MAX_KEYWORD_CHARS or len(keywords) >= MAX_KEYWORDS:
            dropped.append(keyword)
            return
        seen.add(folded)
        keywords.append(keyword)

    for piece in _SEPARATORS.split(normalize_line(text.replace("\n", ","))):
        words = piece.split()
        rest: list[str] = []
        index = 0
        while index < len(words):
            found = _kind_at(words, index)
            if found is None:
                rest.append(words[index])
                index += 1
                continue
            if found[0] is not None:
                kinds.add(found[0])
            index += found[1]
            keep(rest)
            rest = []
        keep(rest)
    return Filters(_ordered(kinds), tuple(keywords)), dropped
