"""Inline keyboards, deep links and the callback data behind the buttons.

Callback data must fit Telegram's 64 bytes and outlive the process, so it names stored
state instead of holding it:

- ``p:<answer id>:<page>`` shows page `page` of a stored answer (`bot.store`);
- ``d:<article key>`` shows an article in full (`bot.platform.article_keys`: a hash of its id);
- ``s:k:<kind>``, ``s:all``, ``s:off``, ``s:on`` change the chat's subscription (toggle
  a document kind, drop the kind filter, unsubscribe, subscribe again);
- ``b:<item id>:y`` / ``b:<item id>:n`` send or drop an admin's draft announcement.

``/start`` payloads (deep links, 64 characters of ``A-Za-z0-9_-``) use similar names:
``a<token>`` re-asks a stored question in private, ``d<article key>`` opens a card. An
answer link carries the answer's random token (`bot.store.answers`), never its row id:
anyone can type a payload, so a sequential id would let anyone walk every answer.
Anything else a client sends back is `None` from `parse_callback`, and the bot answers
with a short notice instead of an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.platform import texts
from bot.platform.article_keys import KEY_PATTERN, article_key
from bot.platform.cards import PAGE_SIZE, n_pages
from corpus import KIND_LABELS
from retrieval import Hit

__all__ = [
    "AnnouncementRequest",
    "PageRequest",
    "ReadRequest",
    "SettingsRequest",
    "StartRequest",
    "announcement_keyboard",
    "answer_keyboard",
    "card_keyboard",
    "deep_link",
    "group_keyboard",
    "inline_card_keyboard",
    "page_data",
    "parse_callback",
    "parse_start",
    "read_data",
    "settings_keyboard",
]

_ID = r"[1-9][0-9]{0,17}"
_PAGE = re.compile(rf"p:({_ID}):(0|[1-9][0-9]{{0,2}})")
_READ = re.compile(rf"d:({KEY_PATTERN})")
_SETTINGS = re.compile(r"s:(?:k:(" + "|".join(KIND_LABELS) + r")|(all|off|on))")
_ANNOUNCEMENT = re.compile(rf"b:({_ID}):([yn])")
# Any a-payload is an answer link; the store decides (old ``a<id>`` links find nothing).
_START_ANSWER = re.compile(r"a([A-Za-z0-9_-]{1,63})")
_START_ARTICLE = re.compile(rf"d({KEY_PATTERN})")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Show page `page` of stored answer `answer_id`."""

    answer_id: int
    page: int


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """Show the article with key `key` in full."""

    key: str


@dataclass(frozen=True, slots=True)
class SettingsRequest:
    """Change the chat's subscription: ``kind`` toggles one kind; ``all``, ``off``, ``on``."""

    action: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class AnnouncementRequest:
    """Send (`send`) or drop a draft announcement."""

    item_id: int
    send: bool


Request = PageRequest | ReadRequest | SettingsRequest | AnnouncementRequest


@dataclass(frozen=True, slots=True)
class StartRequest:
    """A deep link: a shared answer (its `token`) or an article card (`key`)."""

    token: str | None = None
    key: str | None = None


def page_data(answer_id: int, page: int) -> str:
    """Callback data of a page button."""
    return f"p:{answer_id}:{page}"


def read_data(key: str) -> str:
    """Callback data of a "read in full" button."""
    return f"d:{key}"


def parse_callback(data: str | None) -> Request | None:
    """What a button asks for, or None for data this bot never wrote."""
    if not data:
        return None
    if match := _PAGE.fullmatch(data):
        return PageRequest(int(match.group(1)), int(match.group(2)))
    if match := _READ.fullmatch(data):
        return ReadRequest(match.group(1))
    if match := _SETTINGS.fullmatch(data):
        if match.group(1):
            return SettingsRequest("kind", match.group(1))
        return SettingsRequest(match.group(2))
    if match := _ANNOUNCEMENT.fullmatch(data):
        return AnnouncementRequest(int(match.group(1)), match.group(2) == "y")
    return None


def parse_start(payload: str) -> StartRequest | None:
    """What a ``/start`` payload asks for, or None when it is not one of ours."""
    if match := _START_ANSWER.fullmatch(payload):
        return StartRequest(token=match.group(1))
    if match := _START_ARTICLE.fullmatch(payload):
        return StartRequest(key=match.group(1))
    return None


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>``: opens a private chat and sends /start.

    Built by the library, which also refuses a payload Telegram would not accept.
    """
    return create_deep_linked_url(bot_username, payload)


def answer_keyboard(answer_id: int, hits: Sequence[Hit], page: int) -> InlineKeyboardMarkup | None:
    """Under a private answer: read each shown result in full; previous/next page."""
    if not hits:
        return None
    first = page * PAGE_SIZE
    shown = hits[first : first + PAGE_SIZE]
    rows = [[
        InlineKeyboardButton(texts.read_button(first + i + 1),
                             callback_data=read_data(article_key(hit.article_id)))
        for i, hit in enumerate(shown)
    ]]
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(texts.PREVIOUS,
                                               callback_data=page_data(answer_id, page - 1)))
    if page + 1 < n_pages(len(hits)):
        navigation.append(InlineKeyboardButton(texts.MORE,
                                               callback_data=page_data(answer_id, page + 1)))
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def group_keyboard(bot_username: str, token: str) -> InlineKeyboardMarkup:
    """Under a group answer: continue in a private chat, where the full answer is shown.

    The link carries the answer's random `token`: anyone in the group may follow it.
    """
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.continue_in_private(), url=deep_link(bot_username, f"a{token}"))]])


def card_keyboard(key: str) -> InlineKeyboardMarkup:
    """Under an article card in private: read it in full."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.READ_FULL,
                                                       callback_data=read_data(key))]])


def inline_card_keyboard(bot_username: str, key: str) -> InlineKeyboardMarkup:
    """Under a card sent by inline mode (in any chat): open the article in the bot."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.OPEN_IN_BOT, url=deep_link(bot_username, f"d{key}"))]])


def settings_keyboard(kinds: Sequence[str], *, active: bool) -> InlineKeyboardMarkup:
    """Under a chat's subscription settings: toggle kinds, all kinds, stop or restart."""
    if not active:
        return InlineKeyboardMarkup([[InlineKeyboardButton(texts.RESUBSCRIBE_BUTTON,
                                                           callback_data="s:on")]])
    toggles = [InlineKeyboardButton(texts.kind_button(label, kind in kinds),
                                    callback_data=f"s:k:{kind}")
               for kind, label in KIND_LABELS.items()]
    rows = [toggles[i : i + 3] for i in range(0, len(toggles), 3)]
    rows.append([InlineKeyboardButton(texts.kind_button(texts.ALL_KINDS_BUTTON, not kinds),
                                      callback_data="s:all"),
                 InlineKeyboardButton(texts.UNSUBSCRIBE_BUTTON, callback_data="s:off")])
    return InlineKeyboardMarkup(rows)


def announcement_keyboard(item_id: int) -> InlineKeyboardMarkup:
    """Under a draft announcement: send it, or drop it."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.BROADCAST_SEND, callback_data=f"b:{item_id}:y"),
        InlineKeyboardButton(texts.BROADCAST_CANCEL, callback_data=f"b:{item_id}:n"),
    ]])
