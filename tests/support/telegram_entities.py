"""Bot API ``MessageEntity`` rules shared by the HTML parser and the fake Bot API.

Kept apart from the HTML scanner because they are about entities, not markup: how offsets are
measured (UTF-16 code units), how Telegram orders entities, and which nested entities it keeps.
The nesting rules come from the Bot API documentation ("Formatting options"):

* bold, italic, underline, strikethrough and spoiler can contain and be part of any other
  entity, except pre and code;
* blockquote and expandable_blockquote can't be nested;
* all other entities can't contain each other.

Telegram does not reject HTML that breaks them; it silently drops or cuts entities. The fake
reports each drop as a warning instead, because a silently lost link is a bug in the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

FORMATTING_TYPES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
QUOTE_TYPES = frozenset({"blockquote", "expandable_blockquote"})
CODE_TYPES = frozenset({"code", "pre"})
# For equal ranges, an entity that may contain the other (by the rules above) is listed first:
# quotes, then the indivisible entities, then plain formatting.
_TYPE_RANK = {name: rank for rank, name in enumerate((
    "blockquote", "expandable_blockquote", "pre", "code", "text_link", "text_mention", "url",
    "email", "mention", "hashtag", "cashtag", "bot_command", "phone_number", "custom_emoji",
    "date_time", "bold", "italic", "underline", "strikethrough", "spoiler",
))}


def utf16_len(s: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and length limits."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def sort_entities(entities: list[dict]) -> list[dict]:
    """Order entities as Telegram returns them: by offset, longer (outer) ones first.

    Entities covering exactly the same range are ordered so that the one allowed to contain
    the other comes first; that keeps the order stable and predictable for assertions.
    """
    return sorted(entities, key=lambda e: (
        e["offset"], -e["length"], _TYPE_RANK.get(e["type"], len(_TYPE_RANK))))


@dataclass(frozen=True)
class Span:
    """A non-empty entity candidate produced by a markup tag.

    ``outer`` holds the idents of every tag that was open around it (innermost last), so
    containment is known from the markup itself; ``where`` locates the tag for messages.
    """

    ident: int
    tag: str
    where: str
    outer: tuple[int, ...]
    start: int
    end: int
    entity: dict  # "type" plus type-specific fields, without offset/length

    @property
    def type(self) -> str:
        return self.entity["type"]

    def inside(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end


def _indivisible(entity_type: str) -> bool:
    return entity_type not in FORMATTING_TYPES and entity_type not in QUOTE_TYPES


def _conflict(inner: Span, outer: Span) -> bool:
    """Whether Telegram drops ``inner`` because it sits inside ``outer``."""
    if inner.type in FORMATTING_TYPES:
        return outer.type in CODE_TYPES
    if inner.type in QUOTE_TYPES:
        return outer.type in QUOTE_TYPES
    return _indivisible(outer.type)


def _cut(span: Span, holes: list[Span]) -> list[tuple[int, int]]:
    """The parts of ``span`` outside ``holes`` (which lie inside it and do not overlap)."""
    pieces, pos = [], span.start
    for hole in sorted(holes, key=lambda h: h.start):
        if hole.start > pos:
            pieces.append((pos, hole.start))
        pos = max(pos, hole.end)
    if pos < span.end:
        pieces.append((pos, span.end))
    return pieces


def apply_nesting(spans: list[Span], warn: Callable[[str], None]) -> list[dict]:
    """Turn spans into the entities Telegram keeps; ``warn`` hears about every drop.

    Formatting inside code/pre is dropped and formatting around code/pre is cut around it;
    of two nested indivisible entities the outer one stays; an indivisible entity containing
    a block quote is dropped (the quote is the structure the reader sees).
    """
    spans = sorted(spans, key=lambda s: s.ident)  # outer before inner
    by_ident = {span.ident: span for span in spans}
    dropped: set[int] = set()

    def enclosing(span: Span) -> list[Span]:
        return [by_ident[i] for i in reversed(span.outer) if i in by_ident and i not in dropped]

    def drop(span: Span, why: str) -> None:
        dropped.add(span.ident)
        warn(f"<{span.tag}> {why} is dropped by Telegram ({span.where})")

    for quote in (s for s in spans if s.type in QUOTE_TYPES):
        for outer in enclosing(quote):
            if _indivisible(outer.type):
                drop(outer, f"containing <{quote.tag}>")
    for span in spans:
        if span.ident not in dropped:
            blocker = next((o for o in enclosing(span) if _conflict(span, o)), None)
            if blocker is not None:
                drop(span, f"inside <{blocker.tag}>")
    kept = [s for s in spans if s.ident not in dropped]
    code = [s for s in kept if s.type in CODE_TYPES]
    entities = []
    for span in kept:
        holes = [c for c in code if c.inside(span)] if span.type in FORMATTING_TYPES else []
        for start, end in _cut(span, holes):
            entities.append({"type": span.type, "offset": start, "length": end - start,
                             **span.entity})
    return sort_entities(entities)
