"""Concurrent updates, one at a time per chat.

Updates are processed concurrently (a slow search for one user never delays another),
but updates of the same chat are handled in arrival order: an edited question then
always finds the answer to the original, and answers reach a user in the order the
questions were asked. Inline queries belong to no chat and run freely.
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
    """Up to `max_concurrent_updates` updates at once, serialised within each chat."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        """Locks are created per chat on demand and vanish when no update holds them."""
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` once no earlier update of the same chat is running."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat.id] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
