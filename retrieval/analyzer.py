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
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from corpus import KINDS, find_references, fold_diacritics, normalize_line
from retrieval.abbreviations import ABBREVIATIONS, PHRASES

__all__ = [
    "FIELDS",
    "Syllable",
    "Terms",
    "analyze",
    "cut_code",
    "document_terms",
    "expand",
    "fold",
    "read_cut",
    "syllables",
    "window_forms",
    "window_joins",
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
# Inside a document number ("1234/TCHQ-GSQL") letters are codes, not abbreviations to expand.
_DOCUMENT_CODE = re.compile(
    r"\d{1,5}\s{0,2}/\s{0,2}(?:\d{4}\s{0,2}/\s{0,2})?[A-Za-zĐđ][\w]*(?:\s{0,2}[-–]\s{0,2}[A-Za-zĐđ]\w*)+"
)
_EXPANSIONS = {key: tuple(value.split()) for key, value in ABBREVIATIONS.items()}
_LONGEST_ABBREVIATION = max(map(len, _EXPANSIONS))
# Beyond any offset: a text has no document code left.
_NEVER = 1 << 62
# One match per token with the text before it: a date ("28/11", "28/11/2020", its day,
# month and year captured), a number ("4.185") or a run of letters. Every character is
# in a gap or a token (a word character that is not a letter is a digit, which always
# starts a number, or "_", which the gap takes), so `findall` hands plain tuples whose
# lengths give each token's offset; a token is joined to the previous one when its gap
# is only whitespace. `window_forms` cuts with it too. The gap is greedy and
# letters come first: no token starts with a gap character and the three kinds start
# with different characters, so this cuts as a lazy gap would, with less backtracking.
_GAP_TOKEN = re.compile(
    r"([\W_]*)([^\W\d_]+|(?<![\d/])([0-3]?\d)/([01]?\d)(?:/((?:19|20)\d\d))?(?![\d/])"
    r"|\d+(?:[.,]\d+)*)"
)


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


@lru_cache(maxsize=1 << 14)
def fold(syllable: str) -> str:
    """The folded form of a lower-case syllable: what someone typing without accents writes.

    Remembered: analysis and the second stage fold every syllable they cut, and a few
    thousand syllables make most of any text."""
    return fold_diacritics(syllable)


def expand(token: str) -> tuple[str, ...] | None:
    """The syllables an abbreviation stands for, or None when `token` is not one."""
    return _EXPANSIONS.get(fold_diacritics(token.lower()))


def syllables(text: str) -> list[Syllable]:
    """Cut normalised `text` into syllables, abbreviations expanded, with their spans.

    Explaining a hit cuts a thousand characters at query time, a dozen times per
    question: the loop reads `findall`'s plain tuples (the text before each token, the
    token, a date's parts), whose lengths give the offsets, rather than match objects.
    """
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: keep offsets right
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    # Special spans: "C/O" and friends replace their tokens, document numbers keep their
    # letters as codes (no expansion), dates become one "day/month" syllable. All of them
    # hold a "/".
    specials: list[tuple[int, int, tuple[str, ...]]] = []
    codes: list[tuple[int, int]] = []
    if "/" in text:
        specials = sorted(
            (m.start(), m.end(), tuple(value.split()))
            for pattern, value in _PHRASE_PATTERNS
            for m in pattern.finditer(text)
        )
        codes = [m.span() for m in _DOCUMENT_CODE.finditer(text)]
    result: list[Syllable] = []
    append = result.append
    make = tuple.__new__  # a Syllable without the named tuple's Python-level __new__
    expansions = _EXPANSIONS_FOLDED
    previous_end = -1
    special = 0
    # The first document code that does not end before the current token (none: never).
    code = 0
    code_start, code_end = codes[0] if codes else (_NEVER, _NEVER)
    end = 0
    for gap, token, day, month, year in _GAP_TOKEN.findall(lower):
        token_end = end  # the previous token's end
        start = end + len(gap)
        end = start + len(token)
        if specials:
            while special < len(specials) and specials[special][1] <= start:
                special += 1
            if special < len(specials) and specials[special][0] < end:
                s_start, s_end, parts = specials[special]
                if s_start >= previous_end:  # first token inside it: emit the phrase once
                    joined = previous_end >= 0 and (
                        previous_end == s_start or lower[previous_end:s_start].isspace()
                    )
                    for index, part in enumerate(parts):
                        append(make(Syllable, (part, s_start, s_end,
                                               joined if index == 0 else True)))
                    previous_end = s_end
                continue
        if previous_end < 0:
            joined = False
        elif previous_end == token_end:  # the usual case: the gap is what lies between
            joined = not gap or gap.isspace()
        else:
            joined = previous_end == start or lower[previous_end:start].isspace()
        previous_end = end
        if day:
            # "28/11/2020" -> "28/11" "2020": a day is a strong cue, typed with or without year.
            append(make(Syllable, (f"{int(day)}/{int(month)}", start, end, joined)))
            if year:
                append(make(Syllable, (year, start, end, True)))
            continue
        while code_end <= start:
            code += 1
            code_start, code_end = codes[code] if code < len(codes) else (_NEVER, _NEVER)
        if code_start <= start and end <= code_end:
            append(make(Syllable, (token, start, end, joined)))
            continue
        expansion = expansions.get(token) if len(token) <= _LONGEST_ABBREVIATION else None
        if expansion is None:
            append(make(Syllable, (token, start, end, joined)))
        else:
            for index, part in enumerate(expansion):
                append(make(Syllable, (part, start, end, joined if index == 0 else True)))
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


# Abbreviations as the folded syllables they stand for ("xnk" -> xuat nhap khau).
_FOLDED_EXPANSIONS = {
    fold_diacritics(key): tuple(fold_diacritics(part) for part in value)
    for key, value in _EXPANSIONS_FOLDED.items()
}


def window_forms(text: str) -> tuple[list[str], set[tuple[str, str]]]:
    """Folded syllables of a shown passage and its joined neighbour pairs.

    The analyzer's cut (dates as "day/month" and year, abbreviations expanded) at a
    fraction of its cost: the second stage runs it for every candidate of the pool on
    every question (or reads it from `ForwardIndex`, which checks it per passage),
    so the loop works on `findall`'s tuples, not on match objects, and folds token by
    token (`fold` remembers syllables; folding the whole text costs more). Folding
    maps letters to letters only, so the cut is the one of the folded text.
    """
    forms: list[str] = []
    pairs: set[tuple[str, str]] = set()
    add_pair, append, expansions = pairs.add, forms.append, _FOLDED_EXPANSIONS
    for gap, token, day, month, year in _GAP_TOKEN.findall(text.lower()):
        joined = bool(forms) and (not gap or gap.isspace())
        if day:
            parts: tuple[str, ...] = (f"{int(day)}/{int(month)}",)
            if year:
                parts += (year,)
        elif (expansion := expansions.get(token := fold(token))) is not None:
            parts = expansion
        else:
            if joined:
                add_pair((forms[-1], token))
            append(token)
            continue
        for index, part in enumerate(parts):
            if forms and (joined or index):
                add_pair((forms[-1], part))
            append(part)
    return forms, pairs


def window_joins(text: str) -> tuple[list[str], list[bool]]:
    """`window_forms` of `text` with its pairs as one flag per form: ``joins[i]`` says
    whether form ``i`` pairs with the one before it (never the first). A pair of the
    cut is a pair of neighbours, so flagging every neighbour pair that is one gives
    back exactly the cut's set."""
    forms, pairs = window_forms(text)
    return forms, ([False, *(pair in pairs for pair in pairwise(forms))] if forms else [])


def cut_code(text: str) -> str:
    """`window_joins` of `text` (and whether it holds a digit) as one string, for the
    analysis cache to keep the cut of the passages `retrieval.forward` cannot read from
    their tokens: "1" or "0" (a digit or not), then the forms, a space before one that
    pairs with the form before it and "|" before one that does not. Forms never hold
    either separator (they are runs of letters, digits and a date's "/")."""
    forms, joins = window_joins(text)
    parts = ["1" if any(ch.isdigit() for ch in text) else "0"]
    for index, (form, joined) in enumerate(zip(forms, joins, strict=True)):
        if index:
            parts.append(" " if joined else "|")
        parts.append(form)
    return "".join(parts)


def read_cut(code: str) -> tuple[list[str], list[bool], bool]:
    """(forms, joins, has_digit) of a `cut_code`: ``joins[i]`` says whether form ``i``
    pairs with the one before it (never the first)."""
    forms: list[str] = []
    joins: list[bool] = []
    body = code[1:]
    if body:
        for run in body.split("|"):
            words = run.split(" ")
            joins.append(False)
            joins += [True] * (len(words) - 1)
            forms += words
    return forms, joins, code[:1] == "1"
