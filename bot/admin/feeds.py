"""``/feeds``: admins manage the news ingest's feeds in the chat (issue 10, part 3).

- ``/feeds``: the list, numbered, with how each feed fared (last success, the current run
  of failures with its last time and reason, from the ingest's ``state.json``);
- ``/feeds add URL``: checked with the ingest's own URL rule (`corpus.ingest.urls`);
- ``/feeds remove N``: by its number in the list;
- ``/feeds export``: the list as an OPML file (sendDocument);
- an OPML file sent to the bot by an admin in private: imported. The file is downloaded
  through getFile, at most `MAX_OPML_BYTES`, and parsed with the standard library's
  ElementTree after refusing any DOCTYPE: no entity can be declared, so no entity
  expansion ("billion laughs") and no external entity can happen. A file that cannot be
  read changes nothing; a readable one is added in one transaction.

The list lives in the database (`bot.store.feeds`); ``HAIQUAN_FEEDS`` / ``--feed`` seed it
at start. Everything here is admin-only and private (`bot.admin.commands.admin_only`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram import Document, Message, Update
from telegram.error import TelegramError

from bot.admin.commands import admin_only
from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.render import Block, Span, pack, to_html
from bot.platform.state import Context, Services
from bot.platform.triggers import command_of
from bot.store import VIETNAM, Feed
from bot.store.feeds import MAX_FEEDS
from corpus import default_corpus_dir
from corpus.ingest.state import FeedState, IngestState, ingest_dir
from corpus.ingest.urls import redact_url, refuse_url

__all__ = [
    "MAX_OPML_BYTES",
    "MAX_URL_CHARS",
    "FeedEntry",
    "OpmlError",
    "feeds_command",
    "import_opml",
    "opml_document",
    "parse_opml",
    "url_problem",
]

logger = logging.getLogger(__name__)

MAX_OPML_BYTES = 512 * 1024  # a list of a few hundred feeds is a few tens of kilobytes
MAX_URL_CHARS = 2048


class OpmlError(ValueError):
    """A file that is not a usable OPML list; the message is Vietnamese, for the admin."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A feed found in an OPML file."""

    url: str
    title: str


def url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why the ingest would not fetch `url` (Vietnamese), or None when it is usable.

    `allow_private` as the ingest's `corpus.ingest.FetchLimits` (tests only)."""
    if len(url) > MAX_URL_CHARS:
        return texts.FEED_REFUSALS["long"]
    reason = refuse_url(url, allow_private=allow_private)
    if reason is None:
        return None
    if reason.startswith("only http(s)"):
        return texts.FEED_REFUSALS["scheme"]
    if reason.endswith("no host"):
        return texts.FEED_REFUSALS["host"]
    if reason.endswith("is not public"):
        return texts.FEED_REFUSALS["private"]
    return texts.FEED_REFUSALS["malformed"]


def parse_opml(data: bytes, *, allow_private: bool = False) -> tuple[list[FeedEntry], int]:
    """The feeds of an OPML document (``outline`` elements with ``xmlUrl``, at any depth)
    and how many were refused by `url_problem`.

    Raises:
        OpmlError: too big, a DOCTYPE (entities), not XML, not OPML, or no feed at all.
    """
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"tệp lớn hơn {MAX_OPML_BYTES // 1024} KB")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise OpmlError("tệp có khai báo DOCTYPE/ENTITY, không được chấp nhận")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DOCTYPE, size capped (see above)
    except ET.ParseError:
        raise OpmlError("tệp không phải XML hợp lệ") from None
    if root.tag != "opml" or root.find("body") is None:
        raise OpmlError("tệp XML này không phải danh sách OPML")
    found: dict[str, FeedEntry] = {}
    refused = 0
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue
        if url_problem(url, allow_private=allow_private) is not None:
            refused += 1
            continue
        title = (outline.get("title") or outline.get("text") or "").strip()[:200]
        found.setdefault(url, FeedEntry(url, title))
    if not found and not refused:
        raise OpmlError("tệp không có nguồn tin nào (thẻ outline có xmlUrl)")
    return list(found.values()), refused


def opml_document(feeds: Sequence[Feed], created: dt.datetime) -> bytes:
    """The list as OPML 2.0, as feed readers import it."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "haiquan-bot feeds"
    ET.SubElement(head, "dateCreated").text = created.strftime("%a, %d %b %Y %H:%M:%S %z")
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(body, "outline", type="rss", text=feed.title or feed.url,
                      title=feed.title or feed.url, xmlUrl=feed.url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# -- the fetch status, from the ingest's state file ----------------------------------------------
def _ingest_feeds(services: Services) -> dict[str, FeedState]:
    """Each feed's state in the ingest's ``state.json``; empty when there is none yet or it
    cannot be read (read only: the ingest itself handles a damaged file)."""
    settings = services.settings
    if settings.data_dir is None:
        return {}
    path = ingest_dir(settings.data_dir, settings.corpus_dir) / "state.json"
    try:
        return IngestState.from_json(json.loads(path.read_bytes())).feeds
    except (OSError, ValueError):
        return {}


def _moment(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        return texts.clock_label(dt.datetime.fromisoformat(iso).astimezone(VIETNAM))
    except ValueError:
        return None


def _status(state: FeedState | None) -> str:
    if state is None:
        return texts.FEEDS_NEVER_FETCHED
    reason = texts.reason_label(state.last_error.partition(":")[0]) if state.last_error else ""
    return texts.feed_status(_moment(state.last_success), _moment(state.last_failure),
                             state.failures, reason)


# -- the command -----------------------------------------------------------------------------
async def _reply(message: Message, blocks: Sequence[Block]) -> None:
    for chunk in pack(list(blocks)):
        await message.reply_html(to_html(chunk), do_quote=False)


def _uses_sample_corpus(services: Services) -> bool:
    return services.settings.corpus_dir.resolve() == default_corpus_dir().resolve()


@admin_only
async def feeds_command(update: Update, context: Context) -> None:
    """``/feeds [add URL | remove N | export]``."""
    message = update.message
    if message is None:
        return
    command = command_of(message)
    words = (command[2] if command else "").split()
    services = context.bot_data.services
    action = words[0].lower() if words else ""
    if not words:
        await _list(message, services)
    elif action in ("add", "them") and len(words) == 2:
        await _add(message, services, words[1], update.effective_user.id
                   if update.effective_user else None)
    elif action in ("remove", "xoa") and len(words) == 2:
        await _remove(message, services, words[1])
    elif action == "export" and len(words) == 1:
        await _export(message, services)
    else:
        await _reply(message, [text_block(texts.FEEDS_USAGE)])


async def _list(message: Message, services: Services) -> None:
    feeds = await services.feeds.aactive()
    if not feeds:
        await _reply(message, [text_block(texts.FEEDS_EMPTY)])
        return
    states = await asyncio.to_thread(_ingest_feeds, services)
    blocks: list[Block] = [(Span(f"{texts.FEEDS_HEADER} ({len(feeds)})", bold=True),)]
    blocks += [text_block(texts.feed_line(n, feed.url, feed.title, feed.origin,
                                          _status(states.get(feed.url))))
               for n, feed in enumerate(feeds, 1)]
    await _reply(message, blocks)


async def _add(message: Message, services: Services, url: str, admin: int | None) -> None:
    if _uses_sample_corpus(services):
        await _reply(message, [text_block(texts.FEEDS_NO_CORPUS)])
        return
    problem = url_problem(url, allow_private=services.settings.ingest_limits.allow_private)
    if problem is not None:
        await _reply(message, [text_block(texts.feed_refused(url[:200], problem))])
        return
    try:
        added, _ = await services.feeds.aadd_many([(url, "")], origin="admin", added_by=admin)
    except ValueError:
        await _reply(message, [text_block(texts.feeds_full(MAX_FEEDS))])
        return
    if not added:
        await _reply(message, [text_block(texts.feed_already(url))])
        return
    logger.info("feed added by admin %s: %s", admin, redact_url(url))
    await _reply(message, [text_block(texts.feed_added(url))])


async def _remove(message: Message, services: Services, position: str) -> None:
    feeds = await services.feeds.aactive()
    index = int(position) if position.isdigit() else 0
    if not 1 <= index <= len(feeds):
        await _reply(message, [text_block(texts.feed_not_found(position[:20]))])
        return
    removed = await services.feeds.aremove(feeds[index - 1].id)
    if removed is None:  # removed meanwhile by another admin
        await _reply(message, [text_block(texts.feed_not_found(position))])
        return
    logger.info("feed removed: %s", redact_url(removed.url))
    await _reply(message, [text_block(texts.feed_removed(removed.url))])


async def _export(message: Message, services: Services) -> None:
    feeds = await services.feeds.aactive()
    if not feeds:
        await _reply(message, [text_block(texts.FEEDS_EMPTY)])
        return
    document = opml_document(feeds, dt.datetime.now(tz=VIETNAM))
    await message.reply_document(document, filename="haiquan-feeds.opml", do_quote=False,
                                 caption=to_html([text_block(texts.FEEDS_EXPORT_CAPTION)]))


async def _download(context: Context, document: Document) -> bytes:
    """The file's bytes through getFile, refused above `MAX_OPML_BYTES`.

    Raises:
        OpmlError: too big, or Telegram would not hand the file over.
    """
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        raise OpmlError(f"tệp lớn hơn {MAX_OPML_BYTES // 1024} KB")
    try:
        file = await context.bot.get_file(document.file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as error:
        logger.warning("could not download an OPML file: %s", error)
        raise OpmlError("không tải được tệp từ Telegram") from None


@admin_only
async def import_opml(update: Update, context: Context) -> None:
    """An admin sent a file in private: import it as OPML, or say why not (nothing lost)."""
    message = update.message
    if message is None or message.document is None:
        return
    services = context.bot_data.services
    if _uses_sample_corpus(services):
        await _reply(message, [text_block(texts.FEEDS_NO_CORPUS)])
        return
    document = message.document
    try:
        entries, refused = parse_opml(
            await _download(context, document),
            allow_private=services.settings.ingest_limits.allow_private)
    except OpmlError as error:
        await _reply(message, [text_block(texts.opml_refused(str(error)))])
        return
    admin = update.effective_user.id if update.effective_user else None
    try:
        added, already = await services.feeds.aadd_many(
            [(e.url, e.title) for e in entries], origin="opml", added_by=admin)
    except ValueError:
        await _reply(message, [text_block(texts.opml_refused(texts.feeds_full(MAX_FEEDS)))])
        return
    logger.info("OPML import by admin %s (%s): %d added, %d known, %d refused", admin,
                Path(document.file_name or "").suffix or "no extension", len(added), already,
                refused)
    await _reply(message, [text_block(texts.opml_imported(len(added), already, refused))])
