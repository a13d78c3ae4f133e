"""Text normalisation shared by the corpus, retrieval (queries) and subscription filters.

Vietnamese text reaches us in several spellings of the same word: precomposed (NFC) or
decomposed (NFD) diacritics, the tone mark on either vowel of ``oa``/``oe``/``uy``
(*kiểu cũ* ``hòa``, *kiểu mới* ``hoà``), typos with the mark on the wrong vowel
(``qúy``, ``tóan``), and invisible characters copied from web pages. `normalize_text`
maps all of them to one form so that equal words compare equal as strings.

Tone placement rule (applied per syllable, no word list): take the syllable's letters
without the tone mark; skip the initial consonants (``qu`` and ``gi`` count as consonants
when another vowel follows); in the vowel group that remains, the tone goes

1. on the vowel that carries a quality mark (ă â ê ô ơ ư), on ``ơ`` for ``ươ``;
2. otherwise, when a final consonant follows, on the last vowel (``hoàn``, ``toán``);
3. otherwise on the middle vowel of three (``ngoài``, ``khuỷu``) or the first of two
   (``hòa``, ``thủy``, ``mía``) -- the traditional placement, which most of our corpus uses.

A syllable that is not Vietnamese-shaped (letters such as f/j/w/z, two vowel groups,
more than one tone mark) is left as it is: ``café`` stays ``café``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "canonical_tones",
    "fold_diacritics",
    "has_diacritics",
    "normalize_chars",
    "normalize_line",
    "normalize_text",
]

# Combining tone marks: grave (huyền), acute (sắc), tilde (ngã), hook (hỏi), dot (nặng).
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
_SYLLABLE_SHAPE = re.compile(r"[bcdđghklmnpqrstvx]*[aăâeêioôơuưy]{1,3}[cghmnpt]{0,2}")

# Zero-width space/joiners, word joiner, BOM, soft hyphen, direction marks, Mongolian
# vowel separator: they make equal words unequal and never carry meaning in news text.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e]")
_WORD = re.compile(r"\w+")

# Precomposed vowels that carry a tone mark; only words containing one can need moving.
_TONED = frozenset(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for tone in _TONE_MARKS
)


def normalize_line(text: str) -> str:
    """One line of text in canonical form: NFC, canonical tones, no invisibles, single spaces."""
    return " ".join(normalize_chars(text).split())


def normalize_text(text: str) -> str:
    """Like `normalize_line` for text of many lines: line breaks kept, blank lines dropped."""
    lines = (" ".join(line.split()) for line in normalize_chars(text).splitlines())
    return "\n".join(line for line in lines if line)


def normalize_chars(text: str) -> str:
    """NFC, canonical tones and no invisible characters; whitespace and lines untouched."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = canonical_tones(_INVISIBLE.sub("", text))
    return text


def canonical_tones(text: str) -> str:
    """Move every syllable's tone mark to its canonical vowel; `text` must already be NFC.

    Works on the distinct words of `text`, so a long article costs one scan plus one
    cached lookup per distinct word, and a rewrite only when some word changes.
    """
    changed = {}
    pieces = list(line_pieces(text))
    for word in {word for piece in pieces for word in _WORD.findall(piece)}:
        if not word.isascii():
            placed = _place_tone(word)
            if placed != word:
                changed[word] = placed
    if not changed:
        return text
    words = "|".join(re.escape(word) for word in sorted(changed, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)")
    return "".join(pattern.sub(lambda m: changed[m.group()], piece) for piece in pieces)


# A regular expression holds the interpreter lock for its whole scan: over a long article
# (an ingested page of megabytes) one scan would stall the bot's answers running beside
# the parser. Scanning in pieces of about this many characters lets them through.
PIECE_CHARS = 32768


def line_pieces(text: str, size: int = PIECE_CHARS) -> Iterator[str]:
    """`text` in consecutive pieces of about `size` characters, each ending with a line
    break (a longer line is one piece; joined, the pieces are `text`): no word, and no
    pattern that stays within a line, is cut."""
    start = 0
    while len(text) - start > size:
        cut = text.find("\n", start + size)
        if cut < 0:
            break
        yield text[start : cut + 1]
        start = cut + 1
    yield text[start:]


@functools.lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    if not any(ch in _TONED for ch in word):
        return word
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) != 1 or len(word) > 8:
        return word
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    lower = base.lower()
    if len(lower) != len(base) or not _SYLLABLE_SHAPE.fullmatch(lower):
        return word
    position = _tone_position(lower)
    if position is None:
        return word
    placed = base[: position + 1] + tones[0] + base[position + 1 :]
    return unicodedata.normalize("NFC", placed)


def _tone_position(syllable: str) -> int | None:
    """Index of the vowel that carries the tone in a lower-case, tone-less syllable."""
    start = next(i for i, ch in enumerate(syllable) if ch in _VOWELS)
    end = start
    while end < len(syllable) and syllable[end] in _VOWELS:
        end += 1
    onset = syllable[:start]
    if end - start > 1 and (
        (onset == "q" and syllable[start] == "u") or (onset == "g" and syllable[start] == "i")
    ):
        start += 1  # the "u" of "qu" and the "i" of "gi" belong to the consonant
    group = syllable[start:end]
    if "ươ" in group:
        return start + group.index("ươ") + 1
    for offset, ch in enumerate(group):
        if ch in _MARKED_VOWELS:
            return start + offset
    if end < len(syllable):
        return end - 1
    if len(group) == 3:
        return start + 1
    if len(group) <= 2:
        return start
    return None


def _build_fold_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        stripped = "".join(
            ch for ch in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(ch)
        )
        if len(stripped) == 1 and stripped != chr(code):
            table[code] = stripped
    return table


_FOLD = _build_fold_table()


def fold_diacritics(text: str) -> str:
    """Text as typed without diacritics (``đ`` → ``d``), one output char per input char.

    `text` must be NFC. Keeping the length lets callers match on the folded text and cut
    spans out of the original.
    """
    return text.translate(_FOLD)


def has_diacritics(text: str) -> bool:
    """True when `text` (NFC) holds any Vietnamese letter with a mark, ``đ`` included."""
    return fold_diacritics(text) != text
