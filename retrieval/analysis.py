"""One article analysed: its passages and title as syllable ids, ready to index and cache.

This is the expensive step (pure-Python tokenising), so its output is compact arrays
that the cache stores per article content hash and the index assembles with numpy. The
passage texts are not kept: the article holds the text once, and `split_passages` cuts
it again, cheaply, for the few articles a search shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpus import Article
from retrieval.analyzer import Syllable, cut_code, document_terms, fold, syllables, window_forms
from retrieval.passages import split_passages
from retrieval.sentences import split_sentences

__all__ = ["AnalysedArticle", "analyse_article"]


@dataclass(frozen=True, slots=True)
class AnalysedArticle:
    """Units are the article's passages in order, then its title (always last).

    `tokens` holds indexes into `vocab` for all units back to back; unit ``u`` spans
    ``tokens[offsets[u]:offsets[u+1]]``; `joined[i]` says token ``i`` continues a phrase
    with token ``i-1`` (no punctuation between them, same unit).

    Per unit, for `retrieval.forward` (the second stage reads a window's folded
    syllables from here instead of cutting its text again): `chars` is the unit's
    length in characters; `plain` says the folded tokens and their joins are exactly
    what `window_forms` cuts from the unit's text (not so around "C/O" or inside
    document codes, whose letters the analyser keeps unexpanded); `open_start` and
    `open_end` say no punctuation precedes its first token or follows its last, so two
    passages joined by a line break form a pair across it. `cuts` holds, for each unit
    that is not plain (in order), its `cut_code`: what the second stage reads there
    instead of cutting the text again.

    `sentences` holds the (start, end) spans of each passage's sentences
    (`split_sentences`, relative to the passage), `sentence_counts[u]` of them for unit
    ``u`` (none for the title): explaining a hit picks its best sentence from these
    rather than splitting its text again while the user waits.
    """

    content_hash: str
    n_passages: int
    vocab: tuple[str, ...]
    tokens: npt.NDArray[np.int32]
    joined: npt.NDArray[np.bool_]
    offsets: npt.NDArray[np.int32]
    ids: tuple[tuple[str, ...], ...]
    chars: npt.NDArray[np.int32]
    plain: npt.NDArray[np.bool_]
    open_start: npt.NDArray[np.bool_]
    open_end: npt.NDArray[np.bool_]
    cuts: tuple[str, ...]
    sentence_counts: npt.NDArray[np.int32]
    sentences: npt.NDArray[np.int32]  # shape (sum of sentence_counts, 2)


def analyse_article(article: Article) -> AnalysedArticle:
    """Cut `article` into passages and analyse each, and its title."""
    passages = tuple(p.text for p in split_passages(article))
    vocab: dict[str, int] = {}
    tokens: list[int] = []
    joined: list[bool] = []
    offsets = [0]
    ids: list[tuple[str, ...]] = []
    flags: list[tuple[bool, bool, bool]] = []
    cuts: list[str] = []
    sentences = [split_sentences(text) for text in passages]
    for text in (*passages, article.title):
        units = syllables(text)
        for position, unit in enumerate(units):
            tokens.append(vocab.setdefault(unit.text, len(vocab)))
            joined.append(unit.joined and position > 0)
        offsets.append(len(tokens))
        ids.append(tuple(document_terms(text)))
        flags.append(_forward_flags(text, units))
        if not flags[-1][0]:
            cuts.append(cut_code(text))
    return AnalysedArticle(
        content_hash=article.content_hash,
        n_passages=len(passages),
        vocab=tuple(vocab),
        tokens=np.asarray(tokens, dtype=np.int32),
        joined=np.asarray(joined, dtype=np.bool_),
        offsets=np.asarray(offsets, dtype=np.int32),
        ids=tuple(ids),
        chars=np.asarray([len(text) for text in (*passages, article.title)], dtype=np.int32),
        plain=np.asarray([f[0] for f in flags], dtype=np.bool_),
        open_start=np.asarray([f[1] for f in flags], dtype=np.bool_),
        open_end=np.asarray([f[2] for f in flags], dtype=np.bool_),
        cuts=tuple(cuts),
        sentence_counts=np.asarray([*map(len, sentences), 0], dtype=np.int32),
        sentences=np.asarray([span for spans in sentences for span in spans],
                             dtype=np.int32).reshape(-1, 2),
    )


def _forward_flags(text: str, units: list[Syllable]) -> tuple[bool, bool, bool]:
    """(plain, open_start, open_end) of one unit (see `AnalysedArticle`).

    A character is outside every token exactly when it is not alphanumeric (the token
    pattern's gap is ``[\\W_]``), so the unit's ends are open when the characters before
    its first and after its last alphanumeric one are only whitespace.
    """
    forms, pairs = window_forms(text)
    folded = [fold(unit.text) for unit in units]
    plain = folded == forms and pairs == {
        (folded[i - 1], folded[i]) for i in range(1, len(units)) if units[i].joined
    }
    lower = text.lower()
    start = next((i for i, ch in enumerate(lower) if ch.isalnum()), len(lower))
    end = next((i for i in range(len(lower), 0, -1) if lower[i - 1].isalnum()), 0)
    lead, trail = lower[:start], lower[end:]
    return plain, not lead or lead.isspace(), not trail or trail.isspace()
