"""``haiquan-bot index`` and ``haiquan-bot search``: build the cache, query it from a shell."""

from __future__ import annotations

import argparse

__all__ = ["add_retrieval_commands"]


def add_retrieval_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``index`` and ``search`` (filled in by the retrieval issue)."""
