"""A window's folded syllables read from the analysis, not cut from its text again.

The second stage weighs twenty candidate windows per question by the words they hold
(`features`), and cutting a thousand characters into syllables is most of its cost.
The analysis already holds every passage's syllables; for the passages where they are
exactly what `analyzer.window_forms` cuts (`AnalysedArticle.plain`: nearly all, not
those around "C/O" or holding document codes), a window's forms with their keys in the
index's vocabulary, its joined pairs and whether it holds a figure are read from there.
For the others the analysis keeps their cut (`analyzer.cut_code`), so no window is cut
from its text while searching, and the features are the same either way.

A serving process maps the analysis cache (`store.map_analysis`): the tokens stay in
the file and only the candidates' pages are read. A process that has just built the
index holds the same arrays from the analyses in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import fold, read_cut, window_joins
from retrieval.index import ranges
from retrieval.store import AnalysisArrays, analysis_arrays

__all__ = ["ForwardIndex", "WindowForms"]


class WindowForms:
    """What the second stage reads of a window of passages: its folded syllables (and
    their keys in the index's vocabulary, -1 for one it lacks), which of them pair with
    the one before (joined by whitespace only), and whether it holds a digit.

    The keys are what the features compare with the question's words, for all the
    pool's windows in a few numpy passes (`features.window_evidence`); the pairs are one
    flag per form, not a set, for the same reason. The forms themselves are wanted only
    for a number the vocabulary lacks: a window read from the analysis (`read`) makes
    them when first asked for. Compared by identity: evidence is remembered per object,
    and a search makes one per window it weighs."""

    __slots__ = ("_forms", "_ids", "_words", "has_digit", "joins", "keys")

    def __init__(
        self, forms: list[str], joins: npt.NDArray[np.bool_], has_digit: bool,
        keys: npt.NDArray[np.int64],
    ) -> None:
        self._forms: list[str] | None = forms
        self._words: npt.NDArray[np.object_] | None = None
        self._ids: npt.NDArray[np.int64] | None = None
        self.joins = joins  # joins[i]: forms[i - 1] and forms[i] are a pair; joins[0] never
        self.has_digit = has_digit
        self.keys = keys

    @classmethod
    def read(
        cls, words: npt.NDArray[np.object_], ids: npt.NDArray[np.int64],
        joins: npt.NDArray[np.bool_], has_digit: bool, keys: npt.NDArray[np.int64],
    ) -> WindowForms:
        """A window whose forms are ``words[ids]``, made when first asked for."""
        window = cls([], joins, has_digit, keys)
        window._forms, window._words, window._ids = None, words, ids
        return window

    @property
    def forms(self) -> list[str]:
        """The window's folded syllables, in order."""
        forms = self._forms
        if forms is None:
            if self._words is None or self._ids is None:  # unreachable: `read` sets both
                raise RuntimeError("a window without forms")
            forms = self._forms = self._words.take(self._ids).tolist()
        return forms

    @classmethod
    def of_forms(
        cls, forms: list[str], joins: Sequence[bool], has_digit: bool, vocab: Mapping[str, int]
    ) -> WindowForms:
        """From the forms as cut, their keys looked up in `vocab`."""
        keys = np.fromiter(map(vocab.get, forms, repeat(-1)), np.int64, len(forms))
        return cls(forms, np.asarray(joins, np.bool_), has_digit, keys)

    @classmethod
    def of_text(cls, text: str, vocab: Mapping[str, int]) -> WindowForms:
        """Cut from the window's text (`analyzer.window_joins`)."""
        forms, joins = window_joins(text)
        return cls.of_forms(forms, joins, any(ch.isdigit() for ch in text), vocab)


@dataclass(frozen=True, slots=True)
class ForwardIndex:
    """Per indexed article (by position), its passages' folded syllables and sizes.

    `tokens[i]` maps through `table` to an id of `words` (folded forms of the arrays'
    vocabulary), whose key in the index's vocabulary is `word_keys` (-1: not there);
    unit ``u`` (an article's passages, then its title) spans tokens
    ``token_start[u]:token_start[u+1]``.
    """

    # Folded forms, as an object array: a window's forms are one `take` of its ids
    # (twenty windows of a few hundred tokens per question).
    words: npt.NDArray[np.object_]
    word_keys: npt.NDArray[np.int64]
    vocab: Mapping[str, int]  # the index's: keys of the kept cuts' forms
    digits: npt.NDArray[np.bool_]  # per word: holds a digit
    table: npt.NDArray[np.int64]  # token value -> word id
    tokens: npt.NDArray[np.unsignedinteger]
    joined: npt.NDArray[np.uint8]  # packed bits, one per token
    token_start: npt.NDArray[np.int64]
    first_unit: npt.NDArray[np.int64]  # per article position; -1: not known here
    n_passages: npt.NDArray[np.int64]  # per article position
    chars: npt.NDArray[np.int64]  # per unit
    plain: npt.NDArray[np.bool_]  # per unit
    # Per unit: joined to the previous unit when both are shown, separated by "\n".
    crosses: npt.NDArray[np.bool_]
    # The units that are not plain (sorted), with their `cut_code`s (UTF-8, end to end).
    cut_units: npt.NDArray[np.int64]
    cut_text: npt.NDArray[np.uint8]
    cut_ends: npt.NDArray[np.int64]
    # Unit ``u``'s sentences are rows ``sentence_start[u]:sentence_start[u+1]`` of
    # `sentences`: (start, end) in the unit's text.
    sentence_start: npt.NDArray[np.int64]
    sentences: npt.NDArray[np.unsignedinteger]

    @classmethod
    def from_analyses(
        cls, analysed: Sequence[AnalysedArticle], vocab: Mapping[str, int]
    ) -> ForwardIndex:
        """From the analyses of the indexed articles, in index order (held in memory),
        for an index whose vocabulary is `vocab`."""
        return cls.from_arrays(
            analysis_arrays(analysed), [a.content_hash for a in analysed], vocab
        )

    @classmethod
    def from_arrays(
        cls, arrays: AnalysisArrays, content_hashes: Sequence[str], vocab: Mapping[str, int]
    ) -> ForwardIndex:
        """From the analysis cache's arrays (`store.map_analysis`, or `analysis_arrays`),
        for the indexed articles with `content_hashes` (in index order) and an index
        whose vocabulary is `vocab`; an article the arrays lack is cut from its text."""
        words: dict[str, int] = {}
        table = np.fromiter((words.setdefault(fold(w), len(words)) for w in arrays.vocab),
                            dtype=np.int64, count=len(arrays.vocab))
        starts = np.concatenate(([0], np.cumsum(arrays.units_per_article)[:-1]))
        where = dict(zip(arrays.hashes, range(len(arrays.hashes)), strict=True))
        found = np.asarray([where.get(h, -1) for h in content_hashes], np.int64)
        known, found = found >= 0, np.maximum(found, 0)
        first_unit = np.where(known, starts[found], -1).astype(np.int64)
        units = np.where(known, arrays.units_per_article[found], 0).astype(np.int64)
        token_start = np.zeros(len(arrays.unit_lengths) + 1, np.int64)
        np.cumsum(arrays.unit_lengths, out=token_start[1:])
        plain, open_start, open_end = (arrays.unit_flags[:, i] for i in range(3))
        # A unit with no token cannot be read as a window (its neighbours would join).
        plain = plain & (np.diff(token_start) > 0)
        crosses = np.zeros(len(plain), np.bool_)
        crosses[1:] = open_end[:-1] & open_start[1:]
        sentence_start = np.zeros(len(arrays.sentence_counts) + 1, np.int64)
        np.cumsum(arrays.sentence_counts, out=sentence_start[1:])
        return cls(
            words=np.asarray(list(words), dtype=object),
            word_keys=np.fromiter((vocab.get(w, -1) for w in words), np.int64, len(words)),
            vocab=vocab,
            digits=np.fromiter((any(ch.isdigit() for ch in w) for w in words), np.bool_,
                               count=len(words)),
            table=table, tokens=arrays.tokens, joined=arrays.joined, token_start=token_start,
            first_unit=first_unit, n_passages=np.maximum(units - 1, 0),
            chars=arrays.unit_chars, plain=plain, crosses=crosses,
            cut_units=np.flatnonzero(~arrays.unit_flags[:, 0]).astype(np.int64),
            cut_text=arrays.cut_text, cut_ends=arrays.cut_ends,
            sentence_start=sentence_start, sentences=arrays.sentences,
        )

    def passage_sizes(self, position: int, n_passages: int) -> npt.NDArray[np.int64] | None:
        """Characters of each passage of the article at `position`, or None when not
        known here (or known for another number of passages than the index has)."""
        first = int(self.first_unit[position])
        if first < 0 or int(self.n_passages[position]) != n_passages:
            return None
        return self.chars[first : first + n_passages]

    def window(self, position: int, first: int, last: int) -> WindowForms | None:
        """The forms of passages ``first..last`` of the article at `position` joined by
        line breaks, as `WindowForms.of_text` would cut them; None when they must be cut
        from the text (an article not known here, damaged ids)."""
        return self.windows([(position, first, last)])[0]

    def sentences_of(self, position: int, first: int, last: int) -> list[tuple[int, int]] | None:
        """The sentence spans of passages ``first..last`` of the article at `position`
        joined by line breaks, as `split_sentences` cuts that text (it never joins two
        lines), or None when they are not known here (or damaged)."""
        start = int(self.first_unit[position])
        if start < 0 or not 0 <= first <= last < int(self.n_passages[position]):
            return None
        begin, end = start + first, start + last + 1
        bounds = self.sentence_start[begin : end + 1]
        spans = np.asarray(self.sentences[int(bounds[0]) : int(bounds[-1])], np.int64)
        sizes = self.chars[begin:end]
        counts = np.diff(bounds)
        # Each passage starts after those before it, each followed by a line break.
        shift = np.repeat(np.cumsum(sizes + 1) - (sizes + 1), counts)
        if len(spans) and (np.any(spans[:, 0] > spans[:, 1])
                           or np.any(spans[:, 1] > np.repeat(sizes, counts))):
            return None
        spans += shift[:, None]
        return list(map(tuple, spans.tolist()))

    def windows(self, requests: Sequence[tuple[int, int, int]]) -> list[WindowForms | None]:
        """`window` of each (position, first, last) of `requests`.

        The windows whose passages are all plain (nearly all) are read together, in
        one pass over their tokens: a question weighs twenty. A passage that is not
        plain is read from its kept cut and joined to its neighbours as the line break
        between them joins: the cut of a window is the cuts of its passages, plus a pair
        across each line break where neither side has punctuation (`crosses`)."""
        results: list[WindowForms | None] = [None] * len(requests)
        spans: list[tuple[int, int]] = []  # read together: whole windows, plain units
        plain: list[tuple[int, int]] = []  # (request, its span)
        mixed: list[tuple[int, range, int]] = []  # (request, its units, its first span)
        for i, (position, first, last) in enumerate(requests):
            start = int(self.first_unit[position])
            if start < 0 or not 0 <= first <= last < int(self.n_passages[position]):
                continue
            begin, end = start + first, start + last + 1
            if self.plain[begin:end].all():
                plain.append((i, len(spans)))
                spans.append((begin, end))
            else:
                mixed.append((i, range(begin, end), len(spans)))
                spans += [(unit, unit + 1) for unit in range(begin, end) if self.plain[unit]]
        read = self._read(spans)
        for i, span in plain:
            results[i] = read[span]
        for i, units, span in mixed:
            results[i] = self._mixed(units, iter(read[span:]))
        return results

    def _mixed(
        self, units: range, read: Iterator[WindowForms | None]
    ) -> WindowForms | None:
        """A window of `units`, some of them not plain (read from their kept cut), the
        plain ones taken from `read` in order."""
        forms: list[str] = []
        joins: list[npt.NDArray[np.bool_]] = []
        keys: list[npt.NDArray[np.int64]] = []
        has_digit = False
        for unit in units:
            part = next(read) if self.plain[unit] else self._cut(unit)
            if part is None or not part.forms:  # no word: leave the window to its text
                return None
            # The first form pairs across the line break as `crosses` says, and with
            # nothing at the window's start.
            flags = part.joins.copy()
            flags[0] = bool(forms) and bool(self.crosses[unit])
            joins.append(flags)
            keys.append(part.keys)
            forms += part.forms
            has_digit = has_digit or part.has_digit
        return WindowForms(forms, np.concatenate(joins), has_digit, np.concatenate(keys))

    def _cut(self, unit: int) -> WindowForms | None:
        """The kept cut of a unit that is not plain (None: none kept, or damaged)."""
        at = int(np.searchsorted(self.cut_units, unit))
        if at == len(self.cut_units) or int(self.cut_units[at]) != unit:
            return None
        begin = int(self.cut_ends[at - 1]) if at else 0
        try:
            code = self.cut_text[begin : int(self.cut_ends[at])].tobytes().decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not code:
            return None
        return WindowForms.of_forms(*read_cut(code), self.vocab)

    def _read(self, spans: Sequence[tuple[int, int]]) -> list[WindowForms | None]:
        """Units ``begin..end-1`` of each span, all plain, read from the tokens: the
        spans' tokens, join bits and digits are gathered once for all of them."""
        if not spans:
            return []
        begins = np.asarray([begin for begin, _ in spans], np.intp)
        ends = np.asarray([end for _, end in spans], np.intp)
        lo = self.token_start[begins].astype(np.intp)
        counts = self.token_start[ends].astype(np.intp) - lo
        at = ranges(lo, counts)  # the spans' tokens, end to end
        try:
            ids = self.table[self.tokens.take(at)]
            joins = (self.joined.take(at >> 3) >> (7 - (at & 7)).astype(np.uint8)) & 1
        except IndexError:  # a damaged cache: cut the texts instead
            return [None] * len(spans)
        joins = joins.astype(np.bool_)
        offsets = np.zeros(len(spans) + 1, np.intp)
        np.cumsum(counts, out=offsets[1:])
        # A line break inside a span joins as `crosses` says, not as the token's bit. A
        # span's first form keeps its bit: the analysis never joins a unit's first token
        # (the tests check every window), so it pairs with nothing before the span.
        for j, (begin, end) in enumerate(spans):
            for unit in range(begin + 1, end):
                joins[offsets[j] + self.token_start[unit] - lo[j]] = self.crosses[unit]
        digits = np.cumsum(self.digits[ids], dtype=np.intp)
        keys = self.word_keys.take(ids)
        bounds = offsets.tolist()
        result: list[WindowForms | None] = []
        for j in range(len(spans)):
            a, b = bounds[j], bounds[j + 1]
            held = b > a and int(digits[b - 1]) > (int(digits[a - 1]) if a else 0)
            result.append(WindowForms.read(self.words, ids[a:b], joins[a:b], held, keys[a:b]))
        return result
