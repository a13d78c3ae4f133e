"""The one way the store's blocking calls leave the event loop.

Every store method is written once, blocking, as one transaction. Its ``a``-prefixed twin
(``acreate = off_loop(create)``) runs it in a worker thread, so no handler ever waits on
the disk or the network while the event loop has other chats to serve. The twin looks the
method up on the instance when called, so an implementation's override (SQLite or
PostgreSQL behind `bot.store.backends`) is what runs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

__all__ = ["off_loop"]

S = TypeVar("S")
P = ParamSpec("P")
T = TypeVar("T")


def off_loop(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], Awaitable[T]]:
    """`method` as a coroutine function that runs it in a worker thread."""
    name = method.__name__

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(getattr(self, name), *args, **kwargs)

    run.__name__ = run.__qualname__ = f"a{name}"
    run.__doc__ = f"`{name}` in a worker thread, so the event loop never waits on the store."
    # Not abstract even when `method` is: the twin is the same for every implementation.
    run.__isabstractmethod__ = False  # type: ignore[attr-defined]
    return run
