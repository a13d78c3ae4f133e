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
from retrieval.analyzer import document_terms, syllables
from retrieval.passages import split_passages

__all__ = ["AnalysedArticle", "analyse_article"]


@dataclass(frozen=True, slots=True)
class AnalysedArticle:
    """Units are the article's passages in order, then its title (always last).

    `tokens` holds indexes into `vocab` for all units back to back; unit ``u`` spans
    ``tokens[offsets[u]:offsets[u+1]]``; `joined[i]` says token ``i`` continues a phrase
    with token ``i-1`` (no punctuation between them, same unit).
    """

    content_hash: str
    n_passages: int
    vocab: tuple[str, ...]
    tokens: npt.NDArray[np.int32]
    joined: npt.NDArray[np.bool_]
    offsets: npt.NDArray[np.int32]
    ids: tuple[tuple[str, ...], ...]


def analyse_article(article: Article) -> AnalysedArticle:
    """Cut `article` into passages and analyse each, and its title."""
    passages = tuple(p.text for p in split_passages(article))
    vocab: dict[str, int] = {}
    tokens: list[int] = []
    joined: list[bool] = []
    offsets = [0]
    ids: list[tuple[str, ...]] = []
    for text in (*passages, article.title):
        first = True
        for unit in syllables(text):
            tokens.append(vocab.setdefault(unit.text, len(vocab)))
            joined.append(unit.joined and not first)
            first = False
        offsets.append(len(tokens))
        ids.append(tuple(document_terms(text)))
    return AnalysedArticle(
        content_hash=article.content_hash,
        n_passages=len(passages),
        vocab=tuple(vocab),
        tokens=np.asarray(tokens, dtype=np.int32),
        joined=np.asarray(joined, dtype=np.bool_),
        offsets=np.asarray(offsets, dtype=np.int32),
        ids=tuple(ids),
    )
