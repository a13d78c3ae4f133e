"""One analysis for passages and questions alike.

BM25 matches exact strings, so any difference between how an article and a question
are cut into terms silently costs recall. Both go through `syllables` and `analyze`:

- text is normalised first (`corpus.normalize`): NFC, one tone placement, no invisibles;
- it is cut into syllables (numbers such as ``4.185`` stay whole), lower-cased;
- abbreviations are expanded (``XNK`` → xuất nhập khẩu, ``C/O`` → chứng nhận xuất xứ);
- each syllable gives an accented term and a folded one (no diacritics, đ → d), and each
  pair of neighbouring syllables not separated by punctuation gives a bigram in both
  forms -- the bigram is what makes "hải quan" more than "hải" and "quan" anywhere;
- document references give whole-identifier terms (``#39/2018/tt-btc``, ``#tt39``), so a
  question naming a number finds that document first.

Syllables rather than underthesea's words: a question is segmented without context
while the same syllables in an article are grouped differently ("hóa đơn" vs
"đơn điện tử"), so word terms miss 23-61 % of core-term occurrences; syllable bigrams
capture the same phrases without depending on the segmenter.

Caches of analysed text are keyed by a hash of this module's code (`cache_key`): an edit
here rebuilds them, no version number to bump.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from corpus import KINDS, find_references, fold_diacritics, normalize_line
from retrieval.abbreviations import ABBREVIATIONS, PHRASES

__all__ = [
    "FIELDS",
    "Syllable",
    "Terms",
    "analyze",
    "document_terms",
    "expand",
    "fold",
    "syllables",
]

# Words that ask rather than say what is asked about: answers do not contain them, so
# they neither count when judging whether an article covers a question nor show in bold.
# Accented forms, plus the folded forms no content word folds to ("may" is also "máy",
# "ai" also "ái": those stay out).
QUESTION_WORDS = frozenset(
    {"nào", "gì", "ai", "đâu", "sao", "mấy", "bao", "nhiêu", "chăng", "hả", "nhỉ", "vậy"}
    | {"nao", "gi", "dau", "bao", "nhieu"}
)

# Term fields, in index order: accented unigrams and bigrams, folded unigrams and
# bigrams, document identifiers.
FIELDS = ("acc", "acc2", "fold", "fold2", "ids")

_PHRASE_PATTERNS = [
    (re.compile(rf"(?<!\w){p}(?!\w)", re.IGNORECASE), v) for p, v in PHRASES.items()
]
_TOKEN = re.compile(
    r"(?P<date>(?<![\d/])(?P<day>[0-3]?\d)/(?P<month>[01]?\d)(?:/(?P<year>(?:19|20)\d\d))?(?![\d/]))"
    r"|\d+(?:[.,]\d+)*|[^\W\d_]+"
)
# Inside a document number ("1234/TCHQ-GSQL") letters are codes, not abbreviations to expand.
_DOCUMENT_CODE = re.compile(
    r"\d{1,5}\s{0,2}/\s{0,2}(?:\d{4}\s{0,2}/\s{0,2})?[A-Za-zĐđ][\w]*(?:\s{0,2}[-–]\s{0,2}[A-Za-zĐđ]\w*)+"
)
_EXPANSIONS = {key: tuple(value.split()) for key, value in ABBREVIATIONS.items()}
_LONGEST_ABBREVIATION = max(map(len, _EXPANSIONS))
_PLAIN_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def _accented_spellings(key: str) -> set[str]:
    """Every lower-case spelling of an abbreviation key: đ where the key has d."""
    spellings = {""}
    for ch in key:
        spellings = {s + c for s in spellings for c in (("d", "đ") if ch == "d" else (ch,))}
    return spellings


# Abbreviations by their lower-case spelling ("hđđt" as well as "hddt"), for lookups
# without folding each token.
_EXPANSIONS_FOLDED = {
    spelling: value for key, value in _EXPANSIONS.items() for spelling in _accented_spellings(key)
}


class Syllable(NamedTuple):
    """One index unit: `text` is lower-case and normalised; `start`/`end` index the text
    it came from (an expanded abbreviation gives several syllables with the same span);
    `joined` is True when no punctuation separates it from the previous syllable.
    A named tuple: passages of a thousand characters are cut at query time to explain a
    hit, and tuples are several times cheaper to make than frozen dataclasses."""

    text: str
    start: int
    end: int
    joined: bool


@dataclass(frozen=True, slots=True)
class Terms:
    """The terms of one text, per field, in order (repeats kept: they are term counts)."""

    acc: list[str]
    acc2: list[str]
    fold: list[str]
    fold2: list[str]
    ids: list[str]

    def field(self, name: str) -> list[str]:
        """Terms of the field called `name` (one of `FIELDS`)."""
        return list(getattr(self, name))


def fold(syllable: str) -> str:
    """The folded form of a lower-case syllable: what someone typing without accents writes."""
    return fold_diacritics(syllable)


def expand(token: str) -> tuple[str, ...] | None:
    """The syllables an abbreviation stands for, or None when `token` is not one."""
    return _EXPANSIONS.get(fold_diacritics(token.lower()))


def syllables(text: str) -> list[Syllable]:
    """Cut normalised `text` into syllables, abbreviations expanded, with their spans."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: keep offsets right
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    if "/" not in text:
        return _plain_syllables(lower)
    # Special spans: "C/O" and friends replace their tokens, document numbers keep their
    # letters as codes (no expansion), dates become one "day/month" syllable.
    specials = sorted(
        (m.start(), m.end(), tuple(value.split()))
        for pattern, value in _PHRASE_PATTERNS
        for m in pattern.finditer(text)
    )
    codes = [m.span() for m in _DOCUMENT_CODE.finditer(text)]
    result: list[Syllable] = []
    previous_end = -1
    special = code = 0
    for match in _TOKEN.finditer(lower):
        start, end = match.span()
        while special < len(specials) and specials[special][1] <= start:
            special += 1
        if special < len(specials) and specials[special][0] < end:
            s_start, s_end, parts = specials[special]
            if s_start >= previous_end:  # first token inside it: emit the phrase once
                previous_end = _emit(result, lower, previous_end, s_start, s_end, parts)
            continue
        while code < len(codes) and codes[code][1] <= start:
            code += 1
        token = lower[start:end]
        if match.lastgroup == "date":
            # "28/11/2020" -> "28/11" "2020": a day is a strong cue, typed with or without year.
            day_month = f"{int(match.group('day'))}/{int(match.group('month'))}"
            year = match.group("year")
            parts = (day_month, year) if year else (day_month,)
        elif code < len(codes) and codes[code][0] <= start and end <= codes[code][1]:
            parts = (token,)
        else:
            expansion = (
                _EXPANSIONS_FOLDED.get(token) if len(token) <= _LONGEST_ABBREVIATION else None
            )
            parts = expansion or (token,)
        previous_end = _emit(result, lower, previous_end, start, end, parts)
    return result


def _emit(
    result: list[Syllable],
    lower: str,
    previous_end: int,
    start: int,
    end: int,
    parts: tuple[str, ...],
) -> int:
    """Append the syllables `parts` for the span start:end; returns the new end."""
    joined = previous_end >= 0 and (previous_end == start or lower[previous_end:start].isspace())
    for index, part in enumerate(parts):
        result.append(Syllable(part, start, end, joined if index == 0 else True))
    return end


def _plain_syllables(lower: str) -> list[Syllable]:
    """`syllables` for the common case: lower-cased text without dates, codes or "C/O".

    The same result as the general path, measured several times faster: explaining a
    hit cuts a thousand characters at query time."""
    result: list[Syllable] = []
    previous_end = -1
    for match in _PLAIN_TOKEN.finditer(lower):
        start, end = match.span()
        joined = previous_end >= 0 and (
            previous_end == start or lower[previous_end:start].isspace()
        )
        previous_end = end
        token = match.group()
        expansion = _EXPANSIONS_FOLDED.get(token) if len(token) <= _LONGEST_ABBREVIATION else None
        if expansion is None:
            result.append(Syllable(token, start, end, joined))
        else:
            for index, part in enumerate(expansion):
                result.append(Syllable(part, start, end, joined if index == 0 else True))
    return result


def document_terms(text: str) -> list[str]:
    """Whole-identifier terms for the document references in normalised `text`."""
    terms: list[str] = []
    for ref in find_references(text, shorthand=True):
        if ref.code:
            terms.append("#" + fold_diacritics(ref.code.lower()))
        short = _KIND_SHORT.get(ref.kind)
        if short:
            terms.append(f"#{short}{int(ref.number)}")
    return terms


_KIND_SHORT = {kind.name: kind.short for kind in KINDS}


def analyze(text: str, *, normalized: bool = False) -> Terms:
    """The terms of a passage or a question.

    Args:
        text: any text; it is normalised first unless `normalized` says it already is
            (article text from `corpus` always is).
        normalized: skip normalisation.
    """
    if not normalized:
        text = normalize_line(text)
    units = syllables(text)
    acc = [u.text for u in units]
    folded = [fold(t) for t in acc]
    acc2: list[str] = []
    fold2: list[str] = []
    for index in range(1, len(units)):
        if units[index].joined:
            acc2.append(f"{acc[index - 1]} {acc[index]}")
            fold2.append(f"{folded[index - 1]} {folded[index]}")
    return Terms(acc, acc2, folded, fold2, document_terms(text))
