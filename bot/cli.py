"""``haiquan-bot run``, ``ask``, ``backup`` and ``restore``: the bot, its answers in a shell,
and a copy of its database (subscriptions, delivery ledger) an operator can keep."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.admin.backup import backup_database, database_path, restore_database
from bot.platform.cards import PAGE_SIZE, answer_blocks
from bot.platform.config import Settings
from bot.platform.lifecycle import serve
from bot.platform.render import pack, to_plain
from corpus import default_corpus_dir
from corpus.cli import corpus_arg, default_data_dir, resolve_corpus, resolve_data_dir
from retrieval import Hit, build_searcher

__all__ = ["add_bot_commands", "render_ask"]

MESSAGE_RULE = "\n" + "─" * 40 + "\n"


def add_bot_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``run`` and ``ask``."""
    run = subparsers.add_parser(
        "run", help="run the Telegram bot (long polling, or a webhook with --webhook-url)",
        description="Run the bot. Every flag overrides the environment variable named in "
                    "its help; TELEGRAM_BOT_TOKEN (or --token) is required.",
    )
    run.add_argument("--token", help="bot token from @BotFather ($TELEGRAM_BOT_TOKEN)")
    run.add_argument("--api-base-url", metavar="URL",
                     help="Bot API base URL, e.g. http://127.0.0.1:8081/bot "
                          "($TELEGRAM_API_BASE_URL; default the official API)")
    run.add_argument("--api-file-url", metavar="URL",
                     help="Bot API file URL ($TELEGRAM_API_FILE_URL)")
    corpus_arg(run)
    run.add_argument("--data-dir", type=Path, metavar="DIR",
                     help="index cache and database ($HAIQUAN_DATA_DIR; default "
                          f"{default_data_dir()})")
    run.add_argument("--admin-ids", metavar="IDS",
                     help="comma-separated Telegram user ids of admins ($HAIQUAN_ADMIN_IDS)")
    run.add_argument("--webhook-url", metavar="URL",
                     help="receive updates by webhook at this public https URL "
                          "($HAIQUAN_WEBHOOK_URL); default: long polling")
    run.add_argument("--listen", metavar="ADDR",
                     help="webhook listen address ($HAIQUAN_WEBHOOK_LISTEN; 127.0.0.1)")
    run.add_argument("--port", type=int, help="webhook port ($HAIQUAN_WEBHOOK_PORT; 8443)")
    run.add_argument("--webhook-secret", metavar="SECRET",
                     help="secret Telegram sends with each update ($HAIQUAN_WEBHOOK_SECRET; "
                          "default: random per start)")
    run.add_argument("--poll-timeout", type=int, default=None, metavar="SECONDS",
                     help="long-poll timeout (default 30)")
    run.add_argument("--watch", action="store_true", default=None,
                     help="reload the corpus when its files change ($HAIQUAN_WATCH=1)")
    run.add_argument("--reload-every", type=float, default=None, metavar="MINUTES",
                     help="reload the corpus every MINUTES minutes ($HAIQUAN_RELOAD_EVERY)")
    run.add_argument("--feed", action="append", default=None, metavar="URL", dest="feeds",
                     help="an RSS or Atom feed for /ingest (repeatable; default: "
                          "$HAIQUAN_FEEDS, comma or space separated; needs --corpus)")
    run.add_argument("--ingest-every", type=float, default=None, metavar="MINUTES",
                     help="fetch the feeds every MINUTES minutes, at least 1 "
                          "($HAIQUAN_INGEST_EVERY)")
    run.add_argument("--health-port", type=int, default=None, metavar="PORT",
                     help="serve /healthz and /metrics on this port ($HAIQUAN_HEALTH_PORT)")
    run.add_argument("--health-host", metavar="ADDR",
                     help="address of the health server ($HAIQUAN_HEALTH_HOST; 127.0.0.1)")
    run.set_defaults(handler=_run, default_log_level="info")

    ask = subparsers.add_parser(
        "ask", help="answer one question in the shell, as the bot would",
        description="Print the answer the bot would send for QUESTION, as plain text.",
    )
    ask.add_argument("question", help="the question, in quotes")
    corpus_arg(ask)
    ask.add_argument("--data-dir", type=Path, metavar="DIR",
                     help=f"index cache ($HAIQUAN_DATA_DIR; default {default_data_dir()})")
    ask.add_argument("--top-k", type=_positive, default=PAGE_SIZE, metavar="N",
                     help=f"results to show (default {PAGE_SIZE})")
    ask.set_defaults(handler=_ask)

    backup = subparsers.add_parser(
        "backup", help="copy the bot's database to FILE (safe while the bot runs)",
        description="Write a consistent, integrity-checked copy of the bot's SQLite database "
                    "(subscriptions, delivery ledger, answers) to FILE.",
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    _data_dir_arg(backup)
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    backup.set_defaults(handler=_backup)

    restore = subparsers.add_parser(
        "restore", help="replace the bot's database with the backup FILE",
        description="Check that FILE is a haiquan-bot database no newer than this program, "
                    "then copy it over the bot's database. Stop the bot first.",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="a file from 'backup'")
    _data_dir_arg(restore)
    restore.add_argument("--force", action="store_true",
                         help="restore even though a bot is running on this data dir")
    restore.set_defaults(handler=_restore)


def _data_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help=f"where the database lives ($HAIQUAN_DATA_DIR; default "
                             f"{default_data_dir()})")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return value


def render_ask(question: str, hits: Sequence[Hit], top_k: int) -> str:
    """The plain-text answer: the bot's first page with `top_k` results per page."""
    blocks = answer_blocks(question, hits, 0, page_size=top_k)
    return MESSAGE_RULE.join(to_plain(message) for message in pack(blocks))


def _ask(args: argparse.Namespace) -> int:
    searcher, _, _ = build_searcher(resolve_corpus(args.corpus), resolve_data_dir(args.data_dir))
    hits = searcher.search(args.question, args.top_k)
    sys.stdout.write(render_ask(args.question.strip(), hits, args.top_k) + "\n")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(
        default_corpus_dir=default_corpus_dir(),
        default_data_dir=default_data_dir(),
        token=args.token, api_base_url=args.api_base_url, api_file_url=args.api_file_url,
        corpus_dir=args.corpus, data_dir=args.data_dir, admin_ids=args.admin_ids,
        webhook_url=args.webhook_url, listen=args.listen, port=args.port,
        webhook_secret=args.webhook_secret, poll_timeout=args.poll_timeout,
        watch=args.watch, reload_every=args.reload_every, feeds=args.feeds,
        ingest_every=args.ingest_every, health_port=args.health_port,
        health_host=args.health_host,
    )
    asyncio.run(serve(settings))
    return 0


def _backup(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    version = backup_database(data_dir, args.file, force=args.force)
    sys.stdout.write(f"backed up {database_path(data_dir)} (schema {version}) to {args.file}\n")
    return 0


def _restore(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    version = restore_database(args.file, data_dir, force=args.force)
    sys.stdout.write(f"restored {args.file} (schema {version}) to {database_path(data_dir)}\n")
    return 0
