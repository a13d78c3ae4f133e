"""A clock the test moves by hand, for code that takes an injectable ``clock()``."""

from __future__ import annotations

__all__ = ["ManualClock"]


class ManualClock:
    """Returns `now`; a test advances it with ``clock.now += seconds``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
