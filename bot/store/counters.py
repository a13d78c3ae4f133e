"""Daily counters of questions and of questions that found nothing (no user ids, no text),
and of broadcast deliveries sent and failed for good (schema version 4).

Days are Vietnamese calendar days (UTC+7 all year, no daylight saving), so "today" in
`/stats` is the day the customs officers live in, whatever the server's zone.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from bot.store.database import Database
from bot.store.off_loop import off_loop

__all__ = [
    "VIETNAM",
    "DailyCounters",
    "DayCount",
    "DayTotals",
    "count_question",
    "local_day",
]

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
class DayTotals:
    """Everything counted on one day: questions (and those that found nothing), and
    broadcast deliveries sent and failed for good. The ``/stats`` chart draws these."""

    day: str
    questions: int = 0
    no_result: int = 0
    sent: int = 0
    failed: int = 0


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

    afor_day = off_loop(for_day)

    def count_broadcast(self, day: str, *, sent: bool) -> None:
        """Count one delivery that reached its chat (`sent`) or failed for good."""
        column = "broadcasts_sent" if sent else "broadcasts_failed"
        self._db.write(lambda c: c.execute(
            f"INSERT INTO daily_counts (day, {column}) VALUES (?, 1) "  # noqa: S608 - fixed names
            f"ON CONFLICT (day) DO UPDATE SET {column} = {column} + 1", (day,)))

    acount_broadcast = off_loop(count_broadcast)

    def last_days(self, today: dt.date, days: int = 30) -> list[DayTotals]:
        """One `DayTotals` per day of the `days` days ending with `today`, oldest first;
        a day with nothing counted is all zeros (the chart shows gaps as zero, not as a
        missing day)."""
        first = today - dt.timedelta(days=days - 1)
        rows = self._db.read(lambda c: c.execute(
            "SELECT day, questions, no_result, broadcasts_sent, broadcasts_failed "
            "FROM daily_counts WHERE day BETWEEN ? AND ?",
            (first.isoformat(), today.isoformat())).fetchall())
        found = {row[0]: DayTotals(*row) for row in rows}
        dates = [(first + dt.timedelta(days=n)).isoformat() for n in range(days)]
        return [found.get(day, DayTotals(day)) for day in dates]

    alast_days = off_loop(last_days)
