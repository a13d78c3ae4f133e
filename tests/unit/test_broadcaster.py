"""The sender's answer to each Telegram outcome, with a scripted `send` (no HTTP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.directives.broadcast import Broadcaster, is_definitive_refusal
from bot.directives.filters import ArticleTerms, Filters
from bot.directives.pacing import Pacing
from bot.store import (
    Delivery,
    KnownArticles,
    Ledger,
    NewDirective,
    Reason,
    SubscriptionStore,
    open_database,
)

PACING = Pacing(per_second=1000.0, group_interval=0.0, private_interval=0.0,
                backoff_base=0.01, backoff_max=0.05, max_errors=3, drain_timeout=0.2,
                idle_check=0.05)
TERMS = ArticleTerms(frozenset(), frozenset())


class World:
    """A database with subscriptions, one new directive queued, and a sender."""

    def __init__(self, chats: dict[int, int | None], pacing: Pacing = PACING) -> None:
        self.db = open_database(None)
        self.subscriptions = SubscriptionStore(self.db)
        self.ledger = Ledger(self.db)
        known = KnownArticles(self.db)
        known.record("/c", [("old.md", "h0")], {})
        for chat, thread in chats.items():
            self.subscriptions.subscribe(chat, "private" if chat > 0 else "supergroup", "",
                                         thread, Filters())
        known.record("/c", [("old.md", "h0"), ("new.md", "h1")],
                     {"new.md": NewDirective("new.md", "cong_van", None, "card", None, TERMS)})
        self.broadcaster = Broadcaster(self.ledger, self.subscriptions, pacing)
        self.calls: list[tuple[int, int | None]] = []

    async def run(self, outcome: Callable[[Delivery, int], object], *,
                  until: Callable[[], bool] | None = None) -> None:
        """Send with `outcome(delivery, nth call for that chat)`: a message id or an error."""

        async def send(delivery: Delivery) -> int:
            self.calls.append((delivery.chat_id, delivery.thread_id))
            nth = sum(1 for chat, _ in self.calls if chat == delivery.chat_id)
            result = outcome(delivery, nth)
            if isinstance(result, BaseException):
                raise result
            if asyncio.iscoroutine(result):
                return await result
            return int(result)

        await self.broadcaster.start(send)
        try:
            done = until or (lambda: self.ledger.counts().open == 0)
            for _ in range(300):
                if done():
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError(f"not done: {self.ledger.rows()}")
        finally:
            await self.broadcaster.stop()

    def status(self, chat: int) -> str:
        [(_, _, status, _, _)] = self.ledger.rows(chat)
        return status


@pytest.mark.parametrize(("description", "definitive"), [
    ("Forbidden: bot was blocked by the user", True),
    ("Forbidden: bot was kicked from the supergroup chat", True),
    ("Forbidden: user is deactivated", True),
    ("Forbidden: bot is not a member of the channel chat", True),
    ("Forbidden: bot can't send messages to bots", False),
])
def test_definitive_refusals_are_recognised(description, definitive):
    assert is_definitive_refusal(description) is definitive


async def test_every_chat_gets_the_card_once():
    world = World({-1: None, -2: None, 3: None})
    await world.run(lambda d, n: 100 + n)
    assert sorted(world.calls) == [(-2, None), (-1, None), (3, None)]
    assert {world.status(c) for c in (-1, -2, 3)} == {"sent"}


async def test_a_flood_limited_chat_is_retried_after_retry_after_alone():
    world = World({-1: None, -2: None})
    started = asyncio.get_running_loop().time()
    finished: dict[int, float] = {}

    def outcome(delivery: Delivery, nth: int) -> object:
        if delivery.chat_id == -1 and nth == 1:
            return RetryAfter(dt.timedelta(seconds=0.3))
        finished[delivery.chat_id] = asyncio.get_running_loop().time() - started
        return 1

    await world.run(outcome)
    assert finished[-2] < 0.2 <= 0.3 <= finished[-1]
    [(_, _, status, attempts, _)] = world.ledger.rows(-1)
    assert (status, attempts) == ("sent", 2)


async def test_a_migrated_group_is_followed_to_its_new_id():
    world = World({-4001: None})

    def outcome(delivery: Delivery, nth: int) -> object:
        return ChatMigrated(-1004001) if delivery.chat_id == -4001 else 7

    await world.run(outcome)
    assert world.calls == [(-4001, None), (-1004001, None)]
    assert world.status(-1004001) == "sent"
    assert world.subscriptions.get(-1004001).active


async def test_a_blocked_chat_is_dropped_at_once_and_another_403_is_a_strike():
    world = World({1: None, -2: None})

    def outcome(delivery: Delivery, nth: int) -> object:
        if delivery.chat_id == 1:
            return Forbidden("Forbidden: bot was blocked by the user")
        return Forbidden("Forbidden: not allowed to post here")

    await world.run(outcome)
    assert world.status(1) == world.status(-2) == "failed"
    assert world.subscriptions.get(1).reason == Reason.FORBIDDEN
    strikes = world.subscriptions.get(-2)
    assert strikes.active and strikes.strikes == 1
    assert len(world.calls) == 2  # a 403 is never retried


async def test_a_deleted_topic_sends_to_the_chat_itself():
    world = World({-100: 55})

    def outcome(delivery: Delivery, nth: int) -> object:
        if delivery.thread_id is not None:
            return BadRequest("Bad Request: message thread not found")
        return 9

    await world.run(outcome)
    assert world.calls == [(-100, 55), (-100, None)]
    assert world.subscriptions.get(-100).thread_id is None


async def test_a_rejected_message_fails_without_retries(caplog):
    world = World({-1: None})
    with caplog.at_level(logging.WARNING, logger="bot.directives.broadcast"):
        await world.run(lambda d, n: BadRequest("Bad Request: can't parse entities"))
    assert world.status(-1) == "failed" and len(world.calls) == 1
    assert "can't parse entities" in caplog.text.lower()


async def test_network_errors_back_off_and_give_up_after_max_errors():
    world = World({-1: None, -2: None})

    def outcome(delivery: Delivery, nth: int) -> object:
        if delivery.chat_id == -1:
            return NetworkError("Bad Gateway")
        return NetworkError("timed out") if nth < 3 else 4

    await world.run(outcome)
    assert world.status(-1) == "failed" and world.status(-2) == "sent"
    assert [c for c, _ in world.calls].count(-1) == PACING.max_errors
    assert world.subscriptions.get(-1).active  # the network is not the chat's fault


async def test_an_unexpected_error_is_logged_and_retried(caplog):
    world = World({-1: None})
    with caplog.at_level(logging.ERROR, logger="bot.directives.broadcast"):
        await world.run(lambda d, n: ValueError("bug") if n == 1 else 3)
    assert world.status(-1) == "sent"
    assert "unexpected error sending delivery" in caplog.text


async def test_stop_waits_for_sends_then_cuts_off_the_hung_ones():
    world = World({-1: None, -2: None})
    hung = asyncio.Event()

    async def hang() -> int:
        hung.set()
        await asyncio.sleep(60)
        return 1

    def outcome(delivery: Delivery, nth: int) -> object:
        return hang() if delivery.chat_id == -1 else 2

    await world.run(outcome, until=lambda: hung.is_set() and world.status(-2) == "sent")
    assert world.status(-1) == "sending"  # left for the next start to resolve
    [stale] = world.ledger.recover()
    assert stale.chat_id == -1 and world.status(-1) == "uncertain"


async def test_groups_are_spaced_and_people_less_so():
    pacing = Pacing(per_second=1000.0, group_interval=0.25, private_interval=0.05,
                    idle_check=0.05)
    world = World({-1: None, 2: None}, pacing)
    KnownArticles(world.db).record(  # a second directive for the same chats
        "/c", [("old.md", "h0"), ("new.md", "h1"), ("next.md", "h2")],
        {"next.md": NewDirective("next.md", "cong_van", None, "card 2", None, TERMS)})
    times: dict[int, list[float]] = {-1: [], 2: []}

    def outcome(delivery: Delivery, nth: int) -> object:
        times[delivery.chat_id].append(asyncio.get_running_loop().time())
        return 1

    await world.run(outcome)
    assert times[-1][1] - times[-1][0] >= 0.24
    assert 0.04 <= times[2][1] - times[2][0] < 0.2


async def test_stop_does_not_hang_when_every_slot_is_held_by_a_hung_send():
    world = World({-1: None, -2: None, -3: None},
                  Pacing(per_second=1000.0, group_interval=0.0, max_in_flight=1,
                         drain_timeout=0.2, idle_check=0.05))
    hung = asyncio.Event()

    async def hang() -> int:
        hung.set()
        await asyncio.sleep(60)
        return 1

    started = asyncio.get_running_loop().time()
    await world.run(lambda d, n: hang(), until=hung.is_set)
    assert asyncio.get_running_loop().time() - started < 2
    assert world.ledger.counts().sending == 1 and world.ledger.counts().pending == 2


async def test_the_sender_survives_a_failing_ledger_read(caplog, monkeypatch):
    world = World({-1: None})
    real = world.ledger.adue
    failures = iter([True])

    async def flaky(limit: int):
        if next(failures, False):
            raise RuntimeError("database is locked")
        return await real(limit)

    monkeypatch.setattr(world.ledger, "adue", flaky)
    with caplog.at_level(logging.ERROR, logger="bot.directives.broadcast"):
        await world.run(lambda d, n: 1)
    assert world.status(-1) == "sent"
    assert "retrying shortly" in caplog.text
