"""``haiquan-bot index`` and ``haiquan-bot search``: build the cache, query it from a shell."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from corpus.cli import corpus_arg, resolve_corpus, resolve_data_dir
from retrieval.build import BuildStats, build_searcher
from retrieval.errors import RetrievalError
from retrieval.searcher import Hit, Searcher

__all__ = ["add_retrieval_commands", "data_dir_arg", "hit_json", "resolve_data_dir"]


def data_dir_arg(parser: argparse.ArgumentParser) -> None:
    """The shared ``--data-dir DIR`` option."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="index cache and database (default: $HAIQUAN_DATA_DIR, else the user data dir)",
    )


def add_retrieval_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``index`` and ``search``."""
    index = subparsers.add_parser("index", help="build or refresh the search index cache")
    corpus_arg(index)
    data_dir_arg(index)
    index.set_defaults(handler=_index)

    search = subparsers.add_parser(
        "search", help="rank articles for a question (or a file of them)"
    )
    search.add_argument("query", nargs="?", help="the question (omit with --queries)")
    corpus_arg(search)
    data_dir_arg(search)
    search.add_argument(
        "--top-k", type=_positive, default=5, metavar="N", help="results (default 5)"
    )
    search.add_argument("--json", action="store_true", help="JSON output")
    search.add_argument(
        "--queries",
        type=Path,
        metavar="FILE.jsonl",
        help="batch mode: lines with 'id' and 'query'; one JSON line out per query",
    )
    search.set_defaults(handler=_search)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def load_searcher(args: argparse.Namespace) -> tuple[Searcher, BuildStats]:
    """Build or load the searcher for the command's --corpus and --data-dir."""
    searcher, _, stats = build_searcher(
        resolve_corpus(args.corpus), resolve_data_dir(args.data_dir)
    )
    return searcher, stats


def _index(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    searcher, report, stats = build_searcher(
        resolve_corpus(args.corpus), resolve_data_dir(args.data_dir)
    )
    out = sys.stdout
    out.write(f"corpus: {report.root}\n")
    out.write(
        f"articles: {stats.articles} ({stats.indexed} indexed, {stats.skipped} files skipped)\n"
    )
    out.write(f"passages: {stats.passages}\n")
    out.write(f"analysed now: {stats.analysed}, reused from cache: {stats.reused}\n")
    out.write(f"index: {'loaded from cache' if stats.index_from_cache else 'built'}\n")
    steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in stats.seconds.items())
    out.write(f"time: {time.perf_counter() - started:.1f}s ({steps})\n")
    for item in report.skipped:
        out.write(f"  skipped {item.path}: {item.reason}\n")
    del searcher
    return 0


def hit_json(hit: Hit) -> dict[str, Any]:
    """One hit as the JSON the batch and single search print."""
    return {
        "doc": hit.article_id,
        "score": round(hit.score, 4),
        "title": hit.title,
        "url": hit.url,
        "date": hit.published.isoformat() if hit.published else None,
        "passage": hit.passage,
        "sentence": hit.best_sentence,
        "highlights": [list(span) for span in hit.highlights],
    }


def _search(args: argparse.Namespace) -> int:
    if (args.query is None) == (args.queries is None):
        sys.stderr.write("haiquan-bot search: give a question or --queries FILE, not both\n")
        return 2
    searcher, _ = load_searcher(args)
    if args.queries is not None:
        for qid, query in _read_queries(args.queries):
            hits = searcher.search(query, args.top_k)
            row = {"id": qid, "results": [hit_json(h) for h in hits]}
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    hits = searcher.search(args.query, args.top_k)
    if args.json:
        json.dump([hit_json(h) for h in hits], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print_hits(hits, sys.stdout)
    return 0


def _read_queries(path: Path) -> Iterator[tuple[Any, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield row["id"], str(row["query"])
            except (ValueError, KeyError, TypeError):
                message = f"{path}:{number}: expected a JSON object with id and query"
                raise RetrievalError(message) from None


def _print_hits(hits: list[Hit], out: TextIO) -> None:
    if not hits:
        out.write("(no relevant article)\n")
    for rank, hit in enumerate(hits, start=1):
        date = hit.published.strftime("%d/%m/%Y") if hit.published else "-"
        out.write(f"{rank}. [{hit.score:.1f}] {hit.title} ({date})\n   {hit.article_id}\n")
        out.write(f"   » {hit.best_sentence}\n")
