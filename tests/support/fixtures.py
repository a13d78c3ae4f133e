"""Async helpers that run python-telegram-bot against the fake Bot API.

``fake_api`` is a pytest-asyncio fixture (import it into a conftest to enable it).
``running_bot`` and ``polling_application`` are async context managers that always shut PTB
down, even when the test body fails: a poller or connection left behind would otherwise
surface later as an unraisable-exception warning, which ``filterwarnings = error`` turns into
a confusing failure of some other test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseHandler, ContextTypes

from support.fake_bot_api import FakeBotAPI


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake with default token and username, closed after the test."""
    async with FakeBotAPI() as fake:
        yield fake


@asynccontextmanager
async def running_bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    """A plain, initialized ``telegram.Bot`` talking to ``fake``."""
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


@asynccontextmanager
async def polling_application(
    fake: FakeBotAPI,
    *handlers: BaseHandler[Any, Any, Any],
    configure: Callable[[ApplicationBuilder], Any] | None = None,
    poll_timeout: int = 1,
    record_handler_errors: bool = True,
) -> AsyncIterator[Application]:
    """Build, start and long-poll an Application against ``fake``; stop it on exit.

    Args:
        fake: the running fake.
        handlers: handlers to add before starting.
        configure: called with the builder (after token and base_url) for extra settings.
        poll_timeout: getUpdates timeout in seconds; short so shutdown stays fast.
        record_handler_errors: add an error handler that puts handler exceptions into
            ``fake.problems``, so a crashing handler fails the test instead of only logging.
    """
    builder = ApplicationBuilder().token(fake.token).base_url(fake.base_url)
    if configure is not None:
        configure(builder)
    app = builder.build()
    for handler in handlers:
        app.add_handler(handler)
    if record_handler_errors:

        async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            fake.problems.append(f"handler error: {context.error!r}")

        app.add_error_handler(on_error)
    await app.initialize()
    try:
        await app.start()
        try:
            await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
    finally:
        await app.shutdown()
