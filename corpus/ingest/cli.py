"""``haiquan-bot ingest``: one ingest round from the shell (or cron).

Exit status 0 when the round ran, even if some entries were skipped; 1 when every feed
it tried failed (a cron mail is then worth reading); 2 for a usage or setup error
(handled in ``bot/__main__.py`` like the other commands' `CorpusError`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from corpus.cli import default_data_dir, resolve_data_dir
from corpus.ingest.config import IngestConfig, parse_feed_list
from corpus.ingest.errors import IngestError
from corpus.ingest.fetch import FetchLimits
from corpus.ingest.round import run_ingest_round

__all__ = ["add_ingest_commands", "resolve_ingest_dirs"]


def add_ingest_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ingest``."""
    ingest = subparsers.add_parser(
        "ingest",
        help="fetch new articles from news feeds into the corpus (one round)",
        description="Fetch each feed, and each entry not seen before, into the corpus "
        "directory as front-matter Markdown files; print what was added and skipped.",
    )
    ingest.add_argument(
        "--feed", action="append", default=None, metavar="URL",
        help="an RSS or Atom feed URL (repeatable; default: $HAIQUAN_FEEDS, comma or "
        "space separated)",
    )
    ingest.add_argument(
        "--corpus", type=Path, default=None, metavar="DIR",
        help="corpus directory to write into ($HAIQUAN_CORPUS_DIR; required: the bundled "
        "sample corpus is never written)",
    )
    ingest.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR",
        help=f"ingest state ($HAIQUAN_DATA_DIR; default {default_data_dir()})",
    )
    ingest.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="per request (default 10)")
    ingest.add_argument("--min-interval", type=float, default=1.0, metavar="SECONDS",
                        help="between two requests to one host (default 1)")
    ingest.add_argument("--allow-private", action="store_true",
                        help="allow loopback/private IP addresses (a feed service on this "
                        "machine or the intranet)")
    ingest.add_argument("--ignore-backoff", action="store_true",
                        help="also fetch feeds that are backing off after failures")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.set_defaults(handler=_ingest)


def resolve_ingest_dirs(corpus: Path | None, data_dir: Path | None) -> tuple[Path, Path]:
    """(corpus, data dir) from flags, else $HAIQUAN_CORPUS_DIR / $HAIQUAN_DATA_DIR.

    Raises:
        IngestError: no corpus directory given: ingest never writes into the bundled
            sample corpus, which is the read-only default elsewhere.
    """
    configured = os.environ.get("HAIQUAN_CORPUS_DIR", "").strip()
    corpus = corpus or (Path(configured) if configured else None)
    if corpus is None:
        raise IngestError("ingest needs a corpus directory: --corpus DIR or $HAIQUAN_CORPUS_DIR")
    return corpus, resolve_data_dir(data_dir)


def _ingest(args: argparse.Namespace) -> int:
    feeds = tuple(args.feed) if args.feed else parse_feed_list(os.environ.get("HAIQUAN_FEEDS", ""))
    if not feeds:
        raise IngestError("no feeds: give --feed URL or set $HAIQUAN_FEEDS")
    if args.timeout <= 0 or args.min_interval < 0:
        raise IngestError("--timeout must be positive and --min-interval not negative")
    corpus, data_dir = resolve_ingest_dirs(args.corpus, args.data_dir)
    limits = FetchLimits(timeout=args.timeout, min_interval=args.min_interval,
                         allow_private=args.allow_private)
    config = IngestConfig(feeds=feeds, limits=limits,
                          contact=os.environ.get("HAIQUAN_INGEST_CONTACT", "").strip())
    report = asyncio.run(
        run_ingest_round(config, corpus, data_dir, ignore_backoff=args.ignore_backoff)
    )
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.summary() + "\n")
    tried = report.feeds_checked
    return 1 if tried and report.feeds_failed == tried else 0
