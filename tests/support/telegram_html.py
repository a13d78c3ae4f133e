"""Parser for Telegram's HTML parse mode (Bot API ``parse_mode="HTML"``).

Written from the Bot API documentation ("HTML style" and "Formatting options") and from the
answers the real server gives. Where Telegram *rejects* input, the reason is worded as Telegram
words it and points at the same UTF-8 byte offset, so a test that passes against the fake Bot
API does not fail in production. Where Telegram silently *repairs* input, this parser is
deliberately stricter and raises instead, because the repaired message is not what the bot's
author meant:

* ``&`` must start ``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` ``&#NNN;`` or ``&#xHH;``, with the
  ``;``, also inside attribute values. Telegram keeps unknown ``&name`` literally and accepts
  a missing ``;``.
* A ``<`` that does not open or close a supported tag is an error, never literal text.
* ``<a>`` needs a non-empty ``href`` with an http(s), tg or ton URL. Telegram uses the link text
  as URL when ``href`` is missing and silently drops links whose URL it cannot use.
* ``<tg-time>`` needs a ``unix`` attribute holding a Unix time; Telegram silently drops the
  entity otherwise. (Its ``format`` must match the documented ``r|w?[dD]?[tT]?`` on both.)

Entities that Telegram accepts but then drops because of the documented nesting rules (bold
inside code, a link inside a link, nested block quotes, ...) and attributes it ignores are not
errors: :func:`parse_html_report` lists them as ``warnings`` so the fake Bot API can record them.

The parser is a hand-written scanner over the ``str`` (text runs, character references, start
and end tags) with a stack of open tags. Entity offsets are counted in UTF-16 code units as the
Bot API does; byte offsets for messages are computed only when a message is produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from support.telegram_entities import Span, apply_nesting, sort_entities, utf16_len

__all__ = [
    "ParsedHTML", "TelegramHTMLError", "parse_html", "parse_html_report", "sort_entities",
    "utf16_len",
]

_FORMATTING_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_OTHER_TAGS = frozenset({"span", "a", "code", "pre", "blockquote", "tg-emoji", "tg-time"})
_ATTRIBUTES_USED = {
    "span": {"class"}, "a": {"href"}, "code": {"class"}, "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"}, "tg-time": {"unix", "format"},
}
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_LANGUAGE_PREFIX = "language-"

_WS = " \t\n\r\f\v"
_SPACES = re.compile(f"[{_WS}]*")
_TEXT_RUN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(f"[^{_WS}>]*")
_ATTRIBUTE_NAME = re.compile(f"[^{_WS}=>\"'/]+")
_UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9.-]*")  # an HTML "name token"
_END_TAG = re.compile(f"</([^{_WS}>]*)[{_WS}]*>")
_NUMERIC_REFERENCE = re.compile(r"&#(?:x([0-9A-Fa-f]*)|([0-9]*))(;?)")
_NAMED_REFERENCE = re.compile(r"&([A-Za-z0-9]*)(;?)")
_DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_EMOJI_ID = re.compile(r"[1-9][0-9]{0,18}")
_UNIX_TIME = re.compile(r"[0-9]{1,12}")
_USER_QUERY = re.compile(r"id=([1-9][0-9]{0,15})")


class TelegramHTMLError(ValueError):
    """HTML that Telegram (or this stricter parser) refuses.

    * ``reason``: Telegram's wording, e.g. ``Unsupported start tag "div" at byte offset 12``;
    * ``api_description``: the Bot API's ``description``,
      ``Bad Request: can't parse entities: <reason>``;
    * ``description`` (also ``str(error)``): what python-telegram-bot shows as
      ``BadRequest.message`` for that answer, e.g.
      ``Can't parse entities: unsupported start tag "div" at byte offset 12``.
    """

    def __init__(self, reason: str) -> None:
        """Derive the other two renderings so callers can compare with whichever they hold."""
        # PTB strips "Bad Request: " and then applies str.capitalize() to the remainder.
        self.reason = reason
        self.description = f"can't parse entities: {reason}".capitalize()
        super().__init__(self.description)

    @property
    def api_description(self) -> str:
        """What the Bot API puts into ``description`` of its 400 answer."""
        return f"Bad Request: can't parse entities: {self.reason}"


@dataclass(frozen=True)
class ParsedHTML:
    """Result of :func:`parse_html_report`: what Telegram would show, plus silent-drop notes."""

    text: str
    entities: list[dict]
    warnings: list[str] = field(default_factory=list)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into plain text and Bot API ``MessageEntity`` dicts.

    Raises:
        TelegramHTMLError: when Telegram would answer "can't parse entities", or when the input
            relies on one of Telegram's silent repairs listed in the module docstring.
    """
    report = parse_html_report(text)
    return report.text, report.entities


def parse_html_report(text: str) -> ParsedHTML:
    """Like :func:`parse_html`, also returning warnings about what Telegram would drop."""
    return _Reader(text).read()


@dataclass
class _Tag:
    """An opened tag and the entity it will produce if it encloses any text."""

    ident: int
    tag: str  # lower case: tag names are case-insensitive, and Telegram reports them so
    src: int  # index of its "<" in the source
    start: int  # UTF-16 offset of its content in the output
    outer: tuple[int, ...]  # idents of the tags open around it
    entity: dict
    css: str = ""  # class of a <code>: "language-x" names the language of an enclosing <pre>


def _link_entity(url: str) -> dict | None:
    """The entity an ``<a href>`` produces, or None when Telegram could not use the URL.

    Web links need a host that looks real (a dot, or localhost); a bare ``scheme://host``
    gets the "/" path Telegram adds. ``tg://user?id=N`` mentions a user by id.
    """
    if any(ch in _WS or ord(ch) < 0x20 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if "." not in host.strip(".") and host != "localhost":
            return None
        bare = not (parts.path or parts.query or parts.fragment or url.endswith(("?", "#")))
        return {"type": "text_link", "url": url + "/" if bare else url}
    if scheme not in ("tg", "ton") or not parts.netloc:
        return None
    user = _USER_QUERY.fullmatch(parts.query)
    if scheme == "tg" and parts.netloc.lower() == "user" and user:
        return {"type": "text_mention", "user": {"id": int(user.group(1))}}
    return {"type": "text_link", "url": url}


class _Reader:
    """One-shot scanner: ``read`` walks the source once and then applies the nesting rules."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.length = 0  # UTF-16 length of the output so far
        self.open: list[_Tag] = []
        self.opened = 0  # tags opened so far; gives each its ident
        self.spans: list[Span] = []
        self.last_closed: tuple[_Tag, int] | None = None  # with its end offset
        self.warnings: list[str] = []

    def read(self) -> ParsedHTML:
        src = self.src
        if "\0" in src:
            raise TelegramHTMLError("Text must not contain null bytes")
        pos = 0
        while pos < len(src):
            if src.startswith("</", pos):
                pos = self.end_tag(pos)
            elif src[pos] == "<":
                pos = self.start_tag(pos)
            elif src[pos] == "&":
                char, pos = self.reference(pos, len(src))
                self.emit(char)
            else:
                run = _TEXT_RUN.match(src, pos)
                assert run is not None  # src[pos] is neither "<" nor "&"
                self.emit(run.group())
                pos = run.end()
        if self.open:
            raise TelegramHTMLError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].tag}"')
        entities = apply_nesting(self.spans, self.warnings.append)
        return ParsedHTML("".join(self.out), entities, self.warnings)

    # -- helpers --------------------------------------------------------------------------
    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def offset(self, pos: int) -> int:
        """Byte offset of ``pos`` as Telegram reports it: UTF-8 length of the text before it."""
        return len(self.src[:pos].encode("utf-8", "surrogatepass"))

    def at(self, pos: int) -> str:
        return f"at byte offset {self.offset(pos)}"

    def skip_spaces(self, pos: int) -> int:
        spaces = _SPACES.match(self.src, pos)
        assert spaces is not None  # the pattern accepts no spaces at all
        return spaces.end()

    # -- character references -------------------------------------------------------------
    def reference(self, pos: int, end: int) -> tuple[str, int]:
        """Decode the reference starting with the ``&`` at ``pos``; strict on purpose."""
        numeric = _NUMERIC_REFERENCE.match(self.src, pos, end)
        if numeric:
            hex_digits, dec_digits, semicolon = numeric.groups()
            digits = hex_digits if hex_digits is not None else dec_digits
            written = numeric.group()
            if digits and not semicolon:
                raise TelegramHTMLError(
                    f'Character reference "{written}" {self.at(pos)} must end with ";"')
            # Telegram accepts at most 6 hex or 7 decimal digits, leading zeros included.
            base, most = (16, 6) if hex_digits is not None else (10, 7)
            value = int(digits, base) if 0 < len(digits) <= most else 0
            if not 0 < value <= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise TelegramHTMLError(
                    f'Invalid character reference "{written}" {self.at(pos)}')
            return chr(value), numeric.end()
        named = _NAMED_REFERENCE.match(self.src, pos, end)
        assert named is not None  # the pattern matches a lone "&"
        name, semicolon = named.groups()
        if not name:
            raise TelegramHTMLError(f'Character "&" {self.at(pos)} must be escaped as "&amp;"')
        if name not in _NAMED_REFERENCES:
            raise TelegramHTMLError(f'Unsupported HTML entity "{named.group()}" {self.at(pos)}')
        if not semicolon:
            raise TelegramHTMLError(
                f'Character reference "{named.group()}" {self.at(pos)} must end with ";"')
        return _NAMED_REFERENCES[name], named.end()

    def unescape(self, start: int, end: int) -> str:
        """Decode an attribute value that spans ``src[start:end]``."""
        parts, pos = [], start
        while pos < end:
            amp = self.src.find("&", pos, end)
            if amp < 0:
                parts.append(self.src[pos:end])
                break
            parts.append(self.src[pos:amp])
            char, pos = self.reference(amp, end)
            parts.append(char)
        return "".join(parts)

    # -- tags -----------------------------------------------------------------------------
    def start_tag(self, lt: int) -> int:
        name_match = _TAG_NAME.match(self.src, lt + 1)
        assert name_match is not None  # the pattern accepts an empty name
        tag, pos = name_match.group().lower(), name_match.end()
        if pos == len(self.src):
            raise TelegramHTMLError(f"Unclosed start tag {self.at(lt)}")
        if tag not in _FORMATTING_TAGS and tag not in _OTHER_TAGS:
            raise TelegramHTMLError(f'Unsupported start tag "{tag}" {self.at(lt)}')
        attributes: dict[str, str | None] = {}
        while True:
            pos = self.skip_spaces(pos)
            if self.src.startswith(">", pos):
                break
            key, value, pos = self.attribute(tag, lt, pos)
            if key in attributes:
                self.warnings.append(
                    f'repeated attribute "{key}" of <{tag}> {self.at(lt)} is ignored by Telegram')
            else:
                attributes[key] = value
        entity = self.entity_for(tag, attributes, lt)
        for attribute in attributes:
            if attribute not in _ATTRIBUTES_USED.get(tag, ()):
                self.warnings.append(
                    f'attribute "{attribute}" of <{tag}> {self.at(lt)} is ignored by Telegram')
        self.open.append(_Tag(self.opened, tag, lt, self.length,
                              tuple(t.ident for t in self.open), entity,
                              (attributes.get("class") or "") if tag == "code" else ""))
        self.opened += 1
        return pos + 1

    def attribute(self, tag: str, lt: int, pos: int) -> tuple[str, str | None, int]:
        """Read one ``name``, ``name=value``, ``name="value"`` or ``name='value'``.

        Names are case-insensitive. Which error a truncated tag gets depends on where the
        text ends, as with Telegram: inside a value the tag name is not mentioned.
        """
        src = self.src
        name = _ATTRIBUTE_NAME.match(src, pos)
        if not name:
            raise TelegramHTMLError(f'Empty attribute name in the tag "{tag}" {self.at(lt)}')
        pos = self.skip_spaces(name.end())
        if pos == len(src):
            raise TelegramHTMLError(f'Unclosed start tag "{tag}" {self.at(lt)}')
        if src[pos] != "=":
            return name.group().lower(), None, pos
        pos = self.skip_spaces(pos + 1)
        if pos == len(src):
            raise TelegramHTMLError(f'Unclosed start tag "{tag}" {self.at(lt)}')
        if src[pos] in "\"'":
            close = src.find(src[pos], pos + 1)
            # A bad reference inside the value is reported before the missing quote.
            value = self.unescape(pos + 1, close if close >= 0 else len(src))
            if close < 0:
                raise TelegramHTMLError(f"Unclosed start tag {self.at(lt)}")
            return name.group().lower(), value, close + 1
        token = _UNQUOTED_VALUE.match(src, pos)
        assert token is not None  # the pattern accepts an empty value
        if token.end() == len(src):
            raise TelegramHTMLError(f"Unclosed start tag {self.at(lt)}")
        if src[token.end()] not in _WS and src[token.end()] != ">":
            raise TelegramHTMLError(f"Unexpected end of name token {self.at(pos)}")
        return name.group().lower(), token.group(), token.end()

    def entity_for(self, tag: str, attributes: dict[str, str | None], lt: int) -> dict:
        """The entity (without offset/length) that a start tag opens; raise if it is invalid."""
        if tag in _FORMATTING_TAGS:
            return {"type": _FORMATTING_TAGS[tag]}
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise TelegramHTMLError(f'Tag "span" must have class "tg-spoiler" {self.at(lt)}')
            return {"type": "spoiler"}
        if tag == "a":
            href = attributes.get("href") or ""
            if not href:
                raise TelegramHTMLError(
                    f'Tag "a" {self.at(lt)} must have a non-empty "href" attribute')
            link = _link_entity(href)
            if link is None:
                raise TelegramHTMLError(f'Unsupported URL "{href}" in tag "a" {self.at(lt)}')
            return link
        if tag == "code":
            return {"type": "code"}  # its class is looked at when it closes
        if tag == "pre":
            return {"type": "pre"}
        if tag == "blockquote":
            expandable = "expandable" in attributes
            return {"type": "expandable_blockquote" if expandable else "blockquote"}
        if tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id") or ""
            if not _EMOJI_ID.fullmatch(emoji_id) or int(emoji_id) >= 2**63:
                raise TelegramHTMLError("Invalid custom emoji identifier specified")
            return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        return self.time_entity(attributes, lt)

    def time_entity(self, attributes: dict[str, str | None], lt: int) -> dict:
        unix = attributes.get("unix") or ""
        if not _UNIX_TIME.fullmatch(unix):
            raise TelegramHTMLError(
                f'Tag "tg-time" {self.at(lt)} must have a valid "unix" attribute')
        entity: dict = {"type": "date_time", "unix_time": int(unix)}
        time_format = attributes.get("format") or ""
        if not _DATE_TIME_FORMAT.fullmatch(time_format):
            raise TelegramHTMLError("Invalid date format used")
        if time_format:
            entity["date_time_format"] = time_format
        return entity

    def end_tag(self, lt: int) -> int:
        if not self.open:
            raise TelegramHTMLError(f"Unexpected end tag {self.at(lt)}")
        closing = _END_TAG.match(self.src, lt)
        if not closing:
            raise TelegramHTMLError(f"Unclosed end tag {self.at(lt)}")
        top = self.open[-1]
        if not closing.group(1):  # Telegram lets "</>" close whatever is open
            self.warnings.append(f"</> {self.at(lt)} closes <{top.tag}>")
        elif closing.group(1).lower() != top.tag:
            raise TelegramHTMLError(
                f'Unmatched end tag {self.at(lt)}, expected "</{top.tag}>", '
                f'found "</{closing.group(1).lower()}>"')
        self.open.pop()
        if top.tag == "a" and self.length == top.start:
            self.warnings.append(f"empty <a> {self.at(top.src)} produces no link")
        if top.tag == "code" and top.css and all(t.tag != "pre" for t in self.open):
            self.warnings.append(f'attribute "class" of <code> {self.at(top.src)} is ignored by '
                                 "Telegram outside <pre>")
        if top.tag == "pre":
            self.adopt_language(top)
        if self.length > top.start:
            where = f"byte offset {self.offset(top.src)}"
            self.spans.append(Span(top.ident, top.tag, where, top.outer, top.start, self.length,
                                   top.entity))
        self.last_closed = (top, self.length)
        return closing.end()

    def adopt_language(self, pre: _Tag) -> None:
        """A ``<code>`` that is all of a ``<pre>`` merges into it, lending its language.

        Code that is only part of a block stays an entity of its own, which the nesting
        rules then drop (code inside pre), with a warning.
        """
        if self.last_closed is None:
            return
        code, end = self.last_closed
        if code.tag != "code" or code.outer[-1:] != (pre.ident,) or \
                (code.start, end) != (pre.start, self.length):
            return
        if self.spans and self.spans[-1].ident == code.ident:
            self.spans.pop()
        language = code.css.removeprefix(_LANGUAGE_PREFIX)
        if code.css.startswith(_LANGUAGE_PREFIX) and language:
            pre.entity["language"] = language
        elif code.css:
            self.warnings.append(
                f'attribute "class" of <code> {self.at(code.src)} is ignored by Telegram')
