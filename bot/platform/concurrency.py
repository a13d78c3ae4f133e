"""Concurrent updates, one at a time per chat, and fair between chats.

Updates are processed concurrently (a slow search for one user never delays another),
but updates of the same chat are handled in arrival order: an edited question then
always finds the answer to the original, and answers reach a user in the order the
questions were asked. Inline queries belong to no chat and run freely.

Fairness: an update first waits for its chat's turn (a FIFO lock per chat), and only
then for one of the `max_concurrent_updates` global slots. So the global limit bounds
the number of *chats* being served at once, not the number of queued updates: 300
questions from one chat hold one slot, and a question from another chat finds a free
slot at once. (Taking the slot first, as `BaseUpdateProcessor.process_update` does, let
one flooding chat fill every slot with updates that only wait for its own lock; another
chat's question then waited behind the flood -- 44 s behind 300 messages.)
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor"]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` chats at once, each chat's updates in order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        """Locks are created per chat on demand and vanish when no update holds them."""
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, update: object) -> asyncio.Lock | None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            return None
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = asyncio.Lock()  # FIFO: waiters get it in the order they asked
            self._locks[chat.id] = lock
        return lock

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn, *then* for a global slot, then run `coroutine`."""
        lock = self._lock(update)
        if lock is None:
            await super().process_update(update, coroutine)
            return
        async with lock:
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine`: ordering and the slot were settled by `process_update`."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
