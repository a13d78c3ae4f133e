"""The narrow interface between the bot and where subscriptions and the ledger live.

Two implementations stand behind it: SQLite (`bot.store.ledger.Ledger`,
`bot.store.subscriptions.SubscriptionStore`), the embedded default for one process, and
PostgreSQL (`bot.store.pg_ledger`, `bot.store.pg_subscriptions`), for operators who run
several bot processes against one database (``HAIQUAN_DATABASE_URL``, docs/scaling.md).

The sender (`bot.broadcast.Broadcaster`) and the handlers see only these two abstract
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
import asyncio
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.known import NewDirective, RecordResult
    from bot.store.ledger import Delivery, LedgerCounts, Purged, Stale
    from bot.store.subscriptions import Subscription
    from bot.subscription_filters import Filters

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
    async def acreate_announcement(self, html: str, created_by: int) -> int:
        """`create_announcement` in a worker thread."""
        return await asyncio.to_thread(self.create_announcement, html, created_by)

    async def aqueue_announcement(self, item_id: int) -> int | None:
        """`queue_announcement` in a worker thread."""
        return await asyncio.to_thread(self.queue_announcement, item_id)

    async def acancel_announcement(self, item_id: int) -> bool:
        """`cancel_announcement` in a worker thread."""
        return await asyncio.to_thread(self.cancel_announcement, item_id)

    async def arecover(self) -> list[Stale]:
        """`recover` in a worker thread."""
        return await asyncio.to_thread(self.recover)

    async def aresolve_stale(self, held: Collection[int]) -> list[Stale]:
        """`resolve_stale` in a worker thread."""
        return await asyncio.to_thread(self.resolve_stale, held)

    async def apurge(self, older_than: float) -> Purged:
        """`purge` in a worker thread."""
        return await asyncio.to_thread(self.purge, older_than)

    async def adue(self, limit: int) -> list[Delivery]:
        """`due` in a worker thread."""
        return await asyncio.to_thread(self.due, limit)

    async def anext_due(self) -> float | None:
        """`next_due` in a worker thread."""
        return await asyncio.to_thread(self.next_due)

    async def aclaim(self, delivery_id: int) -> bool:
        """`claim` in a worker thread."""
        return await asyncio.to_thread(self.claim, delivery_id)

    async def amark_sent(self, delivery_id: int, message_id: int) -> None:
        """`mark_sent` in a worker thread."""
        await asyncio.to_thread(self.mark_sent, delivery_id, message_id)

    async def aretry(self, delivery_id: int, delay: float, error: str, *, counts: bool) -> None:
        """`retry` in a worker thread."""
        await asyncio.to_thread(lambda: self.retry(delivery_id, delay, error, counts=counts))

    async def afail(self, delivery_id: int, error: str) -> bool:
        """`fail` in a worker thread."""
        return await asyncio.to_thread(self.fail, delivery_id, error)

    async def acounts(self) -> LedgerCounts:
        """`counts` in a worker thread."""
        return await asyncio.to_thread(self.counts)

    async def aitem_status(self, item_id: int) -> str | None:
        """`item_status` in a worker thread."""
        return await asyncio.to_thread(self.item_status, item_id)

    async def aitem_html(self, item_id: int) -> str | None:
        """`item_html` in a worker thread."""
        return await asyncio.to_thread(self.item_html, item_id)


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
    async def asubscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None,
                         filters: Filters | None) -> Subscription:
        """`subscribe` in a worker thread."""
        return await asyncio.to_thread(self.subscribe, chat_id, chat_type, title, thread_id,
                                       filters)

    async def aset_filters(self, chat_id: int, filters: Filters) -> Subscription | None:
        """`set_filters` in a worker thread."""
        return await asyncio.to_thread(self.set_filters, chat_id, filters)

    async def adeactivate(self, chat_id: int, reason: str) -> bool:
        """`deactivate` in a worker thread."""
        return await asyncio.to_thread(self.deactivate, chat_id, reason)

    async def areactivate(self, chat_id: int, reason: str) -> bool:
        """`reactivate` in a worker thread."""
        return await asyncio.to_thread(self.reactivate, chat_id, reason)

    async def amigrate(self, old_chat_id: int, new_chat_id: int) -> bool:
        """`migrate` in a worker thread."""
        return await asyncio.to_thread(self.migrate, old_chat_id, new_chat_id)

    async def aclear_thread(self, chat_id: int) -> None:
        """`clear_thread` in a worker thread."""
        await asyncio.to_thread(self.clear_thread, chat_id)

    async def astrike(self, chat_id: int, *, definitive: bool, limit: int) -> bool:
        """`strike` in a worker thread."""
        return await asyncio.to_thread(
            lambda: self.strike(chat_id, definitive=definitive, limit=limit))

    async def aget(self, chat_id: int) -> Subscription | None:
        """`get` in a worker thread."""
        return await asyncio.to_thread(self.get, chat_id)

    async def aall(self) -> list[Subscription]:
        """`all` in a worker thread."""
        return await asyncio.to_thread(self.all)

    async def acounts(self) -> tuple[int, int]:
        """`counts` in a worker thread."""
        return await asyncio.to_thread(self.counts)


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

    async def anew_ids(self, corpus_root: str,
                       articles: Sequence[tuple[str, str]]) -> list[str] | None:
        """`new_ids` in a worker thread."""
        return await asyncio.to_thread(self.new_ids, corpus_root, articles)
