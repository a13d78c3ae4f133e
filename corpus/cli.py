"""``haiquan-bot corpus ...`` subcommands: what a corpus directory holds."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from corpus.article import LoadReport
from corpus.dates import DATE_SOURCES
from corpus.kinds import KIND_LABELS
from corpus.loader import default_corpus_dir, default_data_dir, load_corpus

__all__ = [
    "add_corpus_commands",
    "corpus_arg",
    "default_data_dir",
    "resolve_corpus",
    "resolve_data_dir",
    "stats_summary",
]


def corpus_arg(parser: argparse.ArgumentParser) -> None:
    """The shared ``--corpus DIR`` option; unset means the bundled sample corpus."""
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        metavar="DIR",
        help="corpus directory (default: $HAIQUAN_CORPUS_DIR, else the bundled sample corpus)",
    )


def add_corpus_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``corpus stats``."""
    corpus = subparsers.add_parser("corpus", help="inspect a corpus directory")
    commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="COMMAND")
    stats = commands.add_parser("stats", help="count articles, skipped files and directives")
    corpus_arg(stats)
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=_stats)


def resolve_corpus(path: Path | None) -> Path:
    """The corpus directory to use: the flag, else $HAIQUAN_CORPUS_DIR, else the sample."""
    return path or _from_environment("HAIQUAN_CORPUS_DIR") or default_corpus_dir()


def resolve_data_dir(path: Path | None) -> Path:
    """The data directory to use: the flag, else $HAIQUAN_DATA_DIR, else the user data dir."""
    return path or _from_environment("HAIQUAN_DATA_DIR") or default_data_dir()


def _from_environment(name: str) -> Path | None:
    configured = os.environ.get(name, "").strip()
    return Path(configured) if configured else None


def _stats(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    report = load_corpus(resolve_corpus(args.corpus))
    elapsed = time.perf_counter() - started
    summary = stats_summary(report, elapsed)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"corpus: {report.root}\n")
    out.write(f"articles: {summary['articles']} (loaded in {elapsed:.1f}s)\n")
    out.write(f"directives: {summary['directives']}\n")
    for kind, count in summary["directive_kinds"].items():
        out.write(f"  {KIND_LABELS.get(kind, kind)}: {count}\n")
    dates = summary["dates"]
    if dates["first"]:
        out.write(f"dates: {dates['first']} .. {dates['last']} ({dates['dated']} dated)\n")
        methods = ", ".join(f"{k} {v}" for k, v in dates["by_source"].items())
        out.write(f"  by method: {methods}\n")
    else:
        out.write("dates: none derivable\n")
    out.write(f"skipped: {len(report.skipped)}\n")
    for item in report.skipped:
        out.write(f"  {item.path}: {item.reason}\n")
    return 0


def stats_summary(report: LoadReport, elapsed: float) -> dict[str, object]:
    """The ``corpus stats --json`` object."""
    kinds: dict[str, int] = {}
    for article in report.articles:
        if article.directive is not None:
            kinds[article.directive.kind] = kinds.get(article.directive.kind, 0) + 1
    dates = sorted(a.published for a in report.articles if a.published)
    return {
        "corpus": report.root,
        "articles": len(report.articles),
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "directives": len(report.directives),
        "directive_kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "dates": {
            "first": dates[0].isoformat() if dates else None,
            "last": dates[-1].isoformat() if dates else None,
            "dated": len(dates),
            "share": round(len(dates) / len(report.articles), 4) if report.articles else 0.0,
            "by_source": {
                source: count
                for source in DATE_SOURCES
                if (count := sum(1 for a in report.articles if a.date_source == source))
            },
        },
        "seconds": round(elapsed, 3),
    }
