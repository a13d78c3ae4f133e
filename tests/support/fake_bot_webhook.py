"""Webhook delivery for the fake Bot API: Telegram's side of ``setWebhook``.

Telegram posts each pending update as JSON to the webhook URL, with the secret given to
``setWebhook`` in the ``X-Telegram-Bot-Api-Secret-Token`` header, and keeps an update
pending until the bot answers 2xx. The registered URL must be public HTTPS; in tests the
bot listens on 127.0.0.1, so the test names the local address to post to (the role a
reverse proxy plays in production).
"""

from __future__ import annotations

import aiohttp

from support.fake_bot_api import FakeBotAPI

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


async def deliver_webhook_updates(fake: FakeBotAPI, local_url: str,
                                  secret: str | None = None) -> list[int]:
    """POST every pending update to ``local_url``; returns the HTTP statuses in order.

    ``secret`` overrides the header value (to play an impostor); by default it is the
    secret the bot registered. Delivered updates (2xx) leave the queue, others stay.
    """
    if not fake.webhook_url:
        raise ValueError("no webhook is set")
    header = fake.webhook_secret if secret is None else secret
    headers = {SECRET_HEADER: header} if header else {}
    statuses: list[int] = []
    async with aiohttp.ClientSession() as session:
        for update in list(fake.pending_updates):
            async with session.post(local_url, json=update, headers=headers) as response:
                statuses.append(response.status)
                if 200 <= response.status < 300:
                    fake.pending_updates.remove(update)
                    fake.delivered_update_ids.add(update["update_id"])
    fake._notify_updates()  # wake waiters on the queue
    return statuses
