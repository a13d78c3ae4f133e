"""Is this text Vietnamese? A cheap, dependency-free test for extracted pages.

Vietnamese is the only language in our feeds' neighbourhood that writes ``ă đ ơ ư`` and
the letters of Unicode's "Latin Extended Additional" Vietnamese block (``ạ ả ấ … ỹ``:
dot below, hook above, and the stacked marks). French, Portuguese or Spanish share the
Latin-1 accents (``é à ô ã``) but none of these. In real news text more than half of the
words carry one; an English or French page has practically none. The text must be NFC
(`corpus.normalize_text`), or decomposed letters would not be recognised.
"""

from __future__ import annotations

import re

__all__ = ["vietnamese_word_share"]

_VIETNAMESE_LETTERS = frozenset("ăđơưĂĐƠƯ") | frozenset(map(chr, range(0x1EA0, 0x1EFA)))
_WORD = re.compile(r"[^\W\d_]+")


def vietnamese_word_share(text: str) -> float:
    """Share of words (letters only) that contain a Vietnamese-only letter, 0.0 to 1.0."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    marked = sum(1 for word in words if not _VIETNAMESE_LETTERS.isdisjoint(word))
    return marked / len(words)
