"""Cutting text to a size where a reader expects a cut: a sentence end, else a word gap.

Offsets are Python string indices; budgets are approximate character counts (the exact
Telegram measure, UTF-16 after entity parsing, is applied later by `bot.platform.render`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["ELLIPSIS", "cut_point", "highlight_pieces", "is_boundary", "split_text", "trim"]

ELLIPSIS = "…"
_SENTENCE_ENDS = frozenset(".!?…;")


def is_boundary(text: str, position: int) -> bool:
    """Whether `text` can be cut at `position` without splitting a character.

    A letter and its combining marks (NFD text), or the jamo of a Hangul syllable, form one
    character for the reader, and NFC composes them: cutting between them would leave a
    bold run or a message ending in half a letter.
    """
    if position <= 0 or position >= len(text):
        return True
    if unicodedata.combining(text[position]):
        return False
    left, right = text[max(0, position - 3) : position], text[position : position + 3]
    return len(unicodedata.normalize("NFC", left + right)) == len(
        unicodedata.normalize("NFC", left)) + len(unicodedata.normalize("NFC", right))


def cut_point(text: str, start: int, budget: int) -> int:
    """Where to end a piece of `text` that begins at `start` and holds `budget` characters.

    The piece ends after the last sentence end (punctuation followed by a space or a line
    break) in the second half of the budget, else at the last word gap there, else exactly
    at the budget -- but never between a letter and its combining mark.
    """
    budget = max(budget, 1)
    end = start + budget
    if end >= len(text):
        return len(text)
    floor = start + budget // 2
    for position in range(end, floor, -1):
        if text[position] == "\n" or (
            text[position - 1] in _SENTENCE_ENDS and text[position].isspace()
        ):
            return position
    for position in range(end, floor, -1):
        if text[position].isspace():
            return position
    position = end
    while position > start + 1 and not is_boundary(text, position):
        position -= 1
    return position


def trim(text: str, budget: int) -> str:
    """`text` itself when it fits `budget`, else its beginning cut sensibly plus "…"."""
    if len(text) <= budget:
        return text
    end = cut_point(text, 0, max(budget - 1, 1))
    return text[:end].rstrip() + ELLIPSIS


def split_text(text: str, budget: int) -> list[str]:
    """`text` in consecutive pieces of at most `budget` characters, cut sensibly.

    Joining the pieces with single spaces gives the text back up to whitespace at the cuts.
    """
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = cut_point(text, start, budget)
        piece = text[start:end].strip()
        if piece:
            pieces.append(piece)
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    return pieces


def highlight_pieces(
    text: str,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]],
    max_bold: int,
) -> list[tuple[str, bool]]:
    """``text[start:end]`` as (piece, bold) runs: the `spans` inside it in bold.

    Spans are clipped to the window, overlapping ones merged, and only the first
    `max_bold` kept (each is a message entity, and a message may hold only 100).
    """
    window: list[tuple[int, int]] = []
    for span_start, span_end in sorted(spans):
        left, right = max(span_start, start), min(span_end, end)
        if left >= right:
            continue
        while left > start and not is_boundary(text, left):
            left -= 1
        while right < end and not is_boundary(text, right):
            right += 1
        if window and left <= window[-1][1]:
            window[-1] = (window[-1][0], max(window[-1][1], right))
        else:
            window.append((left, right))
    runs: list[tuple[str, bool]] = []
    position = start
    for left, right in window[:max_bold]:
        if left > position:
            runs.append((text[position:left], False))
        runs.append((text[left:right], True))
        position = right
    if position < end:
        runs.append((text[position:end], False))
    return [run for run in runs if run[0]]
