"""One bot process's broadcast sender against a shared PostgreSQL, for the kill test.

Run as ``python tests/support/pg_sender.py URL NAME LEASE SEND_SECONDS``. It runs the real
`bot.directives.broadcast.Broadcaster` over `PgLedger`/`PgSubscriptionStore`; its `send` stands in
for Telegram by writing the send to the ``sends`` table (committed before the "answer",
as Telegram would have shown the card by then) and sleeping up to SEND_SECONDS, so a kill
can land between a send and its record. It exits 0 once the ledger has no open row left.
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.directives.broadcast import Broadcaster
from bot.directives.pacing import Pacing
from bot.store.ledger import Delivery
from bot.store.pg_ledger import PgLedger
from bot.store.pg_subscriptions import PgSubscriptionStore
from bot.store.postgres import PgDatabase

# Fast pacing (the fake Telegram has no flood limits); three sends in flight per process,
# so the kill can cut off more than one.
PACING = Pacing(per_second=500.0, group_interval=0.0, private_interval=0.0, max_in_flight=3,
                idle_check=0.2, drain_timeout=2.0)


async def main(url: str, name: str, lease: float, send_seconds: float) -> None:
    database = PgDatabase(url)
    ledger = PgLedger(database, lease=lease, label=name)
    subscriptions = PgSubscriptionStore(database)
    recorder = database.connect()
    lock = threading.Lock()

    def record(delivery: Delivery) -> int:
        with lock:
            row = recorder.execute(
                "INSERT INTO sends (delivery_id, chat_id, process) VALUES (%s, %s, %s) "
                "RETURNING seq", (delivery.id, delivery.chat_id, name)).fetchone()
        assert row is not None
        time.sleep(random.uniform(send_seconds / 2, send_seconds))
        with lock:
            recorder.execute("UPDATE sends SET ended = clock_timestamp() WHERE seq = %s",
                             (row[0],))
        return int(row[0])

    async def send(delivery: Delivery) -> int:
        return await asyncio.to_thread(record, delivery)

    broadcaster = Broadcaster(ledger, subscriptions, PACING)
    print(f"ready {ledger.token}", flush=True)  # noqa: T201 - the test reads it
    await broadcaster.start(send)
    # Polls: the rows are other processes' too, so no event of ours says they are done.
    while (await ledger.acounts()).open:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    await broadcaster.stop()
    ledger.close()
    recorder.close()
    database.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
