"""Bytes of one file to an `Article`, for both formats the corpus holds.

(a) The republishing site's format (``../shared/corpus/README.md``): a title underlined
    with ``===``, a line holding the source link and a teaser, the body, a bold author
    line and an optional ``more(HDDTVN) – summary`` line.
(b) Front matter, written by admins and the news ingest::

        ---
        title: ...
        url: https://...
        date: 2021-01-15
        source: customs.gov.vn
        author: ...        (optional)
        summary: ...       (optional)
        ---
        Paragraphs separated by blank lines.

Every way a file can be unusable raises `ArticleParseError` with a reason an admin can
act on; the loader turns it into a skipped entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from urllib.parse import urlsplit

from corpus.article import Article
from corpus.dates import SNAPSHOT_LATEST, article_date, parse_date
from corpus.directives import classify_directive, find_references
from corpus.errors import ArticleParseError
from corpus.markdown import clean_inline, split_body
from corpus.normalize import normalize_chars, normalize_line

__all__ = ["MAX_LINE_CHARS", "parse_article", "render_front_matter"]

# Real articles have paragraphs of at most a few thousand characters (the longest legal
# text in the shared corpus has lines of ~60k); a longer line is minified or junk data.
MAX_LINE_CHARS = 200_000

_SETEXT_TITLE = re.compile(r"^=+\s*$")
_SOURCE_LINE = re.compile(r"^\[:gift:[^\]]*\]\((?P<url>[^)\s]+)\)(?P<teaser>.*)$")
_AUTHOR = re.compile(r"^\*\*(?P<name>[^*\n]{1,80})\*\*$")
_SUMMARY = re.compile(r"^more\(HDDTVN\)\s*[-–—]?\s*(?P<summary>.*)$", re.DOTALL)
_TEASER_REPEAT = re.compile(r"^more(?!\(HDDTVN\))\S")
_FRONT_KEY = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")
_FRONT_REQUIRED = ("title", "url")


def parse_article(data: bytes, article_id: str) -> Article:
    """Parse one file's bytes; `article_id` is its path relative to the corpus root."""
    text = _decode(data)
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        return _parse_front_matter(lines, data, article_id)
    if len(lines) > 1 and _SETEXT_TITLE.match(lines[1]):
        return _parse_republished(lines, data, article_id)
    raise ArticleParseError(
        "unrecognised format: expected a front-matter block (---) or a title underlined with ==="
    )


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ArticleParseError("empty file")
    if b"\x00" in data:
        raise ArticleParseError("binary file: contains NUL bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleParseError(f"not valid UTF-8 (byte {exc.start})") from None
    text = normalize_chars(text.replace("\r\n", "\n").replace("\r", "\n"))
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ArticleParseError(
                f"line {number} has {len(line):,} characters (limit {MAX_LINE_CHARS:,}): "
                "not a news article"
            )
    return text


def _parse_republished(lines: list[str], data: bytes, article_id: str) -> Article:
    title = normalize_line(clean_inline(lines[0]))
    if not title:
        raise ArticleParseError("missing title")
    index = 2
    while index < len(lines) and not lines[index].strip():
        index += 1
    source = _SOURCE_LINE.match(lines[index].strip()) if index < len(lines) else None
    if source is None:
        raise ArticleParseError("missing source link line ([:gift:...](https://...))")
    url = source.group("url")
    _check_url(url)
    teaser = normalize_line(clean_inline(source.group("teaser")))
    body_lines = lines[index + 1 :]
    summary = ""
    # The tail: a "more…" line, then (before it) the bold author line.
    tail = _last_nonblank(body_lines)
    if tail is not None:
        line = body_lines[tail].strip()
        if match := _SUMMARY.match(line):
            summary = normalize_line(clean_inline(match.group("summary")))
            del body_lines[tail]
        elif _TEASER_REPEAT.match(line):
            del body_lines[tail]
    author = ""
    tail = _last_nonblank(body_lines)
    if tail is not None and (match := _AUTHOR.match(body_lines[tail].strip())):
        name = normalize_line(match.group("name"))
        if len(name.split()) <= 8:
            author = name
            del body_lines[tail]
    body = split_body(body_lines)
    return _build(
        article_id=article_id,
        data=data,
        title=title,
        url=url,
        teaser=teaser,
        paragraphs=body.paragraphs,
        author=author,
        summary=summary,
        source=urlsplit(url).hostname or "",
        dated_by=(None, body.image_urls, SNAPSHOT_LATEST),
    )


def _parse_front_matter(lines: list[str], data: bytes, article_id: str) -> Article:
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ArticleParseError("front matter is not closed with ---") from None
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_KEY.match(line.strip())
        if match is None:
            raise ArticleParseError(f"front matter line {number} is not 'key: value'")
        fields[match.group("key").lower()] = _unquote(match.group("value"))
    missing = [key for key in _FRONT_REQUIRED if not fields.get(key)]
    if missing:
        raise ArticleParseError("front matter lacks " + ", ".join(missing))
    url = fields["url"]
    _check_url(url)
    published = None
    if fields.get("date"):
        published = parse_date(fields["date"])
        if published is None:
            raise ArticleParseError(f"front matter date {fields['date']!r} is not YYYY-MM-DD")
    body = split_body(lines[end + 1 :])
    if not body.paragraphs:
        raise ArticleParseError("article has no body text")
    return _build(
        article_id=article_id,
        data=data,
        title=normalize_line(fields["title"]),
        url=url,
        teaser=normalize_line(fields.get("teaser", "")),
        paragraphs=body.paragraphs,
        author=normalize_line(fields.get("author", "")),
        summary=normalize_line(fields.get("summary", "")),
        source=fields.get("source") or urlsplit(url).hostname or "",
        dated_by=(published, body.image_urls, dt.datetime.now(tz=dt.UTC).date()),
    )


def _build(
    *, article_id: str, data: bytes, title: str, paragraphs: list[str], **rest: object
) -> Article:
    if not title:
        raise ArticleParseError("missing title")
    teaser = str(rest["teaser"])
    summary = str(rest["summary"])
    lead = [text for text in (teaser, summary, *paragraphs[:3]) if text]
    documents = find_references("\n".join((title, *lead, *paragraphs[3:])))
    front_matter, image_urls, latest = rest["dated_by"]  # type: ignore[misc]
    published, date_source = article_date(
        front_matter=front_matter,
        image_urls=image_urls,
        texts=[title, *lead, *paragraphs[3:]],
        url=str(rest["url"]),
        document_years=[ref.year for ref in documents],
        latest=latest,
    )
    return Article(
        id=article_id,
        title=title,
        paragraphs=tuple(paragraphs),
        content_hash=hashlib.sha256(data).hexdigest(),
        documents=tuple(documents),
        directive=classify_directive(title, lead),
        source_url=str(rest["url"]),
        teaser=teaser,
        author=str(rest["author"]),
        summary=summary,
        source=str(rest["source"]),
        published=published,
        date_source=date_source,
    )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArticleParseError(f"source URL {url[:80]!r} is not an http(s) address")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _last_nonblank(lines: list[str]) -> int | None:
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            return index
    return None


def render_front_matter(
    *,
    title: str,
    url: str,
    paragraphs: list[str],
    date: str = "",
    source: str = "",
    author: str = "",
    summary: str = "",
) -> str:
    """The front-matter file text for an article: the format admins and the ingest write."""
    header = {
        "title": title,
        "url": url,
        "date": date,
        "source": source,
        "author": author,
        "summary": summary,
    }
    lines = ["---"]
    lines += [f"{key}: {' '.join(value.split())}" for key, value in header.items() if value]
    lines += ["---", ""]
    body = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return "\n".join(lines) + body + "\n"
