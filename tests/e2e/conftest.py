"""End-to-end harness: the production Application against the strict fake Bot API.

`searcher` is built once per session from the bundled sample corpus (in memory). Each
test starts its own fake and, through `bot_running`, the real application built by
`bot.platform.app.build_application` and started by `bot.platform.app.running` -- exactly what
``haiquan-bot run`` does, with ``base_url`` pointed at the fake and short long polls.

The harness fails a test that leaves traces of trouble: a handler error logged by the
bot (unless the test expects it), a request the fake had to reject, or anything the fake
noted as a problem (unknown parameters, unanswered queries, dropped entities).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from support.bot_harness import BOT, make_settings
from support.fake_bot_api import FakeBotAPI
from telegram.ext import Application

from bot.platform.app import build_application, running
from bot.platform.config import Settings
from bot.platform.state import Services
from corpus import default_corpus_dir
from retrieval import Searcher, build_searcher


@pytest.fixture(scope="session")
def searcher() -> Searcher:
    built, _, _ = build_searcher(default_corpus_dir(), None, progress=False)
    return built


@dataclass
class Trouble:
    """Log records at ERROR or above from the bot and the library."""

    records: list[logging.LogRecord] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records]


class _Collector(logging.Handler):
    def __init__(self, trouble: Trouble) -> None:
        super().__init__(logging.ERROR)
        self.trouble = trouble

    def emit(self, record: logging.LogRecord) -> None:
        self.trouble.records.append(record)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(bot_username=BOT) as api:
        yield api
    assert api.problems == [], api.dump()


@pytest_asyncio.fixture
async def fake_sees_all() -> AsyncIterator[FakeBotAPI]:
    """Privacy mode off: the bot receives every group message and must choose silence."""
    async with FakeBotAPI(bot_username=BOT, privacy_mode=False) as api:
        yield api
    assert api.problems == [], api.dump()


@pytest.fixture
def bot_running(searcher: Searcher) -> Callable[..., object]:
    """``async with bot_running(fake, ...) as app``: the production bot, polling the fake."""

    @asynccontextmanager
    async def start(fake: FakeBotAPI, *, data_dir: Path | None = None,
                    expect_errors: bool = False, expect_rejections: bool = False,
                    settings: Settings | None = None,
                    index: Searcher | None = None) -> AsyncIterator[Application]:
        """`index`: a searcher of the test's own corpus (default: the sample corpus)."""
        settings = settings or make_settings(fake, data_dir)
        services = Services.create(settings, index or searcher)
        trouble = Trouble()
        collector = _Collector(trouble)
        root = logging.getLogger()
        root.addHandler(collector)
        try:
            app = build_application(settings, services)
            async with running(app, settings):
                yield app
        finally:
            root.removeHandler(collector)
            services.close()
        if not expect_errors:
            assert trouble.messages() == [], fake.dump()
        if not expect_rejections:
            assert fake.rejected == [], fake.dump()

    return start

