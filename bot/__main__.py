"""The ``haiquan-bot`` command (also ``python -m bot``).

Every subcommand is registered here, the one place that configures logging. A mistake
a user can make (a missing directory, a bad flag value, a missing token) ends with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import add_bot_commands
from bot.platform.errors import BotError
from bot.platform.logs import configure_logging, redact
from corpus.cli import add_corpus_commands
from corpus.errors import CorpusError
from corpus.ingest.cli import add_ingest_commands
from retrieval import RetrievalError
from retrieval.cli import add_retrieval_commands

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The full command line: corpus, retrieval and bot subcommands."""
    parser = argparse.ArgumentParser(
        prog="haiquan-bot",
        description="Telegram bot answering questions about Vietnamese customs news.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_corpus_commands(subparsers)
    add_ingest_commands(subparsers)
    add_retrieval_commands(subparsers)
    add_bot_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # `run` is a service: its lifecycle lines (INFO) show by default.
    verbosity = args.verbose + (1 if getattr(args, "default_log_level", "") == "info" else 0)
    configure_logging((logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)])
    try:
        return int(args.handler(args))
    except BotError as exc:
        sys.stderr.write(f"haiquan-bot: error: {redact(str(exc))}\n")
        return exc.exit_status
    except (CorpusError, RetrievalError, OSError) as exc:
        sys.stderr.write(f"haiquan-bot: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
