"""Helpers for the end-to-end tests of the bot (constants, settings, message inspection).

The fixtures live in ``tests/e2e/conftest.py``; these are plain functions and values so test
modules can import them by name.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.directives.pacing import Pacing
from bot.platform.config import Settings
from corpus import default_corpus_dir
from support.fake_bot_api import FakeBotAPI
from support.paths import TEST_DATA

USER = 42
GROUP = -1001234567890
BOT = "HaiQuanTestBot"
ADMIN = 7001
# Broadcast pacing for tests: no per-chat spacing, quick retries, short drains. The
# production defaults (Telegram's limits) are exercised by benchmarks/broadcast_load.py.
FAST_PACING = Pacing(per_second=500.0, group_interval=0.0, private_interval=0.0,
                     backoff_base=0.05, backoff_max=0.2, drain_timeout=2.0, idle_check=0.5)


def make_settings(fake: FakeBotAPI, data_dir: Path | None = None, **changes: object) -> Settings:
    """Production settings pointed at `fake`, with one-second long polls."""
    settings = Settings(token=fake.token, corpus_dir=default_corpus_dir(), data_dir=data_dir,
                        api_base_url=fake.base_url, poll_timeout=1)
    return Settings(**{**{f: getattr(settings, f) for f in Settings.__slots__}, **changes})


def broadcast_settings(fake: FakeBotAPI, corpus_dir: Path, data_dir: Path | None,
                       **changes: object) -> Settings:
    """Settings over a test corpus, with `ADMIN` as the bot's admin and fast pacing.

    The admin's private chat is registered with the fake (its command menu is set).
    """
    fake.add_chat(ADMIN)
    changes = {"admin_ids": frozenset({ADMIN}), "pacing": FAST_PACING, **changes}
    return make_settings(fake, data_dir, corpus_dir=corpus_dir, **changes)


def buttons(markup: dict | None) -> list[dict]:
    """The inline buttons of a sent or edited message, row after row."""
    return [button for row in (markup or {}).get("inline_keyboard", []) for button in row]


def callback_data(markup: dict | None) -> list[str]:
    """The callback data of a message's buttons, in order."""
    return [b["callback_data"] for b in buttons(markup) if "callback_data" in b]


def sample_queries() -> dict[str, dict]:
    """tests/data/sample_queries.jsonl by id."""
    path = TEST_DATA / "sample_queries.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {row["id"]: row for row in rows}


def entity_texts(text: str, entities: list[dict], kind: str) -> list[str]:
    """The pieces of `text` covered by entities of one type (offsets are UTF-16)."""
    units = text.encode("utf-16-le")
    return [units[2 * e["offset"]: 2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in entities if e["type"] == kind]
