"""Daily counters of questions and of questions that found nothing (no user ids, no text).

Days are Vietnamese calendar days (UTC+7 all year, no daylight saving), so "today" in
`/stats` is the day the customs officers live in, whatever the server's zone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from dataclasses import dataclass

from bot.store.database import Database

__all__ = ["VIETNAM", "DailyCounters", "DayCount", "count_question", "local_day"]

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def local_day(moment: dt.datetime) -> str:
    """The Vietnamese calendar day of an aware datetime, as ``YYYY-MM-DD``."""
    return moment.astimezone(VIETNAM).date().isoformat()


def count_question(conn: sqlite3.Connection, day: str, *, found: bool) -> None:
    """Count one question on `day` (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO daily_counts (day, questions, no_result) VALUES (?, 1, ?) "
        "ON CONFLICT (day) DO UPDATE SET questions = questions + 1, "
        "no_result = no_result + excluded.no_result",
        (day, 0 if found else 1),
    )


@dataclass(frozen=True, slots=True)
class DayCount:
    """Questions answered on one day, and how many of them found nothing."""

    day: str
    questions: int
    no_result: int


class DailyCounters:
    """Read side of the counters (the write side runs inside `AnswerStore` transactions)."""

    def __init__(self, database: Database) -> None:
        """Read from `database`."""
        self._db = database

    def for_day(self, day: str) -> DayCount:
        """The counts of `day` (zeros when nothing was asked)."""
        row = self._db.read(
            lambda c: c.execute(
                "SELECT questions, no_result FROM daily_counts WHERE day = ?", (day,)
            ).fetchone()
        )
        return DayCount(day, *(row or (0, 0)))

    async def afor_day(self, day: str) -> DayCount:
        """`for_day` off the event loop."""
        return await asyncio.to_thread(self.for_day, day)
