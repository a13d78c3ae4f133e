"""Messages as runs of styled text, written out as Telegram HTML or as plain text.

Every message the bot builds is a list of blocks (a result, a header, a paragraph), each
a tuple of `Span` s. Keeping the structure until the last moment gives three guarantees:

- **valid HTML**: the only markup is ``<b>`` and ``<a href>``, written here, and every
  piece of text and every URL is escaped here, nowhere else;
- **Telegram's limits**: a message is measured as Telegram measures it -- UTF-16 code
  units of the text *after* entity parsing (4,096 at most) and the entities it yields
  (100 at most) -- and blocks are packed into messages between blocks, never inside one;
- **same content in the shell**: `to_plain` writes the very same spans, so
  ``haiquan-bot ask`` prints what the bot would send.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from telegram.constants import MessageLimit

from bot.platform.excerpt import ELLIPSIS, cut_point

__all__ = [
    "MAX_ENTITIES",
    "MAX_TEXT",
    "SEPARATOR",
    "Block",
    "Span",
    "clean",
    "fit",
    "measure",
    "pack",
    "safe_url",
    "single_message",
    "to_html",
    "to_plain",
    "utf16_len",
    "visible_text",
]

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_ENTITIES = int(MessageLimit.MESSAGE_ENTITIES)
SEPARATOR = "\n\n"
# Characters Telegram drops or turns into spaces: C0/C1 controls (except the line break),
# carriage returns, line/paragraph separators, bidi embeddings, lone surrogates.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text, bold or a link (a link span's text is what the reader clicks)."""

    text: str
    bold: bool = False
    url: str | None = None


Block = tuple[Span, ...]


def clean(text: str) -> str:
    """Text as Telegram will keep it: NFC, no control or invisible layout characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return _UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", text)


def safe_url(url: str | None) -> str | None:
    """`url` if Telegram accepts it as a link (http(s) with a real host), else None."""
    if not url or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    return url if "." in host.strip(".") or host == "localhost" else None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _entities(span: Span) -> int:
    if not span.text:
        return 0
    return int(span.bold) + int(safe_url(span.url) is not None)


def visible_text(blocks: Iterable[Block]) -> str:
    """The text Telegram shows for `blocks` sent as one message (what its limit counts)."""
    return SEPARATOR.join("".join(clean(span.text) for span in block) for block in blocks)


def measure(blocks: Iterable[Block]) -> tuple[int, int]:
    """(UTF-16 length after parsing, entity count) of `blocks` sent as one message."""
    blocks = list(blocks)
    entities = sum(_entities(span) for block in blocks for span in block)
    return utf16_len(visible_text(blocks)), entities


def _span_html(span: Span) -> str:
    text = html.escape(clean(span.text), quote=False)
    if not text:
        return ""
    if span.bold:
        text = f"<b>{text}</b>"
    url = safe_url(span.url)
    if url is not None:
        text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
    return text


def to_html(blocks: Iterable[Block]) -> str:
    """One message in Telegram HTML."""
    return SEPARATOR.join("".join(_span_html(span) for span in block) for block in blocks)


def to_plain(blocks: Iterable[Block]) -> str:
    """The same message as plain text for a terminal; links show their URL."""
    parts = []
    for block in blocks:
        pieces = []
        for span in block:
            text = clean(span.text)
            url = safe_url(span.url)
            pieces.append(f"{text} ({url})" if url and text else text)
        parts.append("".join(pieces))
    return SEPARATOR.join(parts)


def fit(block: Block, limit: int = MAX_TEXT, max_entities: int = MAX_ENTITIES) -> Block:
    """`block` made to fit one message: extra bold dropped, then the longest text trimmed.

    A block that already fits comes back unchanged. Trimming cuts at a sentence end or a
    word gap and adds "…"; links and the order of spans are kept.
    """
    spans = list(block)
    _, entities = measure([tuple(spans)])
    for index in range(len(spans) - 1, -1, -1):
        if entities <= max_entities:
            break
        if spans[index].bold and spans[index].text:
            spans[index] = replace(spans[index], bold=False)
            entities -= 1
    for index in range(len(spans) - 1, -1, -1):  # links last: they carry the source
        if entities <= max_entities:
            break
        if _entities(spans[index]):
            spans[index] = Span(spans[index].text)
            entities -= 1
    length, _ = measure([tuple(spans)])
    while length > limit:
        longest = max(range(len(spans)), key=lambda i: utf16_len(clean(spans[i].text)))
        text = clean(spans[longest].text)
        excess = length - limit
        keep = utf16_len(text) - excess - len(ELLIPSIS)
        if keep <= 0:
            spans[longest] = replace(spans[longest], text="")
        else:
            end = cut_point(text, 0, keep)
            while utf16_len(text[:end]) > keep:
                end -= 1
            spans[longest] = replace(spans[longest], text=text[:end].rstrip() + ELLIPSIS)
        length, _ = measure([tuple(spans)])
    return tuple(span for span in spans if span.text)


def pack(
    blocks: Sequence[Block], limit: int = MAX_TEXT, max_entities: int = MAX_ENTITIES
) -> list[tuple[Block, ...]]:
    """Blocks grouped into as few messages as the limits allow, in order.

    Messages are split only between blocks; a block too big for any message is `fit`.
    """
    messages: list[tuple[Block, ...]] = []
    current: list[Block] = []
    for block in blocks:
        block = fit(block, limit, max_entities)
        if not block:
            continue
        length, entities = measure([*current, block])
        if current and (length > limit or entities > max_entities):
            messages.append(tuple(current))
            current = []
        current.append(block)
    if current:
        messages.append(tuple(current))
    return messages


def single_message(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """`blocks` squeezed into one message: each gets an equal share of the limits.

    For messages that are edited in place (pages of an answer): they cannot grow into two.
    """
    blocks = [block for block in blocks if block]
    if not blocks:
        return ()
    length, entities = measure(blocks)
    if length <= MAX_TEXT and entities <= MAX_ENTITIES:
        return tuple(blocks)
    share = (MAX_TEXT - len(SEPARATOR) * (len(blocks) - 1)) // len(blocks)
    return tuple(fit(block, share, MAX_ENTITIES // len(blocks)) for block in blocks)
