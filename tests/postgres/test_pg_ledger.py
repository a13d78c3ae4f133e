"""The ledger and subscription contract on a real PostgreSQL, with two "processes".

Each `PgLedger` here has a database connection and a lease of its own, as two bot
processes would; what is tested is what they must agree on: one claimer per row, a chat's
rows in order with one in flight, a row stale only once its claimer's lease ran out, and
an uncertain row never sent again. The kill of a real process mid-broadcast is in
test_pg_two_processes.py.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
import pytest

from bot.directives.filters import Filters
from bot.platform.errors import DatabaseError
from bot.store import Reason
from bot.store.pg_ledger import PgLedger
from bot.store.pg_subscriptions import PgSubscriptionStore
from bot.store.postgres import PG_MIGRATIONS, PgDatabase, safe_url


class Node:
    """One bot process's view: its own connection, ledger (lease) and subscriptions."""

    def __init__(self, url: str, *, lease: float = 30.0, heartbeat: bool = True) -> None:
        self.db = PgDatabase(url)
        self.ledger = PgLedger(self.db, lease=lease, heartbeat=heartbeat)
        self.subs = PgSubscriptionStore(self.db)

    def close(self) -> None:
        self.ledger.close()
        self.db.close()


@pytest.fixture
def nodes(pg_url):
    made: list[Node] = []

    def make(**options) -> Node:
        node = Node(pg_url, **options)
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


def announce(node: Node, chats: list[int], text: str = "tin") -> int:
    """Subscribe `chats` (once) and queue one announcement to every active one."""
    for chat in chats:
        if node.subs.get(chat) is None:
            node.subs.subscribe(chat, "supergroup", f"G{chat}", None, Filters())
    item = node.ledger.create_announcement(f"<b>{text}</b>", created_by=1)
    assert node.ledger.queue_announcement(item) is not None
    return item


def status(node: Node, delivery_id: int) -> str:
    return node.db.read(lambda c: c.execute(
        "SELECT status FROM deliveries WHERE id = %s", (delivery_id,)).fetchone()[0])


# -- migrations ------------------------------------------------------------------------------
def test_processes_starting_at_once_migrate_once(pg_url):
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    opened: list[PgDatabase] = []

    def start() -> None:
        barrier.wait()
        try:
            opened.append(PgDatabase(pg_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    versions = opened[0].read(lambda c: c.execute(
        "SELECT version FROM schema_version ORDER BY version").fetchall())
    assert [v for (v,) in versions] == [m.version for m in PG_MIGRATIONS]
    for db in opened:
        db.close()


def test_a_newer_schema_is_refused(pg_url):
    db = PgDatabase(pg_url)
    db.write(lambda c: c.execute("INSERT INTO schema_version VALUES (99)"))
    db.close()
    with pytest.raises(DatabaseError, match="newer"):
        PgDatabase(pg_url)


def test_the_password_never_reaches_the_error_or_the_log(pg_server, caplog):
    assert safe_url("postgresql://bot:s3cr3t@db.example:5432/haiquan") == \
        "postgresql://bot:***@db.example:5432/haiquan"
    assert "s3cr3t" not in safe_url("postgresql://db/haiquan?password=s3cr3t&sslmode=require")
    caplog.set_level(logging.DEBUG)
    closed = f"postgresql://bot:s3cr3t@127.0.0.1:{pg_server.port + 1}/nothing"
    with pytest.raises(DatabaseError) as raised:
        PgDatabase(closed, connect_timeout=2)
    assert "s3cr3t" not in str(raised.value) and "bot:***@" in str(raised.value)
    assert "s3cr3t" not in caplog.text


# -- claiming --------------------------------------------------------------------------------
def test_a_row_is_claimed_by_one_process_only(nodes):
    a, b = nodes(), nodes()
    announce(a, [-1])
    (row,) = b.ledger.due(10)
    assert a.ledger.claim(row.id)
    assert not b.ledger.claim(row.id)
    assert a.db.read(lambda c: c.execute("SELECT claimed_by FROM deliveries").fetchone()[0]) \
        == a.ledger.token


def test_a_claimer_never_waits_behind_another_claim(pg_url, nodes):
    b = nodes()
    announce(b, [-1])
    (row,) = b.ledger.due(10)
    # Another process is in the middle of claiming the row: its transaction holds the lock.
    with psycopg.connect(pg_url) as other, other.transaction():
        other.execute("SELECT id FROM deliveries WHERE id = %s FOR UPDATE", (row.id,))
        started = time.monotonic()
        result: list[bool] = []
        claimer = threading.Thread(target=lambda: result.append(b.ledger.claim(row.id)))
        claimer.start()
        claimer.join(3.0)
        waited = time.monotonic() - started
        blocked = claimer.is_alive()
    claimer.join(10)
    assert not blocked and waited < 1.0, "claim waited for another claimer's lock"
    assert result == [False]


def test_racing_claimers_never_share_a_row(pg_url, nodes):
    chats = [-i for i in range(1, 201)]
    announce(nodes(), chats)
    won: dict[str, list[int]] = {}
    # Each pass, everyone reads the due list and only then all race through it: a
    # claimer that read its list late would find the rows taken and lose every race.
    barrier = threading.Barrier(4, timeout=60)

    def claimer(name: str) -> None:
        node = Node(pg_url)
        mine: list[int] = won.setdefault(name, [])
        for _ in range(3):
            due = node.ledger.due(500)
            barrier.wait()
            for delivery in due:
                if node.ledger.claim(delivery.id):
                    mine.append(delivery.id)
        node.close()

    threads = [threading.Thread(target=claimer, args=(f"p{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    claimed = [d for ids in won.values() for d in ids]
    assert len(claimed) == len(set(claimed)) == len(chats)
    assert sum(1 for ids in won.values() if ids) >= 2, "the race never happened"


def test_a_chats_rows_go_in_order_one_in_flight_across_processes(nodes):
    a, b = nodes(), nodes()
    announce(a, [-1, -2], "one")
    announce(a, [-1, -2], "two")
    first = next(d for d in a.ledger.due(10) if d.chat_id == -1)
    second = a.db.read(lambda c: c.execute(
        "SELECT MAX(id) FROM deliveries WHERE chat_id = -1").fetchone()[0])
    assert a.ledger.claim(first.id)
    assert [d.chat_id for d in b.ledger.due(10)] == [-2]  # -1 has a row in flight
    assert status(b, second) == "pending"
    assert not b.ledger.claim(second), "claimed a chat's second row while its first flies"
    a.ledger.mark_sent(first.id, 501)
    (nxt,) = [d for d in b.ledger.due(10) if d.chat_id == -1]
    assert nxt.id == second and b.ledger.claim(second)


def test_a_due_list_read_before_a_retry_cannot_claim_the_row_early(nodes):
    a, b = nodes(), nodes()
    announce(a, [-1])
    (row,) = b.ledger.due(10)  # B read the list; then A sends and gets a 429
    assert a.ledger.claim(row.id)
    a.ledger.retry(row.id, 60, "429: flood", counts=False)
    assert not b.ledger.claim(row.id), "ignored the retry_after another process recorded"
    assert status(a, row.id) == "pending"


# -- stale rows and leases ---------------------------------------------------------------------
def test_a_live_processes_row_is_never_stale(nodes):
    a = nodes(lease=1.0)  # heartbeat renews it every third of a second
    b = nodes()
    announce(a, [-1])
    (row,) = a.ledger.due(10)
    assert a.ledger.claim(row.id)
    assert b.ledger.recover() == []
    time.sleep(2.0)  # twice the lease: only the heartbeat keeps it
    assert b.ledger.resolve_stale(()) == []
    assert status(a, row.id) == "sending"


def test_a_row_becomes_uncertain_only_after_its_owners_lease_ran_out(nodes):
    frozen = nodes(lease=1.0, heartbeat=False)  # a process that hangs (or died) after claiming
    b = nodes()
    announce(b, [-1], "one")
    announce(b, [-1], "two")
    first = b.ledger.due(10)[0]
    assert frozen.ledger.claim(first.id)
    assert b.ledger.resolve_stale(()) == []  # the lease still runs
    assert b.ledger.due(10) == []  # and the chat's next row waits behind it
    time.sleep(1.3)
    (stale,) = b.ledger.resolve_stale(())
    assert stale.id == first.id and status(b, first.id) == "uncertain"
    # Never sent again: the chat's next row is due, the uncertain one is not claimable.
    (nxt,) = b.ledger.due(10)
    assert nxt.id != first.id and not b.ledger.claim(first.id)
    assert b.ledger.claim(nxt.id)
    # The frozen process wakes up and records what it did: the row stays settled once.
    frozen.ledger.retry(first.id, 0, "timeout", counts=True)
    assert status(b, first.id) == "uncertain"


def test_own_rows_no_send_holds_are_stale(nodes):
    a = nodes()
    announce(a, [-1])
    (row,) = a.ledger.due(10)
    assert a.ledger.claim(row.id)
    assert a.ledger.resolve_stale({row.id}) == []
    assert [s.id for s in a.ledger.resolve_stale(())] == [row.id]


def test_a_graceful_close_hands_the_leftovers_to_the_others_at_once(nodes):
    a, b = nodes(), nodes()
    announce(a, [-1])
    (row,) = a.ledger.due(10)
    assert a.ledger.claim(row.id)
    a.ledger.close()
    assert [s.id for s in b.ledger.resolve_stale(())] == [row.id]


# -- subscriptions -------------------------------------------------------------------------------
def test_stopping_a_subscription_cancels_its_open_rows(nodes):
    a = nodes()
    announce(a, [-1, -2])
    assert a.subs.deactivate(-1, Reason.UNSUBSCRIBED)
    assert a.subs.counts() == (1, 1)
    assert [r[2] for r in a.ledger.rows(-1)] == ["cancelled"]
    assert not a.subs.strike(-2, definitive=False, limit=2)
    assert a.subs.strike(-2, definitive=False, limit=2)
    assert [r[2] for r in a.ledger.rows(-2)] == ["cancelled"]
    again = a.subs.subscribe(-1, "supergroup", "G", 7, None)
    assert again.active and again.thread_id == 7


def test_a_migrated_group_takes_its_open_rows_along(nodes):
    a = nodes()
    announce(a, [-5])
    assert a.subs.migrate(-5, -1005)
    assert a.subs.get(-5) is None and a.subs.get(-1005).chat_type == "supergroup"
    assert [(r[1], r[2]) for r in a.ledger.rows()] == [(-1005, "pending")]


def test_psycopg_is_the_driver(pg_url):
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
