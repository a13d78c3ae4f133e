"""Webhook mode: the bot registers its URL and secret, and refuses posts without the secret."""

from __future__ import annotations

import socket

import pytest
from support.bot_harness import USER, make_settings
from support.fake_bot_webhook import deliver_webhook_updates

from bot.platform.config import WebhookSettings

pytestmark = pytest.mark.e2e

SECRET = "s3cret_for-tests"  # noqa: S105 - not a secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_updates_arrive_by_webhook_with_the_secret_only(fake, bot_running):
    port = free_port()
    webhook = WebhookSettings("https://bot.example.vn/telegram/hook", "127.0.0.1", port,
                              secret=SECRET)
    local = f"http://127.0.0.1:{port}/telegram/hook"
    fake.user_says(USER, "hoàn thuế")  # sent while the bot was down: kept, then delivered
    async with bot_running(fake, settings=make_settings(fake, webhook=webhook)):
        assert fake.webhook_url == webhook.url
        assert fake.webhook_secret == SECRET
        impostor = "not-the-secret"
        assert await deliver_webhook_updates(fake, local, impostor) == [403]
        assert await deliver_webhook_updates(fake, local) == [200]
        [reply] = await fake.wait_for_messages(USER)
        fake.user_says(USER, "/help")
        assert await deliver_webhook_updates(fake, local) == [200]
        await fake.wait_for_messages(USER, 2)
    assert reply.text.startswith("🔎")
    assert "getUpdates" not in [r.method for r in fake.requests]
