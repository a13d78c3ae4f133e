"""Fake Bot API additions: stalled calls, forged callback data, webhook secret and delivery."""

import asyncio

import pytest
from aiohttp import web
from support.fake_bot_api import FakeBotAPI
from support.fake_bot_state import ALL_UPDATE_TYPES
from support.fake_bot_webhook import SECRET_HEADER, deliver_webhook_updates
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

USER = 42
SECRET = "abc_DEF-123"  # noqa: S105 - made up


@pytest.fixture
async def fake():
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


def test_every_update_type_ptb_knows_is_known_to_the_fake():
    assert set(Update.ALL_TYPES) <= set(ALL_UPDATE_TYPES)


async def test_a_stalled_method_waits_for_release_for_that_chat_only(fake, bot):
    fake.add_chat(USER)
    fake.add_chat(USER + 1)
    release = fake.stall("sendMessage", chat_id=USER)
    held = asyncio.create_task(bot.send_message(USER, "chờ"))
    await bot.send_message(USER + 1, "không chờ")
    await asyncio.sleep(0)
    assert not held.done() and fake.sent(USER) == []
    release.set()
    await held
    assert [m.text for m in fake.sent(USER)] == ["chờ"]


def test_stalling_an_unknown_method_is_a_test_bug(fake):
    with pytest.raises(ValueError, match="not a Bot API method"):
        fake.stall("sendNothing")


async def test_forged_callback_data_needs_saying_so(fake, bot):
    fake.add_chat(USER)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(USER, "x", reply_markup=markup)
    with pytest.raises(ValueError, match="no button"):
        fake.press_button(USER, sent.message_id, "zzz")
    fake.press_button(USER, sent.message_id, "zzz", forged=True)
    assert fake.pending_updates[-1]["callback_query"]["data"] == "zzz"
    await bot.answer_callback_query(fake.pending_updates[-1]["callback_query"]["id"])


async def test_webhook_secret_is_checked_stored_and_sent(fake, bot):
    with pytest.raises(BadRequest, match=r"[Ss]ecret token contains unallowed characters"):
        await bot.set_webhook("https://bot.example.vn/h", secret_token=f"{SECRET} có dấu")
    received: list[tuple[str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=200 if len(received) == 1 else 500)

    app = web.Application()
    app.router.add_post("/h", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await bot.set_webhook("https://bot.example.vn/h", secret_token=SECRET)
        assert fake.webhook_secret == SECRET
        fake.user_says(USER, "một")
        fake.user_says(USER, "hai")
        local = f"http://127.0.0.1:{runner.addresses[0][1]}/h"
        assert await deliver_webhook_updates(fake, local) == [200, 500]
        assert [h for h, _ in received] == [SECRET, SECRET]
        assert [u["message"]["text"] for u in fake.pending_updates] == ["hai"]  # kept
        await bot.delete_webhook()
        assert not fake.webhook_secret
        with pytest.raises(ValueError, match="no webhook"):
            await deliver_webhook_updates(fake, local)
    finally:
        await runner.cleanup()


async def test_a_deleted_topic_refuses_messages_and_the_chat_still_takes_them(fake, bot):
    fake.add_chat(-1001, "supergroup", is_forum=True)
    topic = fake.add_topic(-1001, "Văn bản")
    await bot.send_message(-1001, "trong chủ đề", message_thread_id=topic)
    fake.remove_topic(-1001, topic)
    with pytest.raises(BadRequest, match=r"[Mm]essage thread not found"):
        await bot.send_message(-1001, "chủ đề đã xoá", message_thread_id=topic)
    fake.rejected.clear()
    await bot.send_message(-1001, "vào nhóm")
    assert [m.message_thread_id for m in fake.sent(-1001)] == [topic, None]
    with pytest.raises(ValueError, match="no topic"):
        fake.remove_topic(-1001, topic)
