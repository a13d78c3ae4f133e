"""``haiquan-bot run`` as a real process, stopped mid-broadcast: SIGTERM parks, SIGKILL loses
only what it must, and the next start sends exactly what is left.

Each test seeds many subscribed groups, records a baseline of the corpus with one
in-process start, adds a directive and starts the real process on it, which announces the
directive at start to every group at the production pace (25 a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from support.bot_harness import USER, broadcast_settings
from support.directive_corpus import NEW_CONG_VAN, NEW_THONG_TU, make_corpus
from support.paths import ROOT

from bot.directives.filters import Filters
from bot.directives.pacing import Pacing
from bot.platform import texts
from bot.store import Ledger, SubscriptionStore, open_database
from retrieval import build_searcher

pytestmark = pytest.mark.e2e

CARD = f"🔔 {texts.NEW_DIRECTIVE}: "
# compose.yaml and the systemd unit give the bot 30 s between SIGTERM and SIGKILL.
GRACE = 30.0


def cards(fake, chat_id: int, title: str = "") -> list:
    return [m for m in fake.sent(chat_id) if m.text.startswith(CARD + title)]


def seed(fake, data_dir: Path, groups: list[int]) -> None:
    database = open_database(data_dir)
    store = SubscriptionStore(database)
    for chat_id in groups:
        fake.add_chat(chat_id, "supergroup")
        store.subscribe(chat_id, "supergroup", f"Nhóm {chat_id}", None, Filters())
    database.close()


def ledger_rows(data_dir: Path) -> list[tuple[int, int, str, int, int | None]]:
    database = open_database(data_dir)
    try:
        return Ledger(database).rows()
    finally:
        database.close()


class BotProcess:
    """One ``haiquan-bot run`` against the fake, its log collected line by line."""

    def __init__(self, fake, corpus: Path, data_dir: Path) -> None:
        keep = {k: v for k, v in os.environ.items()
                if k in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
        self.env = {**keep, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                    "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                    "HAIQUAN_DATA_DIR": str(data_dir), "HAIQUAN_CORPUS_DIR": str(corpus)}
        self.fake = fake
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read())
        await self.fake.wait_for(lambda: self.said(" ready ") or self.process.returncode,
                                 timeout=60, what="the ready line")
        assert self.said(" ready "), self.log

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode())

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send `signum`; the exit status, within the stop grace period."""
        assert self.process is not None
        self.process.send_signal(signum)
        return await self.wait()

    async def wait(self) -> int:
        assert self.process is not None and self._reader is not None
        returncode = await asyncio.wait_for(self.process.wait(), GRACE)
        await self._reader
        return returncode

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


async def baseline(fake, bot_running, corpus: Path, data_dir: Path) -> None:
    """The first start: every article of the corpus recorded, nothing announced."""
    index, _, _ = build_searcher(corpus, None, progress=False)
    async with bot_running(fake, settings=broadcast_settings(fake, corpus, data_dir),
                           index=index):
        pass


async def test_sigterm_mid_broadcast_parks_the_rest_and_the_next_start_sends_exactly_it(
        fake, bot_running, tmp_path):
    groups = [-100700000 - i for i in range(300)]  # 12 s of cards at 25 a second
    corpus, data = make_corpus(tmp_path / "corpus"), tmp_path / "data"
    seed(fake, data, groups)
    await baseline(fake, bot_running, corpus, data)
    NEW_CONG_VAN.write(corpus)

    def delivered() -> int:
        return sum(len(cards(fake, g)) for g in groups)

    bot = BotProcess(fake, corpus, data)
    try:
        await bot.start()
        await fake.wait_for(lambda: delivered() >= 20, 30, "the first cards")
        # A question under way when SIGTERM comes: Telegram is slow to take its answer,
        # so the application's stop waits for that handler for a while.
        release = fake.stall("sendMessage", chat_id=USER)
        fake.user_says(USER, "thủ tục hải quan")
        await fake.wait_for(lambda: any(r.method == "sendMessage"
                                        and r.params.get("chat_id") == USER
                                        for r in fake.requests), 10, "the stalled answer")
        at_sigterm = delivered()
        bot.process.send_signal(signal.SIGTERM)
        await fake.wait_for(lambda: bot.said(" stopping"), 10, "the stopping line")
        await asyncio.sleep(2.0)  # the slow answer; without parking, 50 more cards
        release.set()
        returncode = await bot.wait()
    finally:
        await bot.close()
    at_exit = delivered()
    rows = ledger_rows(data)
    statuses = [status for _, _, status, _, _ in rows]
    assert returncode == 0, bot.log
    assert "Traceback" not in bot.log
    # Only the sends under way finished (at most max_in_flight); each one was recorded.
    assert at_exit - at_sigterm <= Pacing().max_in_flight, (at_sigterm, at_exit)
    assert statuses.count("sent") == at_exit and statuses.count("sending") == 0
    assert statuses.count("pending") == len(groups) - at_exit > 200
    assert len(fake.sent(USER)) == 1  # the question under way was answered

    again = BotProcess(fake, corpus, data)
    try:
        await again.start()
        await fake.wait_for(lambda: delivered() == len(groups), GRACE, "the other cards")
        returncode = await again.stop()
    finally:
        await again.close()
    assert returncode == 0, again.log
    assert [len(cards(fake, g)) for g in groups] == [1] * len(groups)
    rows = ledger_rows(data)
    # Every row was claimed once per request the fake saw for its group: nothing claimed
    # was left unsent or sent twice. A second request is a 429 retry -- the fake's
    # 30-a-second window counts arrivals, and when its own event loop stalls under load
    # it takes a burst at once -- and is answered without a message (one card per group).
    attempts_seen = Counter(int(r.params["chat_id"]) for r in fake.requests
                            if r.method == "sendMessage" and int(r.params["chat_id"]) < 0)
    assert [(status, attempts) for _, _, status, attempts, _ in rows] == [
        ("sent", attempts_seen[chat]) for _, chat, _, _, _ in rows]
    assert sum(attempts_seen.values()) - len(groups) == sum(
        1 for r in fake.rejected if r.method == "sendMessage" and r.status == 429)
    # Each row holds the id of the one message its group got.
    assert sorted((chat, message) for _, chat, _, _, message in rows) == sorted(
        (g, cards(fake, g)[0].message_id) for g in groups)


async def test_sigkill_inside_a_send_marks_that_card_uncertain_and_the_rest_go_once(
        fake, bot_running, tmp_path):
    groups = [-100710000 - i for i in range(40)]
    hung = groups[5]
    corpus, data = make_corpus(tmp_path / "corpus"), tmp_path / "data"
    seed(fake, data, groups)
    await baseline(fake, bot_running, corpus, data)
    NEW_CONG_VAN.write(corpus)
    release = fake.stall("sendMessage", chat_id=hung)  # Telegram hangs for one group

    bot = BotProcess(fake, corpus, data)
    try:
        await bot.start()
        await fake.wait_for(lambda: any(r.method == "sendMessage"
                                        and r.params.get("chat_id") == hung
                                        for r in fake.requests), 30, "the hung send")
        returncode = await bot.stop(signal.SIGKILL)  # a crash inside one HTTP round trip
    finally:
        await bot.close()
    assert returncode == -signal.SIGKILL
    fake.stalls.clear()
    release.set()
    # While the bot was down, another directive arrived: the hung group must still get it.
    NEW_THONG_TU.write(corpus)

    def owed() -> bool:
        return all(len(cards(fake, g)) == (1 if g == hung else 2) for g in groups)

    again = BotProcess(fake, corpus, data)
    try:
        await again.start()
        await fake.wait_for(owed, GRACE, "every card owed")
        returncode = await again.stop()
    finally:
        await again.close()
    assert returncode == 0, again.log
    assert again.said(f"to chat {hung} was under way when an earlier run stopped; marked "
                      "uncertain, not sent again"), again.log
    # The card Telegram may have shown is not sent again; nothing is repeated anywhere.
    assert cards(fake, hung, "Công văn") == []
    assert [len(cards(fake, g)) for g in groups if g != hung] == [2] * (len(groups) - 1)
    by_chat = {(chat, status) for _, chat, status, _, _ in ledger_rows(data)}
    assert (hung, "uncertain") in by_chat
    assert {status for _, status in by_chat} == {"sent", "uncertain"}
