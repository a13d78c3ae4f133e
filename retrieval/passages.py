"""Articles cut into passages worth quoting.

A passage is a paragraph, or a few short ones together, so that what the bot quotes
reads as a piece of the story. Short lines (sub-headings, list leads such as "Vụ việc
điển hình:") join the paragraph that follows; very long paragraphs (legal texts) are
cut at sentence ends. The title is never a passage of its own: ranking sees it as a
separate field, so it lends context to every passage without being shown as one.
Captions, credits, bylines, links to other stories and image lines never reach here:
the corpus parser drops them (`corpus.furniture`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpus import Article

__all__ = ["MAX_CHARS", "MIN_CHARS", "Passage", "split_passages"]

# About 25 and 150 words of Vietnamese news text.
MIN_CHARS = 120
MAX_CHARS = 700

_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")


@dataclass(frozen=True, slots=True)
class Passage:
    """What retrieval ranks and the bot quotes; `text` is normalised article text."""

    article_id: str
    ordinal: int
    text: str


def split_passages(article: Article) -> list[Passage]:
    """The article's passages in reading order; the summary (the site's lead) comes first."""
    units = [u for u in _units(article) if any(ch.isalpha() for ch in u)]
    passages: list[str] = []
    pending: list[str] = []
    for unit in units:
        if pending and _size(pending) + len(unit) > MAX_CHARS and _size(pending) >= MIN_CHARS:
            passages.append("\n".join(pending))
            pending = []
        pending.append(unit)
        if _size(pending) >= MIN_CHARS and _ends_sentence(unit):
            passages.append("\n".join(pending))
            pending = []
    if pending:
        if (
            passages
            and _size(pending) < MIN_CHARS
            and len(passages[-1]) + _size(pending) <= MAX_CHARS
        ):
            passages[-1] = passages[-1] + "\n" + "\n".join(pending)
        else:
            passages.append("\n".join(pending))
    return [Passage(article.id, ordinal, text) for ordinal, text in enumerate(passages)]


def _units(article: Article) -> Iterator[str]:
    body = "\n".join(article.paragraphs)
    if article.summary and article.summary not in body:
        yield article.summary
    for paragraph in article.paragraphs:
        if len(paragraph) <= MAX_CHARS:
            yield paragraph
            continue
        yield from _cut(paragraph)


def _cut(paragraph: str) -> Iterator[str]:
    """A long paragraph in pieces of at most `MAX_CHARS`, cut at sentence ends if possible."""
    piece = ""
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > MAX_CHARS:  # one endless sentence: cut at a space
            cut = sentence.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
            if piece:
                yield piece
                piece = ""
            yield sentence[:cut].strip()
            sentence = sentence[cut:].strip()
        if piece and len(piece) + 1 + len(sentence) > MAX_CHARS:
            yield piece
            piece = ""
        piece = f"{piece} {sentence}" if piece else sentence
    if piece:
        yield piece


def _size(units: list[str]) -> int:
    return sum(len(u) for u in units) + len(units) - 1


def _ends_sentence(unit: str) -> bool:
    return unit.rstrip(" )\"”'").endswith((".", "!", "?", "…", ":", ";")) and not unit.endswith(
        ":"
    )
