"""`bot.store.off_loop`: the one way a store's blocking method runs off the event loop."""

from __future__ import annotations

import abc
import ast
import threading
from pathlib import Path

from bot.store.off_loop import off_loop

STORE = Path(__file__).resolve().parents[2] / "bot" / "store"


class Base(abc.ABC):
    @abc.abstractmethod
    def value(self, x: int, *, plus: int = 0) -> tuple[int, str]:
        """Blocking."""

    avalue = off_loop(value)


class Impl(Base):
    def value(self, x: int, *, plus: int = 0) -> tuple[int, str]:
        return x + plus, threading.current_thread().name


async def test_the_twin_runs_the_implementation_in_a_worker_thread():
    result, thread = await Impl().avalue(2, plus=3)
    assert result == 5
    assert thread != threading.main_thread().name
    assert Impl.avalue.__name__ == "avalue"
    assert not getattr(Base.avalue, "__isabstractmethod__", False)


def test_no_store_module_writes_a_twin_by_hand():
    by_hand = []
    for path in STORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                by_hand += [f"{path.name}: {n.name}" for n in node.body
                            if isinstance(n, ast.AsyncFunctionDef) and n.name[1:] in names]
    assert not by_hand, f"use off_loop: {by_hand}"
