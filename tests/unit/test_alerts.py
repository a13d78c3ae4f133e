"""`bot.platform.alerts.AdminAlerts`: once per (kind, key) within the window, a capped hour, no
secret in any text, nothing raised into the caller.

Real objects: a `telegram.Bot` sending to the strict fake Bot API, and a clock the test
moves by hand.
"""

from __future__ import annotations

import pytest_asyncio
from support.clock import ManualClock
from support.fake_bot_api import FakeBotAPI
from telegram import Bot

from bot.platform import texts
from bot.platform.alerts import AdminAlerts
from bot.platform.logs import REDACTED

ADMIN, OTHER_ADMIN = 7001, 7002
TOKEN_LIKE = "987654:AAHx-secretsecretsecretsecretsecret"  # noqa: S105 - not a secret



@pytest_asyncio.fixture
async def fake():
    async with FakeBotAPI() as api:
        api.add_chat(ADMIN)
        api.add_chat(OTHER_ADMIN)
        yield api


@pytest_asyncio.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


def make(bot, fake, clock, **changes) -> AdminAlerts:
    alerts = AdminAlerts({ADMIN, OTHER_ADMIN}, secrets=(fake.token, "webhook-secret-value"),
                         clock=clock, **changes)
    alerts.bind(bot)
    return alerts


async def test_an_alert_reaches_every_admin_once_within_the_window(bot, fake):
    clock = ManualClock()
    alerts = make(bot, fake, clock, window=600)
    assert await alerts.alert("reload failed", "no .md", "Nạp lại thất bại")
    for _ in range(3):
        clock.now += 100
        assert not await alerts.alert("reload failed", "no .md", "Nạp lại thất bại")
    assert [m.text for m in fake.sent(ADMIN)] == [texts.admin_note("Nạp lại thất bại")]
    assert len(fake.sent(OTHER_ADMIN)) == 1
    assert await alerts.alert("reload failed", "other reason", "khác")  # another key
    clock.now += 600  # the window is over: a reminder
    assert await alerts.alert("reload failed", "no .md", "Nạp lại thất bại")
    assert len(fake.sent(ADMIN)) == 3


async def test_resolve_lets_the_next_outage_through(bot, fake):
    clock = ManualClock()
    alerts = make(bot, fake, clock)
    assert await alerts.alert("feed failing", "https://a.vn/rss", "lỗi")
    alerts.resolve("feed failing", "https://a.vn/rss")
    assert await alerts.alert("feed failing", "https://a.vn/rss", "lỗi")
    assert await alerts.alert("reload failed", "x", "lỗi")
    alerts.resolve("reload failed")  # every key of the kind
    assert await alerts.alert("reload failed", "x", "lỗi")
    assert len(fake.sent(ADMIN)) == 4


async def test_the_hour_is_capped_and_the_held_back_are_counted(bot, fake):
    clock = ManualClock()
    alerts = make(bot, fake, clock, per_hour=3)
    sent = [await alerts.alert("chat stopped", chat, f"chat {chat}") for chat in range(8)]
    assert sent == [True] * 3 + [False] * 5
    assert len(fake.sent(ADMIN)) == 3
    clock.now += 3600  # a new hour: the next alert says how many were held back
    assert await alerts.alert("chat stopped", 3, "chat 3")  # held back, so not a duplicate
    last = fake.sent(ADMIN)[-1].text
    assert last == texts.admin_note("chat 3") + "\n" + texts.alerts_held_back(4)
    assert await alerts.alert("chat stopped", 4, "chat 4")
    assert fake.sent(ADMIN)[-1].text == texts.admin_note("chat 4")  # counted once


async def test_no_secret_survives(bot, fake):
    alerts = make(bot, fake, ManualClock())
    text = (f"lỗi tại https://api.telegram.org/bot{fake.token}/sendMessage, "
            f"secret webhook-secret-value, khác {TOKEN_LIKE}")
    assert REDACTED in alerts.scrub(text)
    await alerts.alert("reload failed", "x", text)
    [message] = fake.sent(ADMIN)
    for secret in (fake.token, "webhook-secret-value", TOKEN_LIKE, "secretsecret"):
        assert secret not in message.text
    assert message.text.count(REDACTED) == 3


async def test_a_blocked_admin_is_skipped_and_nothing_raises(bot, fake, caplog):
    fake.block(ADMIN)
    alerts = make(bot, fake, ManualClock())
    assert await alerts.alert("unhandled error", "KeyError", "lỗi")
    assert fake.sent(ADMIN) == [] and len(fake.sent(OTHER_ADMIN)) == 1
    assert any("could not notify admin 7001" in r.getMessage() for r in caplog.records)


async def test_without_admins_or_bot_nothing_is_sent_and_nothing_raises(bot, fake):
    assert not await AdminAlerts({ADMIN}).alert("x", "y", "z")  # no bot bound
    alone = AdminAlerts(())
    alone.bind(bot)
    assert not await alone.alert("x", "y", "z")
    assert fake.sent() == []


async def test_the_alert_texts_render():
    assert "KeyError" in texts.unhandled_error("KeyError", "questions.py:12 (answer)",
                                               texts.UPDATE_KINDS["message"], 42)
    assert "-1001" in texts.chat_stopped(-1001, False, "Forbidden: bot was kicked")
    assert "4" in texts.alerts_held_back(4)
