"""The sender: works through the delivery ledger at Telegram's pace, one chat at a time.

Broadcast messages go through a `telegram.Bot` of their own, without the application's
rate limiter: python-telegram-bot's `AIORateLimiter` stops *every* request when one
answers 429, so one flood-limited group would hold up all others (and the answers to
questions). Here a 429 parks only that chat (`bot.directives.pacing.Pacer`), and the rate
is kept by spacing sends instead of by bumping into the limit.

What each answer does to a delivery (`bot.store.ledger` has the states) and to the
chat's subscription:

- ok: ``sent``, message id kept; the chat's 403 strikes reset.
- 429 ``retry_after``: ``pending`` again after ``retry_after``, for that chat only.
- 400 migrated (``ChatMigrated``): the subscription and its open rows move to the new
  chat id; ``pending`` at once, there.
- 400 "message thread not found" (the forum topic was deleted): the subscription posts
  to the chat itself from now on; ``pending`` at once.
- 403 "blocked by the user", "kicked from", "user is deactivated"...: ``failed``; the
  subscription stops at once (Telegram will refuse everything until a person acts).
- any other 403, or 400 "chat not found" / "not enough rights": ``failed``; one strike,
  and the subscription stops at `Pacing.forbidden_limit` strikes in a row.
- any other 400: ``failed`` (the message itself is wrong; retrying cannot help).
- network errors, timeouts, 5xx: ``pending`` after an exponential backoff; ``failed``
  after `Pacing.max_errors` of them.

When recording an outcome fails (the database is locked, the disk full), the sender keeps
the outcome in memory and records it at the start of its next round, before it claims
anything: a card Telegram accepted becomes ``sent`` with its message id, never a resend,
and the chat's later cards follow. Each round also resolves stale ``sending`` rows (none
of this process's sends holds them, and, with PostgreSQL, their claimer's lease ran out)
as ``uncertain`` (`bot.store.ledger`, `bot.store.pg_ledger`).

Stopping has two steps: `park` (the moment shutdown starts) stops claiming rows; `stop`
then waits for the sends under way, records them and closes the bot. Rows not claimed
stay ``pending`` for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.directives.pacing import Pacer, Pacing
from bot.platform import texts
from bot.platform.alerts import AdminAlerts
from bot.store import Delivery, LedgerBackend, Stale, SubscriptionBackend

__all__ = ["CHAT_STOPPED", "Broadcaster", "Send", "broadcast_request", "is_definitive_refusal"]

logger = logging.getLogger(__name__)

Send = Callable[[Delivery], Awaitable[int]]
"""Sends one delivery and returns the message id, or raises a `telegram.error` error."""

Outcome = int | Exception
"""What Telegram answered to one send: the message id, or the error raised."""

# The admins' alert (`bot.platform.alerts`) when a subscription stops.
CHAT_STOPPED = "chat stopped"

_DEFINITIVE = ("blocked by the user", "kicked from", "user is deactivated",
               "not a member of", "chat was deleted", "bot can't initiate conversation")
_LIKE_FORBIDDEN = ("chat not found", "not enough rights", "have no rights")
_THREAD_GONE = ("message thread not found", "topic_deleted")


def is_definitive_refusal(description: str) -> bool:
    """Whether a 403 says the chat is closed to the bot until a person acts."""
    lowered = description.lower()
    return any(phrase in lowered for phrase in _DEFINITIVE)


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Broadcaster:
    """Sends what the ledger owes, paced; `wake` it after writing new rows."""

    def __init__(self, ledger: LedgerBackend, subscriptions: SubscriptionBackend,
                 pacing: Pacing, *,
                 bot_factory: Callable[[], Bot] | None = None, batch: int = 2000) -> None:
        """Nothing runs until `start`; `bot_factory` makes the sending bot (see `start`).

        `ledger` and `subscriptions` are either backend (SQLite or PostgreSQL): the sender
        needs only their interface (`bot.store.backends`).
        """
        self.ledger = ledger
        self.subscriptions = subscriptions
        self.pacing = pacing
        self.pacer = Pacer(pacing)
        self._bot_factory = bot_factory
        self._batch = batch
        self._bot: Bot | None = None
        self._send: Send | None = None
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(pacing.max_in_flight)
        self._busy: set[int] = set()
        # Rows this process claimed and has not settled in the ledger yet (their sends
        # are under way, or their outcome could not be recorded): never stale.
        self._held: set[int] = set()
        self._unsettled: dict[int, tuple[Delivery, Outcome]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._totals = {"sent": 0, "failed": 0, "retried": 0}
        self._since: float | None = None
        # Told of each delivery that reached its chat (True) or failed for good (False):
        # the metrics and the per-day counts (`bot.platform.state.Services`). Its errors are the
        # ledger's ("could not record the outcome"): the row is settled already.
        self.observe: Callable[[bool], Awaitable[None]] | None = None
        # Told of each chat whose subscription stopped on a refusal (`bot.platform.alerts`).
        self.alerts: AdminAlerts | None = None

    @property
    def running(self) -> bool:
        """Whether the sender loop runs."""
        return self._loop_task is not None and not self._loop_task.done()

    async def start(self, send: Send | None = None) -> None:
        """Recover interrupted rows, then send in the background.

        Without `send`, messages go through a bot made by the factory given at
        construction (initialised here, shut down by `stop`).
        """
        if self.running:
            return
        if send is None:
            if self._bot_factory is None:
                raise RuntimeError("Broadcaster.start needs `send` or a bot factory")
            self._bot = self._bot_factory()
            await self._bot.initialize()
            send = self._send_with_bot
        self._send = send
        self._log_stale(await self.ledger.arecover())
        self._stopping = False
        self._loop_task = asyncio.create_task(self._run(), name="broadcast sender")
        self.wake()

    def wake(self) -> None:
        """New rows were written (or a chat became free): look at the ledger now."""
        self._wakeup.set()

    def park(self) -> None:
        """Claim nothing more from now on: shutdown has begun.

        Called first thing when the bot stops (`bot.platform.app.running`), before the application
        waits for its handlers and jobs, so that wait does not turn into sending the rest
        of the backlog. Sends under way go on; `stop` waits for them.
        """
        self._stopping = True
        self.wake()

    async def stop(self) -> None:
        """Stop claiming rows, let sends under way finish (within the drain timeout) and
        record them; what was not claimed stays ``pending`` for the next start.

        A send still unanswered after the timeout is cancelled and its row stays
        ``sending``; the next start marks it ``uncertain`` and does not send it again
        (`bot.store.ledger`).
        """
        self.park()
        if self._loop_task is not None:
            # The loop stops between two claims; it may be waiting for a free slot, held
            # by a hung send: then it is cancelled (a row it was claiming stays claimed).
            _, pending = await asyncio.wait({self._loop_task},
                                            timeout=self.pacing.drain_timeout)
            for task in pending:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=self.pacing.drain_timeout)
            for task in late:
                task.cancel()
            if late:
                logger.warning("%d sends did not finish within %.0fs; the next start marks "
                               "them uncertain and does not send them again", len(late),
                               self.pacing.drain_timeout)
                await asyncio.wait(late)
        await self._settle_unsettled()
        for delivery, outcome in self._unsettled.values():
            logger.error("the outcome of delivery %s to chat %s (%s) could not be recorded; "
                         "the next start marks it uncertain", delivery.id, delivery.chat_id,
                         f"message {outcome}" if isinstance(outcome, int) else
                         type(outcome).__name__)
        self._log_totals()
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot = None

    # -- the loop -------------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                dispatched, waits = await self._pass()
                if dispatched or self._stopping:
                    continue
                if not self._tasks:
                    self._log_totals()
                # A row due now but not dispatched belongs to a chat with a send under
                # way; that send's end wakes the loop.
                next_due = await self.ledger.anext_due()
            except Exception:  # the database, say: keep the sender alive, try again
                logger.exception("the broadcast sender hit an error; retrying shortly")
                waits, next_due = [self.pacing.idle_check], None
            now = time.time()
            if next_due is not None and next_due > now:
                waits.append(next_due - now)
            timeout = max(0.0, min([self.pacing.idle_check, *waits]))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def _pass(self) -> tuple[int, list[float]]:
        """Record what earlier rounds could not, resolve stale rows, then dispatch every
        due row whose chat is free; returns (dispatched, waits)."""
        dispatched = 0
        waits: list[float] = []
        await self._settle_unsettled()
        if self._unsettled:  # the database is still failing: look again soon
            waits.append(min(self.pacing.idle_check, 1.0))
        self._log_stale(await self.ledger.aresolve_stale(self._held | set(self._unsettled)))
        for delivery in await self.ledger.adue(self._batch):
            if self._stopping:
                break
            if delivery.chat_id in self._busy:
                continue
            wait = self.pacer.chat_wait(delivery.chat_id)
            if wait > 0:
                waits.append(wait)
                continue
            await self._slots.acquire()
            delay = self.pacer.reserve(delivery.chat_id, private=delivery.private)
            if delay > 0:
                await asyncio.sleep(delay)
            self._held.add(delivery.id)  # before the claim: never taken for stale
            try:
                claimed = not self._stopping and await self.ledger.aclaim(delivery.id)
            except BaseException:
                self._held.discard(delivery.id)
                self._slots.release()
                raise
            if not claimed:
                self._held.discard(delivery.id)
                self._slots.release()
                continue
            self._busy.add(delivery.chat_id)
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            dispatched += 1
        return dispatched, waits

    # -- one delivery ---------------------------------------------------------------------
    async def _send_with_bot(self, delivery: Delivery) -> int:
        bot = self._bot
        if bot is None:
            raise RuntimeError("the broadcast bot is not running")
        markup = InlineKeyboardMarkup.de_json(delivery.markup, bot) if delivery.markup else None
        message = await bot.send_message(
            delivery.chat_id, delivery.html, parse_mode=ParseMode.HTML,
            message_thread_id=delivery.thread_id, reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return message.message_id

    async def _deliver(self, delivery: Delivery) -> None:
        if self._since is None:
            self._since = time.monotonic()
        try:
            outcome = await self._outcome(delivery)
            try:
                await self._settle(delivery, outcome)
            except Exception:  # the ledger failed: keep the outcome for the next round
                logger.exception("could not record the outcome of delivery %s; recording it "
                                 "on the next round", delivery.id)
                self._unsettled[delivery.id] = (delivery, outcome)
        finally:
            self._held.discard(delivery.id)
            self._busy.discard(delivery.chat_id)
            self._slots.release()
            self.wake()

    async def _outcome(self, delivery: Delivery) -> Outcome:
        """The message id, or the error the send raised (a cancellation propagates)."""
        send = self._send
        if send is None:
            raise RuntimeError("the broadcaster was not started")
        try:
            return await send(delivery)
        except Exception as error:
            return error

    async def _settle_unsettled(self) -> None:
        """Record outcomes an earlier round could not; those that fail again wait."""
        for delivery_id, (delivery, outcome) in list(self._unsettled.items()):
            try:
                await self._settle(delivery, outcome)
            except Exception as error:
                logger.warning("still cannot record the outcome of delivery %s: %s",
                               delivery_id, error)
                continue
            del self._unsettled[delivery_id]
            logger.info("recorded the outcome of delivery %s late", delivery_id)

    async def _settle(self, delivery: Delivery, outcome: Outcome) -> None:
        """Write what Telegram's answer means to the ledger and the subscription.

        Raises what the ledger raises; replaying an outcome whose writes partly happened
        changes nothing more (`Ledger.fail` and `Ledger.retry` touch only rows still in
        ``sending``).
        """
        if isinstance(outcome, int):
            await self.ledger.amark_sent(delivery.id, outcome)
            self._totals["sent"] += 1
            await self._observe(True)
            logger.debug("delivery %s sent to chat %s", delivery.id, delivery.chat_id)
        elif isinstance(outcome, RetryAfter):
            wait = _seconds(outcome.retry_after)
            logger.info("chat %s is flood-limited: next try in %.0fs", delivery.chat_id, wait)
            self.pacer.park(delivery.chat_id, wait)
            await self._retry(delivery, wait, f"429: {outcome.message}", counts=False)
        elif isinstance(outcome, ChatMigrated):
            await self._migrated(delivery, outcome.new_chat_id)
        elif isinstance(outcome, Forbidden):
            await self._refused(delivery, outcome.message,
                                definitive=is_definitive_refusal(outcome.message))
        elif isinstance(outcome, BadRequest):
            await self._bad_request(delivery, outcome.message)
        elif isinstance(outcome, TelegramError):  # network errors, timeouts, 5xx
            await self._transient(delivery, f"{type(outcome).__name__}: {outcome.message}")
        else:
            logger.error("unexpected error sending delivery %s", delivery.id,
                         exc_info=outcome)
            await self._transient(delivery, f"{type(outcome).__name__}: {outcome}")

    async def _observe(self, reached: bool) -> None:
        """Tell `observe`; its failure is logged, the ledger row is settled already."""
        if self.observe is None:
            return
        try:
            await self.observe(reached)
        except Exception:
            logger.exception("could not count a settled delivery")

    async def _retry(self, delivery: Delivery, delay: float, error: str, *,
                     counts: bool) -> None:
        await self.ledger.aretry(delivery.id, delay, error, counts=counts)
        self._totals["retried"] += 1

    async def _fail(self, delivery: Delivery, error: str) -> None:
        if not await self.ledger.afail(delivery.id, error):
            return  # settled already (a replayed outcome)
        self._totals["failed"] += 1
        await self._observe(False)

    async def _migrated(self, delivery: Delivery, new_chat_id: int) -> None:
        logger.warning("chat %s became supergroup %s: its subscription moves there",
                       delivery.chat_id, new_chat_id)
        await self.subscriptions.amigrate(delivery.chat_id, new_chat_id)
        await self._retry(delivery, 0, "migrated", counts=False)

    async def _refused(self, delivery: Delivery, description: str, *,
                       definitive: bool) -> None:
        await self._fail(delivery, f"403: {description}")
        stopped = await self.subscriptions.astrike(
            delivery.chat_id, definitive=definitive, limit=self.pacing.forbidden_limit)
        logger.warning("chat %s refused a broadcast (%s)%s", delivery.chat_id, description,
                       "; subscription stopped" if stopped else "")
        if stopped and self.alerts is not None:
            await self.alerts.alert(CHAT_STOPPED, delivery.chat_id, texts.chat_stopped(
                delivery.chat_id, delivery.private, description))

    async def _bad_request(self, delivery: Delivery, description: str) -> None:
        lowered = description.lower()
        if delivery.thread_id is not None and any(p in lowered for p in _THREAD_GONE):
            logger.warning("topic %s of chat %s is gone: posting to the chat itself",
                           delivery.thread_id, delivery.chat_id)
            await self.subscriptions.aclear_thread(delivery.chat_id)
            await self._retry(delivery, 0, description, counts=True)
        elif any(p in lowered for p in _LIKE_FORBIDDEN):
            await self._refused(delivery, description, definitive=False)
        else:
            logger.warning("Telegram rejected delivery %s to chat %s: %s", delivery.id,
                           delivery.chat_id, description)
            await self._fail(delivery, f"400: {description}")

    async def _transient(self, delivery: Delivery, error: str) -> None:
        errors = delivery.errors + 1
        if errors >= self.pacing.max_errors:
            logger.warning("giving up delivery %s to chat %s after %d errors: %s",
                           delivery.id, delivery.chat_id, errors, error)
            await self._fail(delivery, error)
            return
        delay = self.pacing.backoff(errors)
        logger.info("delivery %s to chat %s failed (%s); next try in %.0fs", delivery.id,
                    delivery.chat_id, error, delay)
        await self._retry(delivery, delay, error, counts=True)

    def _log_stale(self, stale: list[Stale]) -> None:
        for row in stale:
            logger.warning("delivery %s (item %s) to chat %s was under way when an earlier "
                           "run stopped; marked uncertain, not sent again", row.id,
                           row.item_id, row.chat_id)

    def _log_totals(self) -> None:
        if self._since is None:
            return
        logger.info("broadcast: %d sent, %d failed, %d retries in %.1fs",
                    self._totals["sent"], self._totals["failed"], self._totals["retried"],
                    time.monotonic() - self._since)
        self._totals = dict.fromkeys(self._totals, 0)
        self._since = None


def broadcast_request(pacing: Pacing) -> HTTPXRequest:
    """The HTTP client of the broadcast bot: one connection per send in flight."""
    return HTTPXRequest(connection_pool_size=pacing.max_in_flight + 2, read_timeout=20.0,
                        write_timeout=20.0, connect_timeout=10.0, pool_timeout=10.0)
