"""The article value and the document references it names.

Everything here is plain data: retrieval indexes it and the bot renders it, but neither
may change it. Text fields are already normalised (`corpus.normalize.normalize_line`),
so equal words are equal strings everywhere downstream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from corpus.kinds import KIND_LABELS
from corpus.packed import PackedParagraphs

__all__ = ["Article", "DocumentRef", "LoadReport", "Skipped"]


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A reference to an official document as named in a text.

    `code` is the canonical number (``39/2018/TT-BTC``) when the text gives one, else
    None ("Thông tư 39"). `text` is the reference exactly as written, for quoting.
    """

    kind: str
    number: str
    year: int | None
    issuer: str | None
    code: str | None
    text: str

    @property
    def label(self) -> str:
        """Human name: ``Thông tư 39/2018/TT-BTC``."""
        kind = KIND_LABELS.get(self.kind, "Văn bản")
        if self.code:
            return f"{kind} {self.code}"
        return f"{kind} {self.number}" + (f"/{self.year}" if self.year else "")

    def same_document(self, other: DocumentRef) -> bool:
        """True when both name the same document, however each was written."""
        if self.code and other.code:
            return self.code.upper() == other.code.upper()
        return (
            self.kind == other.kind
            and int(self.number) == int(other.number)
            and (self.year is None or other.year is None or self.year == other.year)
        )


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    `id` is the file's path relative to the corpus root with POSIX separators: stable
    across reloads and machines, it identifies the article in search results, caches,
    callback data and the delivery ledger.

    `date_source` says how `published` was obtained (one of `corpus.dates.DATE_SOURCES`:
    front matter, an image URL, a dateline in the text, the source URL, an estimate
    from what the article cites, or the corpus' typical date), "" when undated: a
    reader must be told when a date is only an estimate.

    `paragraphs` may be given as any sequence of strings; it is held compressed
    (`PackedParagraphs`, read like a tuple): a serving process holds every article but
    reads the text of only the few it shows.
    """

    id: str
    title: str
    source_url: str
    paragraphs: Sequence[str]
    content_hash: str
    teaser: str = ""
    author: str = ""
    summary: str = ""
    source: str = ""
    published: dt.date | None = None
    date_source: str = ""
    documents: tuple[DocumentRef, ...] = ()
    directive: DocumentRef | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "paragraphs", PackedParagraphs.pack(self.paragraphs))

    @property
    def is_directive(self) -> bool:
        """Whether the article announces or reports an official document."""
        return self.directive is not None

    @property
    def text_digest(self) -> str:
        """A hash of the paragraphs, equal for equal text, read without unpacking them."""
        return cast(PackedParagraphs, self.paragraphs).digest

    @property
    def body(self) -> str:
        """The body as one text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file the loader could not use, and why (shown to admins as is)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a corpus scan produced: the usable articles and every file it skipped."""

    root: str
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...] = field(default=())

    @property
    def directives(self) -> tuple[Article, ...]:
        """Articles that announce or report an official document."""
        return tuple(a for a in self.articles if a.is_directive)
