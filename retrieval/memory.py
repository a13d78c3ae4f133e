"""Giving freed memory back to the system after an index build.

Building the index allocates and frees a few hundred megabytes of temporary arrays.
glibc keeps much of that in its heap, so a bot that reloads would carry the garbage of
every build; `malloc_trim` hands it back. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

__all__ = ["release_unused_memory"]

logger = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def release_unused_memory() -> None:
    """Return freed heap memory to the operating system, where the C library allows it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
