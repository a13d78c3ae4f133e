"""The fake Bot API's sendPhoto and sendDocument check captions as Telegram does.

A caption is at most 1024 UTF-16 code units *after* entity parsing, and its HTML is parsed
by the same parser as message texts: a bot caption that Telegram would refuse (too long,
broken tags) must be refused here too, or the /stats chart and the OPML export could pass
the tests and fail in production.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from support.fake_bot_api import FakeBotAPI
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest

USER = 42


def tiny_png() -> bytes:
    """A well-formed 1x1 grey PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


@pytest.fixture
async def fake():
    async with FakeBotAPI() as fake:
        fake.add_chat(USER)
        yield fake


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


async def send(bot: Bot, method: str, caption: str, parse_mode: str | None = ParseMode.HTML):
    if method == "sendPhoto":
        return await bot.send_photo(USER, tiny_png(), caption=caption, parse_mode=parse_mode)
    return await bot.send_document(USER, b"<opml/>", filename="feeds.opml", caption=caption,
                                   parse_mode=parse_mode)


METHODS = ["sendPhoto", "sendDocument"]


@pytest.mark.parametrize("method", METHODS)
async def test_an_html_caption_is_parsed_into_entities(bot, fake, method):
    sent = await send(bot, method, "<b>30 ngày</b> &amp; tổng")
    assert sent.caption == "30 ngày & tổng"
    [stored] = fake.sent_files
    assert stored.caption == "30 ngày & tổng"
    assert [e["type"] for e in stored.message["caption_entities"]] == ["bold"]


@pytest.mark.parametrize("method", METHODS)
async def test_the_1024_limit_counts_utf16_units_after_parsing(bot, fake, method):
    await send(bot, method, "<b>" + "ệ" * 1024 + "</b>")  # tags do not count
    with pytest.raises(BadRequest, match="caption is too long"):
        await send(bot, method, "😀" * 513)  # 513 characters, 1026 UTF-16 units
    assert len(fake.sent_files) == 1


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("caption", ["<b>không đóng", "<blink>x</blink>", "a < b"])
async def test_broken_caption_html_is_refused_as_telegram_words_it(bot, fake, method, caption):
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await send(bot, method, caption)
    assert fake.sent_files == []
    fake.rejected.clear()


@pytest.mark.parametrize("method", METHODS)
async def test_a_caption_of_only_tags_is_empty(bot, fake, method):
    with pytest.raises(BadRequest, match="caption is empty"):
        await send(bot, method, "<b></b>")
    fake.rejected.clear()


def test_the_caption_check_is_the_shared_one(fake):
    """check_caption is what sendPhoto/sendDocument use (the one rule, not a copy)."""
    fake.check_caption("ệ" * 1024)
    with pytest.raises(Exception, match="caption is too long"):
        fake.check_caption("a" * 1025)
