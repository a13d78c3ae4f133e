"""Exactly-once with two real bot processes sharing one PostgreSQL, one killed mid-broadcast.

Two OS processes (tests/support/pg_sender.py) run the real `Broadcaster` over the same
ledger; their "Telegram" is the ``sends`` table. Process A is SIGKILLed while sends are
going out. Afterwards: no delivery was sent twice; every delivery is ``sent`` (with the
message id of its one send) or ``uncertain``; the uncertain ones are A's sends in flight
at the kill, at most A's three slots; a chat's cards went out in order and never two at
once; and B took over A's share only after A's lease ran out.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bot.directives.filters import Filters
from bot.store.pg_ledger import PgLedger
from bot.store.pg_subscriptions import PgSubscriptionStore
from bot.store.postgres import PgDatabase

SENDER = Path(__file__).resolve().parents[1] / "support" / "pg_sender.py"
CHATS = 80
ITEMS = 4
LEASE = 1.5
IN_FLIGHT = 3  # pg_sender.PACING.max_in_flight


def _prepare(url: str) -> None:
    database = PgDatabase(url)
    database.write(lambda c: c.execute(
        "CREATE TABLE sends (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "delivery_id BIGINT NOT NULL, chat_id BIGINT NOT NULL, process TEXT NOT NULL, "
        "started TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), ended TIMESTAMPTZ)"))
    subscriptions = PgSubscriptionStore(database)
    ledger = PgLedger(database, heartbeat=False)
    for chat in range(1, CHATS + 1):
        subscriptions.subscribe(-chat, "supergroup", f"G{chat}", None, Filters())
    for n in range(ITEMS):
        item = ledger.create_announcement(f"<b>tin {n}</b>", created_by=1)
        assert ledger.queue_announcement(item) == CHATS
    ledger.close()
    database.close()


def _start(url: str, name: str, send_seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our interpreter and our script
        [sys.executable, str(SENDER), url, name, str(LEASE), str(send_seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def test_a_process_killed_mid_broadcast_loses_and_repeats_nothing(pg_url):
    _prepare(pg_url)
    # A's sends take longer (40-80 ms), so the kill lands inside one: the case that must
    # end uncertain. B's take 15-30 ms.
    a, b = _start(pg_url, "A", 0.08), _start(pg_url, "B", 0.03)
    try:
        token_a = a.stdout.readline().split()[-1]
        b.stdout.readline()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # mid-broadcast: both sending, most still owed
            (sent_a, flying_a, total), = _query(
                pg_url, "SELECT COUNT(*) FILTER (WHERE process = 'A'), COUNT(*) FILTER "
                        "(WHERE process = 'A' AND ended IS NULL), COUNT(*) FROM sends")
            if sent_a >= 15 and flying_a and total >= 40:
                break
            time.sleep(0.005)
        a.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        a.wait(10)
        assert total < CHATS * ITEMS / 2, "the broadcast was nearly over before the kill"
        _, errors = b.communicate(timeout=90)
        assert b.returncode == 0, errors[-3000:]
        took_over_after = time.monotonic() - killed_at
    finally:
        for process in (a, b):
            if process.poll() is None:
                process.kill()
                process.wait()
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()

    sends = _query(pg_url, "SELECT seq, delivery_id, chat_id, process, started, ended "
                           "FROM sends ORDER BY seq")
    rows = {r[0]: r[1:] for r in _query(
        pg_url, "SELECT id, chat_id, status, message_id, claimed_by FROM deliveries")}
    sent_ids = [s[1] for s in sends]
    # 1. Never sent twice.
    assert len(sent_ids) == len(set(sent_ids)), "a delivery was sent twice"
    # 2. Nothing lost: every row settled, sent rows carry the id of their one send.
    by_delivery = {s[1]: s for s in sends}
    statuses = {}
    for delivery_id, (_, state, message_id, claimed_by) in rows.items():
        statuses[state] = statuses.get(state, 0) + 1
        if state == "sent":
            assert by_delivery[delivery_id][0] == message_id
        else:
            assert state == "uncertain", (delivery_id, state)
            assert claimed_by == token_a, "an uncertain row that the killed process did not hold"
    # 3. Only what A had in flight at the kill became uncertain.
    assert 1 <= statuses.get("uncertain", 0) <= IN_FLIGHT, statuses
    assert statuses.get("sent", 0) >= CHATS * ITEMS - IN_FLIGHT
    assert {s[3] for s in sends} == {"A", "B"}, "the two processes did not share the work"
    # 4. A chat's cards in order, never two in flight at once.
    per_chat: dict[int, list[tuple]] = {}
    for send in sends:
        per_chat.setdefault(send[2], []).append(send)
    for chat, chat_sends in per_chat.items():
        ids = [s[1] for s in chat_sends]
        assert ids == sorted(ids), f"chat {chat} got its cards out of order"
        for earlier, later in itertools.pairwise(chat_sends):
            if earlier[5] is not None:
                assert later[4] >= earlier[5], f"chat {chat}: two sends at once"
    # 5. B took A's unfinished chats over only after A's lease ran out.
    assert took_over_after >= LEASE * 0.9
