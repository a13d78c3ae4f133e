"""An article page's HTML to its main text and metadata, with trafilatura.

Why trafilatura (docs/ingest.md, benchmarks/ingest_extractors.py): on our Vietnamese
test pages it kept every body paragraph, dropped menus, comments and footers, and also
found every date and most authors. readability-lxml extracts the body as well but no
date or author; generic selectolax rules lost a whole article whose main column had a
boilerplate-looking class name, and per-site rules would need constant upkeep.

Around it we add what Vietnamese news pages need:

- Old portals lay pages out with nested ``<table>``s; trafilatura then reads the whole
  page as one table row (menu and all). A table holding paragraphs, lists or other
  tables is layout, not data, and becomes plain blocks before extraction.
- The lead (*sapo*) usually sits outside the body container in an element whose class
  names it; it becomes the summary (retrieval shows it first).
- Bylines close the article as a bare bold name (``Quang Hùng``) or ``Tác giả: …``;
  they become the author and leave the body. ``Xem thêm: …`` / ``Tin liên quan`` link
  lines and date lines (``Ngày cập nhật: 22/03/2024``) leave the body too.

Then the checks that keep non-articles out: too little text (a list or index page),
too few Vietnamese words (another language), nothing extracted at all.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from corpus.dates import parse_date
from corpus.ingest.vietnamese import vietnamese_word_share
from corpus.normalize import normalize_line

__all__ = ["ExtractedArticle", "PageChecks", "Rejected", "extract_article", "tidy_lines"]


@dataclass(frozen=True, slots=True)
class PageChecks:
    """What a page must have to count as a Vietnamese news article."""

    min_chars: int = 300  # body characters; index and list pages have less running text
    min_paragraphs: int = 2
    min_vietnamese_share: float = 0.25  # real articles: > 0.5 (docs/ingest.md)


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """The parts of a page we keep; text fields are normalised (NFC, one tone style)."""

    title: str
    paragraphs: tuple[str, ...]
    published: dt.date | None = None
    author: str = ""
    canonical_url: str = ""  # as the page declares it (rel=canonical, og:url), or ""
    summary: str = ""
    site_name: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a page is not ingested; `reason` is a code from `report.REASONS`."""

    reason: str
    detail: str


_BLOCKS_IN_TABLE = ".//p|.//div|.//ul|.//ol|.//table|.//h1|.//h2|.//h3|.//form"
_TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")
_SAPO = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' sapo ')"
    " or contains(@class, '-sapo') or contains(@class, 'sapo-') or contains(@class, '_sapo')"
    " or contains(@class, '__sapo')]"
)
_RELATED = re.compile(
    r"^(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|tin cùng chuyên mục|"
    r"có thể bạn quan tâm|mời xem thêm)\b",
    re.IGNORECASE,
)
_DATE_OR_TIME = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}[:h]\d{2}\b")
_META_PREFIX = re.compile(
    r"^(?:ngày (?:đăng|cập nhật|xuất bản)|cập nhật|đăng lúc|lượt xem|thứ (?:hai|ba|tư|năm|"
    r"sáu|bảy)|chủ nhật)\b",
    re.IGNORECASE,
)
_BYLINE_PREFIX = re.compile(
    r"^(?:tác giả|bài và ảnh|bài, ảnh|bài/ảnh|phóng viên|bởi|pv)\s*[:.\-–]?\s+(?P<name>.+)$",
    re.IGNORECASE,
)
# "(HQ Online) - " and the like: the outlet's tag in front of the lead.
_SOURCE_TAG = re.compile(r"^\([^()]{2,30}\)\s*[-–—]\s*")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")


def extract_article(
    data: bytes, url: str, *, checks: PageChecks | None = None
) -> ExtractedArticle | Rejected:
    """Extract one page fetched from `url` (the final address, after redirects).

    CPU-bound (a few milliseconds for a typical page, more for big ones): call it in a
    worker thread.
    """
    import trafilatura  # heavy; only the ingest needs it

    checks = checks or PageChecks()
    tree = _load(data)
    if tree is None:
        return Rejected("bad_html", "not parseable as HTML")
    _unwrap_layout_tables(tree)
    sapo = _first_text(tree, _SAPO)
    canonical = _canonical(tree, url)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    meta: dict[str, Any] = document.as_dict() if document is not None else {}
    title = normalize_line(str(meta.get("title") or ""))
    lines = [normalize_line(line) for line in str(meta.get("text") or "").split("\n")]
    author = _clean_author(str(meta.get("author") or ""))
    paragraphs, byline = tidy_lines([line for line in lines if line], title=title, author=author)
    if not paragraphs:
        return Rejected("empty_extraction", "no main text found on the page")
    summary = _SOURCE_TAG.sub("", normalize_line(sapo or str(meta.get("description") or "")))
    if summary and paragraphs[0].startswith(summary[: max(20, len(summary) // 2)]):
        summary = ""  # the lead is already the first body paragraph
    body = "\n".join(paragraphs)
    share = vietnamese_word_share("\n".join((title, summary, body)))
    if share < checks.min_vietnamese_share:
        return Rejected(
            "not_vietnamese",
            f"{share:.0%} of words carry Vietnamese letters "
            f"(need {checks.min_vietnamese_share:.0%})",
        )
    if len(body) < checks.min_chars or len(paragraphs) < checks.min_paragraphs:
        return Rejected(
            "not_article",
            f"{len(body)} characters in {len(paragraphs)} paragraphs (need "
            f"{checks.min_chars} in {checks.min_paragraphs}): an index or list page?",
        )
    return ExtractedArticle(
        title=title,
        paragraphs=tuple(paragraphs),
        published=parse_date(str(meta.get("date") or "")),
        author=author or byline,
        canonical_url=canonical,
        summary=summary,
        site_name=normalize_line(str(meta.get("sitename") or "")),
    )


def tidy_lines(lines: list[str], *, title: str, author: str) -> tuple[list[str], str]:
    """Drop what Vietnamese news pages put around the body; returns (body, byline found).

    `lines` are normalised, non-empty extracted lines. Removed: a repeat of the title and
    date lines at the top, "see also" link lines anywhere, table rule rows, and a closing
    byline, which is returned so the caller can use it as the author.
    """
    title_key = title.casefold()
    body: list[str] = []
    for index, line in enumerate(lines):
        if index < 3 and (line.casefold() == title_key or _is_date_line(line)):
            continue
        if _TABLE_RULE.match(line) or (_RELATED.match(line) and len(line.split()) <= 30):
            continue
        body.append(line)
    byline = ""
    while body:
        last = body[-1]
        if author and last.casefold() == author.casefold():
            body.pop()
            continue
        match = _BYLINE_PREFIX.match(last)
        if match and len(last.split()) <= 10:
            byline = byline or match.group("name").strip()
            body.pop()
            continue
        if not byline and _looks_like_name(last):
            byline = last
            body.pop()
            continue
        break
    return body, byline


def _is_date_line(line: str) -> bool:
    words = line.split()
    return len(words) <= 12 and bool(_DATE_OR_TIME.search(line)) and (
        bool(_META_PREFIX.match(line)) or len(_DATE_OR_TIME.sub("", line).split()) <= 4
    )


def _looks_like_name(line: str) -> bool:
    """A bare byline: 1-5 capitalised words, no digits, no sentence punctuation."""
    words = line.split()
    return (
        0 < len(words) <= 5
        and len(line) <= 50
        and all(word[0].isupper() for word in words)
        and not any(ch.isdigit() or ch in ".,;:!?|()" for ch in line)
    )


def _clean_author(author: str) -> str:
    author = normalize_line(author)
    match = _BYLINE_PREFIX.match(author)
    if match:
        return match.group("name").strip()
    for prefix in ("Tác giả ", "Tác giả:", "Bởi "):
        if author.startswith(prefix):
            return author[len(prefix) :].strip()
    return author


def _load(data: bytes) -> Any:
    """Decode (meta charset, else detection), NFC, then parse.

    NFC before extraction matters: trafilatura's thresholds count characters, and a
    decomposed page has up to twice as many, so NFD and NFC copies of one page would
    otherwise extract differently. An XML declaration is dropped because lxml refuses
    one in an already-decoded string.
    """
    import trafilatura  # heavy; only the ingest needs it
    from lxml.etree import ParserError
    from trafilatura.utils import decode_file

    text = decode_file(data)
    if not text.strip() or "\x00" in text:
        return None
    text = unicodedata.normalize("NFC", _XML_DECLARATION.sub("", text, count=1))
    try:
        tree = trafilatura.load_html(text)
    except (ParserError, ValueError):
        return None
    if tree is None or tree.find(".//body") is None:
        return None
    return tree


def _unwrap_layout_tables(tree: Any) -> None:
    for table in list(tree.iter("table")):
        if table.xpath(_BLOCKS_IN_TABLE):
            for element in (table, *table.iter(*_TABLE_PARTS)):
                element.tag = "div"


def _first_text(tree: Any, xpath: str) -> str:
    for element in tree.xpath(xpath):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return ""


def _canonical(tree: Any, url: str) -> str:
    for xpath in (
        "//link[@rel='canonical']/@href",
        "//meta[@property='og:url']/@content",
    ):
        for value in tree.xpath(xpath):
            value = str(value).strip()
            if value:
                return urljoin(url, value)
    return ""
