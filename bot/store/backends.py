"""The narrow interface between the bot and where subscriptions and the ledger live.

Two implementations stand behind it: SQLite (`bot.store.ledger.Ledger`,
`bot.store.subscriptions.SubscriptionStore`), the embedded default for one process, and
PostgreSQL (`bot.store.pg_ledger`, `bot.store.pg_subscriptions`), for operators who run
several bot processes against one database (``HAIQUAN_DATABASE_URL``, docs/scaling.md).

The sender (`bot.directives.broadcast.Broadcaster`) and the handlers see only these two abstract
classes. Each declares the blocking methods an implementation writes (one transaction
each) and provides their ``a``-prefixed twins, which run them in a worker thread so the
event loop never waits on a database; keeping the twins here means both backends offload
the same way.

What an implementation must keep (`bot.store.ledger` has the full rules):

- `LedgerBackend.claim` is atomic: of two senders claiming one row, at most one wins, and
  a row is claimed only while it is its chat's first unfinished row and due;
- `LedgerBackend.resolve_stale` marks ``uncertain`` only rows whose claimer can no longer
  record an outcome -- with one process, every ``sending`` row it does not hold; with
  several, only rows whose owner's lease has run out -- and never sends them again.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.store.off_loop import off_loop

if TYPE_CHECKING:
    from bot.directives.filters import Filters
    from bot.store.known import NewDirective, RecordResult
    from bot.store.ledger import Delivery, LedgerCounts, Purged, Stale
    from bot.store.subscriptions import Subscription

__all__ = ["KnownBackend", "LedgerBackend", "SubscriptionBackend"]


class LedgerBackend(abc.ABC):
    """Broadcast items and their deliveries (`bot.store.ledger` has the states)."""

    # -- announcements (admins' /broadcast) --------------------------------------------
    @abc.abstractmethod
    def create_announcement(self, html: str, created_by: int) -> int:
        """A draft announcement; nothing is sent until `queue_announcement`."""

    @abc.abstractmethod
    def queue_announcement(self, item_id: int) -> int | None:
        """Confirm a draft (a row per active subscription); None if it is not a draft."""

    @abc.abstractmethod
    def cancel_announcement(self, item_id: int) -> bool:
        """Drop a draft; False when it was no longer a draft."""

    # -- the sender's side ------------------------------------------------------------------
    @abc.abstractmethod
    def recover(self) -> list[Stale]:
        """At start: resolve the rows earlier processes left in ``sending``."""

    @abc.abstractmethod
    def resolve_stale(self, held: Collection[int]) -> list[Stale]:
        """Mark ``uncertain`` the stale ``sending`` rows (`held`: this process's own)."""

    @abc.abstractmethod
    def due(self, limit: int) -> list[Delivery]:
        """The first unfinished row of each chat, when it is pending and due."""

    @abc.abstractmethod
    def next_due(self) -> float | None:
        """When the earliest pending row becomes due (Unix seconds), if there is one."""

    @abc.abstractmethod
    def claim(self, delivery_id: int) -> bool:
        """``pending`` -> ``sending`` before the HTTP call; False if someone else won."""

    @abc.abstractmethod
    def mark_sent(self, delivery_id: int, message_id: int) -> None:
        """Telegram accepted it: ``sent``, with the message id."""

    @abc.abstractmethod
    def retry(self, delivery_id: int, delay: float, error: str, *, counts: bool) -> None:
        """Back to ``pending``, due in `delay` seconds."""

    @abc.abstractmethod
    def fail(self, delivery_id: int, error: str) -> bool:
        """Given up: ``failed``; False when the row was not in flight."""

    # -- retention and reading ------------------------------------------------------------
    @abc.abstractmethod
    def purge(self, older_than: float) -> Purged:
        """Forget finished rows older than `older_than` seconds."""

    @abc.abstractmethod
    def counts(self) -> LedgerCounts:
        """Rows per state."""

    @abc.abstractmethod
    def item_status(self, item_id: int) -> str | None:
        """``draft``, ``queued`` or ``cancelled``; None for an unknown item."""

    @abc.abstractmethod
    def item_html(self, item_id: int) -> str | None:
        """What an item sends."""

    @abc.abstractmethod
    def rows(self, chat_id: int | None = None) -> list[tuple[int, int, str, int, int | None]]:
        """(item id, chat id, status, attempts, message id) rows, for tests and checks."""

    def close(self) -> None:  # noqa: B027 - a no-op unless the backend holds resources
        """Release what the backend holds beyond its database (a lease, a thread)."""

    # -- the same, off the event loop ---------------------------------------------------------
    acreate_announcement = off_loop(create_announcement)
    aqueue_announcement = off_loop(queue_announcement)
    acancel_announcement = off_loop(cancel_announcement)
    arecover = off_loop(recover)
    aresolve_stale = off_loop(resolve_stale)
    apurge = off_loop(purge)
    adue = off_loop(due)
    anext_due = off_loop(next_due)
    aclaim = off_loop(claim)
    amark_sent = off_loop(mark_sent)
    aretry = off_loop(retry)
    afail = off_loop(fail)
    acounts = off_loop(counts)
    aitem_status = off_loop(item_status)
    aitem_html = off_loop(item_html)


class SubscriptionBackend(abc.ABC):
    """Which chats get new directives (`bot.store.subscriptions` has the rules)."""

    @abc.abstractmethod
    def subscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None,
                  filters: Filters | None) -> Subscription:
        """Start (or restart, or change) the chat's subscription."""

    @abc.abstractmethod
    def set_filters(self, chat_id: int, filters: Filters) -> Subscription | None:
        """Change an existing subscription's filters (None when the chat has none)."""

    @abc.abstractmethod
    def deactivate(self, chat_id: int, reason: str) -> bool:
        """Stop the chat's subscription and cancel its open rows; True when it was active."""

    @abc.abstractmethod
    def reactivate(self, chat_id: int, reason: str) -> bool:
        """Restart a subscription that was stopped for `reason` only."""

    @abc.abstractmethod
    def migrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its subscription and open rows follow it."""

    @abc.abstractmethod
    def clear_thread(self, chat_id: int) -> None:
        """The forum topic is gone: post to the chat itself from now on."""

    @abc.abstractmethod
    def strike(self, chat_id: int, *, definitive: bool, limit: int) -> bool:
        """Count a 403 answer; returns whether the subscription was stopped now."""

    @abc.abstractmethod
    def get(self, chat_id: int) -> Subscription | None:
        """The chat's subscription, active or not."""

    @abc.abstractmethod
    def all(self) -> list[Subscription]:
        """Every subscription, active ones first, then by chat id."""

    @abc.abstractmethod
    def counts(self) -> tuple[int, int]:
        """(active, inactive) subscriptions."""

    def active(self) -> list[Subscription]:
        """The subscriptions that receive directives."""
        return [s for s in self.all() if s.active]

    # -- the same, off the event loop ---------------------------------------------------------
    asubscribe = off_loop(subscribe)
    aset_filters = off_loop(set_filters)
    adeactivate = off_loop(deactivate)
    areactivate = off_loop(reactivate)
    amigrate = off_loop(migrate)
    aclear_thread = off_loop(clear_thread)
    astrike = off_loop(strike)
    aget = off_loop(get)
    aall = off_loop(all)
    acounts = off_loop(counts)


class KnownBackend(abc.ABC):
    """Articles seen, and the enqueueing of new directives (`bot.store.known`)."""

    @abc.abstractmethod
    def count(self) -> int:
        """How many articles are known."""

    @abc.abstractmethod
    def new_ids(self, corpus_root: str, articles: Sequence[tuple[str, str]]) -> list[str] | None:
        """Ids among (id, content hash) pairs that `record` would find new; None for a
        baseline."""

    @abc.abstractmethod
    def record(self, corpus_root: str, articles: Sequence[tuple[str, str]],
               directives: Mapping[str, NewDirective]) -> RecordResult:
        """Mark `articles` known and announce the new directives, all or nothing."""

    anew_ids = off_loop(new_ids)
