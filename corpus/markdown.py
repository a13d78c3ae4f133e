"""Markdown body lines to plain paragraphs, shared by both article formats.

We only need the text a reader sees: images go (their URLs are kept for dating the
article and their captions to drop the caption line the site repeats under them), links
keep their text, emphasis markers and escapes go, and consecutive lines (tables, lists)
stay together as one paragraph with line breaks. Page furniture (captions, credits,
links to other stories, bylines: `corpus.furniture`) goes too, so that no passage the bot
quotes can hold it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.furniture import furniture_kind, strip_credit, trailing_kind
from corpus.normalize import normalize_line

__all__ = ["Body", "clean_inline", "split_body"]

# The site writes image titles as `"…"`, `style= "…"` and with escaped quotes inside.
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\(\s*<?(?P<url>[^)\s>]*)>?"
    r"(?P<rest>(?:[^()\"\\]|\\.|\"(?:[^\"\\]|\\.)*\")*)\)"
)
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"")
_LINKED_IMAGE = re.compile(r"\[\s*(?P<image>!\[[^\]]*\]\([^)]*\))\s*\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
_EMPHASIS = re.compile(
    r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~\"])")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^[*+]\s+")
_RULE = re.compile(r"^\s*(?:[-=_*]\s*){3,}$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BOILERPLATE = frozenset({"rate this post"})


@dataclass
class Body:
    """Paragraphs of one article body plus what the images told us."""

    paragraphs: list[str] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)


_MARKUP = re.compile(r"[\[\]*_\\<#+!]")


def clean_inline(text: str) -> str:
    """Inline Markdown to the plain text a reader sees; not yet normalised."""
    if not _MARKUP.search(text):
        return text
    text = _LINKED_IMAGE.sub(lambda m: m.group("image"), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = _AUTOLINK.sub(lambda m: m.group("url"), text)
    previous = None
    while previous != text:  # nested emphasis: ***x*** and **a *b* c**
        previous = text
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _HEADING.sub("", text.strip())
    return _BULLET.sub("• ", text)


def split_body(lines: Iterable[str]) -> Body:
    """Group body lines (already through `normalize_chars`) into cleaned paragraphs.

    Blank and space-only lines separate paragraphs; image lines are dropped and their
    captions remembered, so that a caption the site repeats as the next line is dropped
    too. Setext underlines, table separator rows, site boilerplate and page furniture
    go: a "Tin liên quan" / "Xem thêm:" line takes the rest of its paragraph (the list of
    links) with it, and source and byline lines go from the end.
    """
    body = Body()
    captions: set[str] = set()
    current: list[str] = []
    related = False  # inside a paragraph of links to other stories

    def flush() -> None:
        nonlocal related
        related = False
        if current:
            body.paragraphs.append("\n".join(current))
            current.clear()

    for raw in lines:
        if not raw.strip():
            flush()
            continue
        if related:
            continue
        if _RULE.match(raw) or _TABLE_SEPARATOR.match(raw):
            continue
        images = list(_IMAGE.finditer(raw)) if "![" in raw else []
        for image in images:
            body.image_urls.append(image.group("url"))
            titles = _QUOTED.findall(image.group("rest"))
            for text in (*titles, image.group("alt")):
                if text and text.strip():
                    captions.add(_caption_key(text))
        line = " ".join(clean_inline(raw).split())
        if not line or line.lower() in _BOILERPLATE:
            continue
        if captions and not images and _line_key(line) in captions:
            continue
        kind = furniture_kind(line)
        if kind == "related":
            # A header ("Tin liên quan", "Đọc thêm:") heads a list of links; a link
            # line alone ("Xem thêm: Cách viết hóa đơn …") goes by itself.
            related = line.endswith(":") or len(line) <= 25
            continue
        if kind is not None:
            continue
        current.append(strip_credit(line))
    flush()
    _drop_trailing(body.paragraphs)
    return body


def _drop_trailing(paragraphs: list[str]) -> None:
    """Remove source and byline lines from the end ("Theo TTXVN", "Tuấn Phong (ghi)")."""
    for _ in range(3):
        if not paragraphs:
            return
        *rest, last = paragraphs[-1].split("\n")
        if trailing_kind(last) is None:
            return
        if rest:
            paragraphs[-1] = "\n".join(rest)
        else:
            paragraphs.pop()


def _caption_key(text: str) -> str:
    return normalize_line(clean_inline(text)).lower().rstrip(" .")


def _line_key(line: str) -> str:
    return line.lower().rstrip(" .")
