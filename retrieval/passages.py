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

__all__ = ["MAX_CHARS", "MIN_CHARS", "Passage", "passage_texts", "split_passages"]

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
    return [
        Passage(article.id, ordinal, text) for ordinal, text in enumerate(passage_texts(article))
    ]


def passage_texts(article: Article) -> list[str]:
    """The texts of `split_passages`, without the records: search cuts the passages of
    every candidate it weighs, so this runs a few dozen times per question."""
    units = [u for u in _units(article) if _has_letter(u)]
    passages: list[str] = []
    pending: list[str] = []
    size = -1  # of "\n".join(pending)
    for unit in units:
        if pending and size + len(unit) > MAX_CHARS and size >= MIN_CHARS:
            passages.append("\n".join(pending))
            pending, size = [], -1
        pending.append(unit)
        size += len(unit) + 1
        if size >= MIN_CHARS and _ends_sentence(unit):
            passages.append("\n".join(pending))
            pending, size = [], -1
    if pending:
        if passages and size < MIN_CHARS and len(passages[-1]) + size <= MAX_CHARS:
            passages[-1] = passages[-1] + "\n" + "\n".join(pending)
        else:
            passages.append("\n".join(pending))
    return passages


def _has_letter(unit: str) -> bool:
    # Most units start with a letter: the first character settles it without a scan.
    return unit[:1].isalpha() or any(ch.isalpha() for ch in unit)


def _units(article: Article) -> Iterator[str]:
    paragraphs = tuple(article.paragraphs)  # unpacked once, not once per reading
    if article.summary and article.summary not in "\n".join(paragraphs):
        yield article.summary
    for paragraph in paragraphs:
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


def _ends_sentence(unit: str) -> bool:
    return unit.rstrip(" )\"”'").endswith((".", "!", "?", "…", ":", ";")) and not unit.endswith(
        ":"
    )
