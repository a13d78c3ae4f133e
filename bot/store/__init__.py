"""What the bot remembers across restarts, in one SQLite file in the data directory.

`open_database` opens (and migrates) it; the stores over it are small classes, one per
concern. Nothing here knows about Telegram.
"""

from pathlib import Path

from bot.store.answers import LINK_AGE, RETENTION, AnswerLink, AnswerStore, StoredAnswer
from bot.store.backends import KnownBackend, LedgerBackend, SubscriptionBackend
from bot.store.counters import VIETNAM, DailyCounters, DayCount, DayTotals, local_day
from bot.store.database import MEMORY, Database, Migration
from bot.store.feeds import Feed, FeedStore
from bot.store.known import KnownArticles, NewDirective, RecordResult
from bot.store.ledger import Delivery, Ledger, LedgerCounts, Purged, Stale
from bot.store.migrations import MIGRATIONS
from bot.store.subscriptions import Reason, Subscription, SubscriptionStore

__all__ = [
    "DATABASE_FILE",
    "LINK_AGE",
    "MIGRATIONS",
    "RETENTION",
    "VIETNAM",
    "AnswerLink",
    "AnswerStore",
    "DailyCounters",
    "Database",
    "DayCount",
    "DayTotals",
    "Delivery",
    "Feed",
    "FeedStore",
    "KnownArticles",
    "KnownBackend",
    "Ledger",
    "LedgerBackend",
    "LedgerCounts",
    "Migration",
    "NewDirective",
    "Purged",
    "Reason",
    "RecordResult",
    "Stale",
    "StoredAnswer",
    "Subscription",
    "SubscriptionBackend",
    "SubscriptionStore",
    "local_day",
    "open_database",
]

DATABASE_FILE = "haiquan.sqlite3"


def open_database(data_dir: Path | None) -> Database:
    """The bot's database in `data_dir`, or an in-memory one when there is none."""
    return Database(data_dir / DATABASE_FILE if data_dir else MEMORY, MIGRATIONS)
