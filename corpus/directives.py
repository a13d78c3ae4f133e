"""Official document references in text, and whether an article announces a document.

Vietnamese documents are numbered ``<number>/[<year>/]<KIND>-<ISSUER>`` (``39/2018/TT-BTC``,
``2251/QĐ-BTC``, ``01/CT-TCHQ``); official letters (công văn) carry the issuing body and
unit instead of a kind (``1234/TCHQ-GSQL``). The press writes them with loose spacing, in
lower case, with or without "số", or only as "Thông tư 39". Matching runs on the text
folded to lower-case ASCII (`fold_diacritics` keeps one character per character), so
accents and case never matter, and spans are cut from the original to keep the
reference as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from corpus.article import DocumentRef
from corpus.kinds import DIRECTIVE_KINDS, KINDS
from corpus.normalize import fold_diacritics, line_pieces

__all__ = ["DIRECTIVE_KINDS", "classify_directive", "find_references", "kind_from_text"]

# Folded keyword -> kind (`corpus.kinds`). Longest first so "thong tu lien tich" wins
# over "thong tu".
_KEYWORDS: dict[str, str] = dict(sorted(
    ((keyword, kind.name) for kind in KINDS for keyword in kind.keywords),
    key=lambda item: -len(item[0]),
))
# Kind segment of a document code (folded) -> kind, and its canonical spelling.
_KIND_CODES: dict[str, tuple[str, str]] = {
    code: (kind.name, spelling) for kind in KINDS for code, spelling in kind.codes
}
_ISSUER_SPELLING = {"TTG": "TTg", "BLDTBXH": "BLĐTBXH", "BKHDT": "BKHĐT"}


# Every non-ASCII letter that folds to an ASCII one, to spell keywords in any accenting.
_FOLD_TABLE = {
    code: base
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
    if (base := fold_diacritics(chr(code))) != chr(code)
}


def _any_spelling(folded: str) -> str:
    """Regex for `folded` (lower-case ASCII) in any case, with or without diacritics."""
    parts = []
    for ch in folded:
        if ch == " ":
            parts.append(r"\s{1,3}")
        else:
            variants = {ch, ch.upper()} | {
                chr(code) for code, base in _FOLD_TABLE.items() if base.lower() == ch
            }
            parts.append("[" + "".join(sorted(variants)) + "]")
    return "".join(parts)


_KEYWORD_RE = "|".join(_any_spelling(k) for k in _KEYWORDS)
_SO = _any_spelling("so")
_LETTER = "A-Za-zĐđ"
_SEP = r"\s{0,2}[-–]\s{0,2}"
# Searched on the original text: folding a whole legal text costs more than the search.
_CODE = re.compile(
    r"(?=\d)(?<![\w/.,])(?P<num>\d{1,5})\s{0,2}/\s{0,2}"
    r"(?:(?P<year>(?:19|20)\d\d)\s{0,2}/\s{0,2})?"
    rf"(?P<tail>[{_LETTER}][{_LETTER}0-9]{{0,8}}(?:{_SEP}[{_LETTER}][{_LETTER}0-9]{{0,9}}){{1,3}})"
    r"(?![\w/])"
)
_KEYWORD_BEFORE = re.compile(
    "(?:^|(?<=\\W))(?P<kw>"
    + "|".join(re.escape(k).replace("\\ ", r"\s{1,3}") for k in _KEYWORDS)
    + r")\s{1,3}(?:so\s{0,2})?$"
)
_BARE = re.compile(
    rf"(?=[cCtTnNqQvV])(?<!\w)(?P<kw>{_KEYWORD_RE})\s{{1,3}}(?:{_SO}\s{{0,2}})?(?P<num>\d{{1,5}})"
    r"(?:\s{0,2}/\s{0,2}(?P<year>(?:19|20)\d\d))?(?![\w/])"
)
# What users type as shorthand: "TT39", "nd 08", "CT01". Only used when asked for
# (queries, subscription filters): in article text "TT 1" is too often something else.
_SHORTHAND = re.compile(r"(?<![\w/])(?P<code>ct|tt|nd|qd|nq|tb|cv)\s?(?P<num>\d{1,5})(?![\w/])")


def find_references(text: str, *, shorthand: bool = False) -> list[DocumentRef]:
    """Every document reference in `text` (NFC), in order of appearance, deduplicated.

    A long text is scanned line by line in pieces (`corpus.normalize.PIECE_CHARS`): a
    regular expression holds the interpreter lock for its whole scan, and the bot's
    answers run beside the parser. No reference spans a line break."""
    found: list[tuple[int, DocumentRef]] = []
    taken: list[tuple[int, int]] = []
    offset = 0
    for piece in line_pieces(text):
        _find_in(text, piece, offset, shorthand, found, taken)
        offset += len(piece)
    found.sort(key=lambda pair: pair[0])
    unique: list[DocumentRef] = []
    for _, ref in found:
        if not any(ref.same_document(seen) and ref.code == seen.code for seen in unique):
            unique.append(ref)
    return unique


def _find_in(text: str, piece: str, offset: int, shorthand: bool,
             found: list[tuple[int, DocumentRef]], taken: list[tuple[int, int]]) -> None:
    """`find_references` over one piece of `text` starting at `offset`; positions in
    `found` and `taken` are `text`'s."""
    for match in _CODE.finditer(piece):
        start = offset + match.start()
        window = fold_diacritics(text[max(0, start - 40) : start]).lower()
        keyword = _KEYWORD_BEFORE.search(window)
        if keyword is not None:
            start -= len(window) - keyword.start()
        ref = _from_code(
            match, keyword.group("kw") if keyword else None, text[start : offset + match.end()]
        )
        if ref is not None:
            found.append((start, ref))
            taken.append((start, offset + match.end()))
    for match in _BARE.finditer(piece):
        span = (offset + match.start(), offset + match.end())
        if not _overlaps(span, taken):
            found.append((span[0], _from_bare(match)))
            taken.append(span)
    if shorthand:
        for match in _SHORTHAND.finditer(fold_diacritics(piece).lower()):
            span = (offset + match.start(), offset + match.end())
            if _overlaps(span, taken):
                continue
            kind = _KIND_CODES[match.group("code")][0]
            ref = DocumentRef(kind, match.group("num"), None, None, None, text[slice(*span)])
            found.append((span[0], ref))


def kind_from_text(text: str) -> str | None:
    """The document kind a short text names ("thông tư", "cong van"), if any."""
    folded = " " + " ".join(fold_diacritics(text).lower().split()) + " "
    for keyword, kind in _KEYWORDS.items():
        if f" {keyword} " in folded and kind in DIRECTIVE_KINDS:
            return kind
    return None


def _from_code(match: re.Match[str], keyword: str | None, written: str) -> DocumentRef | None:
    folded_tail = fold_diacritics(match.group("tail")).lower()
    segments = [s.strip() for s in re.split(r"[-–]", folded_tail)]
    keyword_kind = _KEYWORDS.get(" ".join(keyword.split())) if keyword else None
    head = segments[0]
    if keyword_kind == "cong_van" and head in _KIND_CODES and head not in ("cv", "cd"):
        # "Công văn 11819/CT-TTHT": here CT is the issuing Cục Thuế, not "chỉ thị".
        kind, head_spelling = "cong_van", _spell_issuer(head)
        issuer_parts = segments
    elif head in _KIND_CODES:
        kind, head_spelling = _KIND_CODES[head]
        issuer_parts = segments[1:]
    elif keyword_kind is not None or match.group("year") is None:
        # No kind in the code: an official letter, numbered by issuer and unit.
        kind, head_spelling = keyword_kind or "cong_van", _spell_issuer(head)
        issuer_parts = segments
    else:
        return None
    issuer = _spell_issuer(issuer_parts[0]) if issuer_parts else None
    year = int(match.group("year")) if match.group("year") else None
    tail = "-".join([head_spelling, *(_spell_issuer(p) for p in segments[1:])])
    number = match.group("num")
    code = f"{number}/{year}/{tail}" if year else f"{number}/{tail}"
    return DocumentRef(kind, number, year, issuer, code, written)


def _from_bare(match: re.Match[str]) -> DocumentRef:
    year = int(match.group("year")) if match.group("year") else None
    kind = _KEYWORDS[" ".join(fold_diacritics(match.group("kw")).lower().split())]
    return DocumentRef(kind, match.group("num"), year, None, None, match.group())


def _spell_issuer(segment: str) -> str:
    upper = segment.upper()
    return _ISSUER_SPELLING.get(upper, upper)


def _overlaps(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


# Verbs with which the press announces a document: "vừa ban hành Thông tư...",
# "đã ký Quyết định...", "có công văn số...".
_ANNOUNCE = re.compile(
    r"\b(?:ban hanh|ky|co|phat hanh|gui|thong qua|sua doi|huong dan|theo|tai)\s+"
    rf"(?:{_KEYWORD_RE})\b"
)
# Title words that say the story is about rules, not people or events: without one of
# them, an appointment decision or a meeting's resolution is not worth a broadcast.
_REGULATORY_TITLE = re.compile(
    rf"\b(?:{_KEYWORD_RE}|ban hanh|huong dan|quy dinh|sua doi|bo sung|yeu cau|chi dao|"
    r"de nghi|siet|tang cuong|trien khai|ap dung|hieu luc|mien|gia han|dieu chinh)\b"
)


# "... theo Thông tư 200", "mẫu ... tại Nghị định 15": the document is only cited.
# Matched on the accented text: folded, "tai" would also be the "Tài" of "Bộ Tài chính".
_CITED = re.compile(r"\b(?:theo|tại|mẫu|căn cứ|trong)\b")
# Templates and accounting how-tos cite documents all the time but announce nothing.
_HOW_TO_TITLE = re.compile(
    r"^(?:moi (?:ban )?(?:doc )?)?(?:tai ve|tai ngay|download|mau\b|bieu mau|cach\b|"
    r"huong dan (?:cach|hach toan|dinh khoan|lap|ghi|viet|tinh)|hach toan|dinh khoan|"
    r"phuong phap|infographics?)"
)


def classify_directive(title: str, lead: Iterable[str]) -> DocumentRef | None:
    """The document an article announces or reports, or None when it is not a directive.

    A reference in the title decides it. Otherwise the title must speak of rules
    (a document kind, "ban hành", "hướng dẫn", ...) and the lead -- teaser, summary and
    first paragraphs -- must name the document.
    """
    folded_title = fold_diacritics(title).lower()
    if _HOW_TO_TITLE.match(folded_title):
        return None
    title_refs = [ref for ref in find_references(title) if ref.kind in DIRECTIVE_KINDS]
    lower_title = title.lower()
    for ref in title_refs:
        before = lower_title[: lower_title.find(ref.text.lower())]
        if not _CITED.search(before):
            return ref
    if title_refs or not _REGULATORY_TITLE.search(folded_title):
        return None
    title_kind = kind_from_text(title)
    candidates = [ref for text in lead for ref in find_references(text)]
    candidates = [ref for ref in candidates if ref.kind in DIRECTIVE_KINDS]
    if title_kind is not None:
        for ref in candidates:
            if ref.kind == title_kind:
                return ref
    lead_folded = " ".join(fold_diacritics(text).lower() for text in lead)
    if candidates and _ANNOUNCE.search(lead_folded):
        return next((ref for ref in candidates if ref.code), candidates[0])
    return None
