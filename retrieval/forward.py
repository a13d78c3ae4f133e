"""A window's folded syllables read from the analysis, not cut from its text again.

The second stage weighs twenty candidate windows per question by the words they hold
(`features`), and cutting a thousand characters into syllables is most of its cost.
The analysis already holds every passage's syllables; for the passages where they are
exactly what `analyzer.window_forms` cuts (`AnalysedArticle.plain`: nearly all, not
those around "C/O" or holding document codes), a window's forms, its joined pairs and
whether it holds a figure are read from there. Any other window is cut from its text,
so the features are the same either way.

A serving process maps the analysis cache (`store.map_analysis`): the tokens stay in
the file and only the candidates' pages are read. A process that has just built the
index holds the same arrays from the analyses in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, islice

import numpy as np
import numpy.typing as npt

from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import fold, window_forms
from retrieval.store import MappedAnalysis

__all__ = ["ForwardIndex", "WindowForms"]


@dataclass(frozen=True, slots=True, eq=False)
class WindowForms:
    """What the second stage reads of a window of passages: its folded syllables, the
    pairs of them joined by whitespace, and whether it holds a digit.

    Compared by identity: evidence is remembered per object, and a search makes one per
    window it weighs."""

    forms: list[str]
    pairs: set[tuple[str, str]]
    has_digit: bool

    @classmethod
    def of_text(cls, text: str) -> WindowForms:
        """Cut from the window's text (`analyzer.window_forms`)."""
        forms, pairs = window_forms(text)
        return cls(forms, pairs, any(ch.isdigit() for ch in text))


@dataclass(frozen=True, slots=True)
class ForwardIndex:
    """Per indexed article (by position), its passages' folded syllables and sizes.

    `tokens[i]` maps through `table` to an id of `words`; unit ``u`` (an article's
    passages, then its title) spans tokens ``token_start[u]:token_start[u+1]``.
    """

    words: tuple[str, ...]  # folded forms
    digits: npt.NDArray[np.bool_]  # per word: holds a digit
    table: npt.NDArray[np.int64]  # token value -> word id
    tokens: npt.NDArray[np.unsignedinteger] | npt.NDArray[np.signedinteger]
    joined: npt.NDArray[np.uint8]  # packed bits, one per token
    token_start: npt.NDArray[np.int64]
    first_unit: npt.NDArray[np.int64]  # per article position; -1: not known here
    n_passages: npt.NDArray[np.int64]  # per article position
    chars: npt.NDArray[np.int64]  # per unit
    plain: npt.NDArray[np.bool_]  # per unit
    # Per unit: joined to the previous unit when both are shown, separated by "\n".
    crosses: npt.NDArray[np.bool_]

    @classmethod
    def from_analyses(cls, analysed: Sequence[AnalysedArticle]) -> ForwardIndex:
        """From the analyses of the indexed articles, in index order."""
        words: dict[str, int] = {}
        mappings: dict[int, npt.NDArray[np.uint32]] = {}  # analyses share vocab tuples
        tokens, joined, lengths, chars, flags = [], [], [], [], []
        for article in analysed:
            local = mappings.get(id(article.vocab))
            if local is None:
                local = np.fromiter(  # 32 bits: the corpus's tokens are gathered in these
                    (words.setdefault(fold(w), len(words)) for w in article.vocab),
                    dtype=np.uint32, count=len(article.vocab),
                )
                mappings[id(article.vocab)] = local
            tokens.append(local[article.tokens] if len(article.tokens) else
                          np.zeros(0, np.uint32))
            joined.append(article.joined)
            lengths.append(np.diff(article.offsets))
            chars.append(article.chars)
            flags.append(np.stack([article.plain, article.open_start, article.open_end], 1))
        units = np.asarray([len(a.offsets) - 1 for a in analysed], np.int64)
        all_tokens = np.concatenate(tokens) if tokens else np.zeros(0, np.uint32)
        del tokens
        return cls._assemble(
            words=tuple(words),
            table=np.arange(len(words), dtype=np.int64),
            tokens=all_tokens.astype(np.uint16 if len(words) <= 2**16 else np.uint32),
            joined=np.packbits(np.concatenate(joined) if joined else np.zeros(0, np.bool_)),
            unit_lengths=np.concatenate(lengths) if lengths else np.zeros(0, np.int64),
            first_unit=np.concatenate(([0], np.cumsum(units)[:-1])).astype(np.int64),
            units=units,
            chars=np.concatenate(chars) if chars else np.zeros(0, np.int64),
            flags=np.concatenate(flags) if flags else np.zeros((0, 3), np.bool_),
        )

    @classmethod
    def from_mapped(
        cls, mapped: MappedAnalysis, content_hashes: Sequence[str]
    ) -> ForwardIndex:
        """From the analysis cache, for the indexed articles with `content_hashes` (in
        index order); an article the cache lacks is cut from its text."""
        words: dict[str, int] = {}
        table = np.fromiter((words.setdefault(fold(w), len(words)) for w in mapped.vocab),
                            dtype=np.int64, count=len(mapped.vocab))
        starts = np.concatenate(([0], np.cumsum(mapped.units_per_article)[:-1]))
        where = dict(zip(mapped.hashes, range(len(mapped.hashes)), strict=True))
        found = np.asarray([where.get(h, -1) for h in content_hashes], np.int64)
        known = found >= 0
        first_unit = np.where(known, starts[np.maximum(found, 0)], -1) if len(found) else found
        units = np.where(known, mapped.units_per_article[np.maximum(found, 0)], 0) \
            if len(found) else found
        return cls._assemble(
            words=tuple(words), table=table, tokens=mapped.tokens, joined=mapped.joined,
            unit_lengths=mapped.unit_lengths, first_unit=first_unit.astype(np.int64),
            units=units.astype(np.int64), chars=mapped.unit_chars, flags=mapped.unit_flags,
        )

    @classmethod
    def _assemble(
        cls, *, words: tuple[str, ...], table: npt.NDArray[np.int64],
        tokens: npt.NDArray[np.integer], joined: npt.NDArray[np.uint8],
        unit_lengths: npt.NDArray[np.integer], first_unit: npt.NDArray[np.int64],
        units: npt.NDArray[np.int64], chars: npt.NDArray[np.integer],
        flags: npt.NDArray[np.bool_],
    ) -> ForwardIndex:
        token_start = np.zeros(len(unit_lengths) + 1, np.int64)
        np.cumsum(unit_lengths, out=token_start[1:])
        plain, open_start, open_end = (np.asarray(flags[:, i], np.bool_) for i in range(3))
        # A unit with no token cannot be read as a window (its neighbours would join).
        plain = plain & (np.diff(token_start) > 0)
        crosses = np.zeros(len(plain), np.bool_)
        crosses[1:] = open_end[:-1] & open_start[1:]
        return cls(
            words=words,
            digits=np.fromiter((any(ch.isdigit() for ch in w) for w in words), np.bool_,
                               count=len(words)),
            table=table, tokens=tokens, joined=joined, token_start=token_start,
            first_unit=first_unit, n_passages=np.maximum(units - 1, 0),
            chars=np.asarray(chars, np.int64), plain=plain, crosses=crosses,
        )

    def passage_sizes(self, position: int, n_passages: int) -> list[int] | None:
        """Characters of each passage of the article at `position`, or None when not
        known here (or known for another number of passages than the index has)."""
        first = int(self.first_unit[position])
        if first < 0 or int(self.n_passages[position]) != n_passages:
            return None
        return self.chars[first : first + n_passages].tolist()

    def window(
        self, position: int, first: int, last: int,
        texts: Callable[[], Sequence[str]] | None = None,
    ) -> WindowForms | None:
        """The forms of passages ``first..last`` of the article at `position` joined by
        line breaks, as `WindowForms.of_text` would cut them; None when they must be cut
        from the text (an article not known here, damaged ids).

        A passage that is not plain is cut from its own text, got from `texts` (the
        article's passages; without it such a window gives None), and joined to its
        neighbours as the line break between them joins: the cut of a window is the cuts
        of its passages, plus a pair across each line break where neither side has
        punctuation (`crosses`)."""
        start = int(self.first_unit[position])
        if start < 0 or not 0 <= first <= last < int(self.n_passages[position]):
            return None
        begin, end = start + first, start + last + 1
        if self.plain[begin:end].all():
            return self._read(begin, end)
        if texts is None:
            return None
        forms: list[str] = []
        pairs: set[tuple[str, str]] = set()
        has_digit = False
        passages = texts()
        for unit in range(begin, end):
            if self.plain[unit]:
                part = self._read(unit, unit + 1)
                if part is None:
                    return None
            else:
                part = WindowForms.of_text(passages[unit - start])
                if not part.forms:  # a unit without a word: leave the window to its text
                    return None
            if forms and self.crosses[unit]:
                pairs.add((forms[-1], part.forms[0]))
            forms += part.forms
            pairs |= part.pairs
            has_digit = has_digit or part.has_digit
        return WindowForms(forms, pairs, has_digit)

    def _read(self, begin: int, end: int) -> WindowForms | None:
        """Units ``begin..end-1``, all plain, read from the tokens."""
        lo, hi = int(self.token_start[begin]), int(self.token_start[end])
        try:
            ids = self.table[self.tokens[lo:hi]]
        except IndexError:  # a damaged cache: cut the text instead
            return None
        skip, bits = divmod(lo, 8)
        joins = np.unpackbits(self.joined[skip : (hi + 7) // 8])[bits : bits + hi - lo]
        if len(joins) != hi - lo:
            return None
        joins = joins.astype(np.bool_)
        for unit in range(begin + 1, end):
            joins[self.token_start[unit] - lo] = self.crosses[unit]
        words = self.words
        forms = [words[i] for i in ids.tolist()]
        pairs = set(compress(zip(forms, islice(forms, 1, None), strict=False), joins[1:].tolist()))
        return WindowForms(forms, pairs, bool(self.digits[ids].any()))
