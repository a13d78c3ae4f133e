"""Message-text and keyboard validation shared by the fake Bot API's methods.

Telegram validates text before anything reaches a chat: it parses the parse mode, cleans the
text (control characters, surrounding whitespace), checks the length and adds automatically
detected entities. Keeping this apart from the HTTP plumbing lets
sendMessage, editMessageText and inline results share exactly one set of rules.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from support.telegram_entities import FORMATTING_TYPES, QUOTE_TYPES
from support.telegram_html import (
    TelegramHTMLError,
    parse_html_report,
    sort_entities,
    utf16_len,
)

MAX_TEXT_UTF16 = 4096
MAX_ENTITIES = 100
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100

# Characters Telegram deletes from message text: CR (CRLF becomes LF), the line and paragraph
# separators, the bidi embedding/override controls and three combining marks used to fake
# underlines. Every other C0 control character except LF is shown as a space.
_DELETED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")
_TRIMMED = frozenset({"", " ", "\n"})  # what the ends of a text lose ("" = already deleted)
_DETECTORS = [
    ("url", re.compile(r"(?<![\w@/])(?:https?|tg)://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}(?![\w#])")),
]
_ENTITY_TYPES = FORMATTING_TYPES | QUOTE_TYPES | {
    "code", "pre", "text_link", "text_mention",
    "custom_emoji", "mention", "hashtag", "cashtag", "bot_command", "url", "email",
    "phone_number", "date_time",
}
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        """Keep the fields of ``{"ok": false, "error_code": ..., "description": ...}``."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(reason: str) -> ApiError:
    """400 answer; Telegram prefixes every such description with ``Bad Request:``."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class PreparedText:
    """Text as Telegram would store it, plus what the fake should report as problems."""

    text: str
    entities: list[dict]
    problems: list[str] = field(default_factory=list)


def is_valid_link(url: str, schemes: tuple[str, ...] = ("http", "https", "tg")) -> bool:
    """Whether Telegram accepts ``url`` for a button; hosts must look like real hosts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in schemes or any(c.isspace() for c in url):
        return False
    if parts.scheme.lower() == "tg":
        return bool(parts.netloc)
    host = parts.hostname or ""
    return "." in host or host == "localhost"


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram finds by itself (urls, mentions, commands, hashtags, e-mails)."""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            found.append({
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            })
    return sort_entities(found)


def normalize_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Clean ``text`` as Telegram does before storing it, and move the entities along.

    What the chat shows differs from what the bot sent: deleted and replaced control
    characters (see ``_DELETED``), no trailing spaces or newlines, and no leading ones before
    the first entity (an entity may deliberately start with indentation). Entities left
    without any character disappear.
    """
    shown = [_shown_as(ch) for ch in text]
    # UTF-16 offset where each character starts, plus the end of the text.
    bounds = [0]
    for ch in text:
        bounds.append(bounds[-1] + utf16_len(ch))
    ranges = []
    for entity in entities:
        first = max(bisect_right(bounds, entity["offset"]) - 1, 0)
        last = min(bisect_left(bounds, entity["offset"] + entity["length"]), len(text))
        ranges.append((entity, first, last))

    end = len(shown)
    while end and shown[end - 1] in _TRIMMED:
        end -= 1
    shown[end:] = [""] * (len(shown) - end)
    visible = [first for _, first, last in ranges if any(shown[first:last])]
    start = 0
    while start < min(visible, default=end) and shown[start] in _TRIMMED:
        shown[start] = ""
        start += 1

    moved = [0]  # new UTF-16 offset of every character boundary
    for piece in shown:
        moved.append(moved[-1] + utf16_len(piece))
    kept = [{**entity, "offset": moved[first], "length": moved[last] - moved[first]}
            for entity, first, last in ranges if moved[last] > moved[first]]
    return "".join(shown), sort_entities(kept)


def _shown_as(ch: str) -> str:
    if ch in _DELETED:
        return ""
    return " " if ch < " " and ch != "\n" else ch


def check_entities_param(text: str, entities: Any) -> list[dict]:
    """Validate an explicit ``entities`` parameter the way the Bot API does."""
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    result = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity: unsupported entity type")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise bad_request("can't parse MessageEntity: field \"offset\" must be an integer")
        if offset + length > total:
            raise bad_request(
                f"can't parse entities: Entity beginning at UTF-16 offset {offset} ends after "
                f"the end of the text at UTF-16 offset {offset + length}"
            )
        result.append(dict(entity))
    return sort_entities(result)


def prepare_text(
    raw: Any, parse_mode: str | None, entities_param: Any, *, empty: str, too_long: str
) -> PreparedText:
    """Parse and normalise a message text; raise the ApiError Telegram would answer."""
    if raw is None or raw == "":
        raise bad_request(empty)
    text = str(raw)
    problems: list[str] = []
    mode = (parse_mode or "").strip()
    if mode and entities_param is not None:
        problems.append(f"both parse_mode {mode!r} and entities given; Telegram uses entities")
    if mode and entities_param is None:
        if mode.lower() != "html":
            if mode.lower() in ("markdown", "markdownv2"):
                raise bad_request(f"parse_mode {mode} is not implemented in the fake")
            raise bad_request(f"unsupported parse_mode {mode!r}")
        try:
            report = parse_html_report(text)
        except TelegramHTMLError as exc:
            raise ApiError(400, exc.api_description) from None
        text, entities = report.text, report.entities
        problems.extend(f"HTML: {warning}" for warning in report.warnings)
    elif entities_param is not None:
        entities = check_entities_param(text, entities_param)
    else:
        entities = []
    text, entities = normalize_text(text, entities)
    if not text:
        raise bad_request(empty)
    if utf16_len(text) > MAX_TEXT_UTF16:
        raise bad_request(too_long)
    if len(entities) > MAX_ENTITIES:
        problems.append(
            f"{len(entities)} entities; Telegram keeps only the first {MAX_ENTITIES} "
            "and silently drops the rest"
        )
        entities = entities[:MAX_ENTITIES]
    # Telegram finds urls, mentions, ... only where no indivisible entity already is.
    blocking = [e for e in entities
                if e["type"] not in FORMATTING_TYPES and e["type"] not in QUOTE_TYPES]
    detected = [
        d for d in detect_entities(text)
        if not any(d["offset"] < b["offset"] + b["length"] and b["offset"] < d["offset"]
                   + d["length"] for b in blocking)
    ]
    return PreparedText(text, sort_entities(entities + detected), problems)


def check_reply_markup(markup: Any) -> dict | None:
    """Validate reply_markup like Telegram; return it as it would be echoed, or None."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return None  # reply keyboards are not part of the returned Message
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an "
                          "Object")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        # Telegram silently picks one; a strict fake refuses the ambiguity.
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not (isinstance(button["url"], str) and is_valid_link(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")
