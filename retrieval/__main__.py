"""``python -m retrieval eval|bench``: measuring scripts that print figures.

    python -m retrieval eval --corpus DIR --queries FILE.jsonl [--negatives FILE] [--min-mrr X]
    python -m retrieval bench --corpus DIR [--queries FILE.jsonl]

`eval --min-mrr` exits 1 when MRR@10 falls below the floor: CI uses it as a regression
guard, set just under the measured figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from corpus.errors import CorpusError
from retrieval.bench import run_bench
from retrieval.build import build_searcher
from retrieval.errors import RetrievalError
from retrieval.evaluate import evaluate, format_report, read_questions

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m retrieval", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser("eval", help="MRR@10, Hit@k, answer-in-passage by variant")
    ev.add_argument("--corpus", type=Path, required=True)
    ev.add_argument("--queries", type=Path, required=True)
    ev.add_argument("--negatives", type=Path, help="questions the corpus cannot answer")
    ev.add_argument("--data-dir", type=Path, help="cache directory (default: no cache)")
    ev.add_argument("--min-mrr", type=float, help="exit 1 when MRR@10 is below this")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    bench = commands.add_parser("bench", help="build times, latency, memory, rank_bm25 ratio")
    bench.add_argument("--corpus", type=Path, required=True)
    bench.add_argument("--queries", type=Path, help="JSON lines with 'query' (default: built-in)")
    bench.add_argument("--repeats", type=int, default=3)
    return parser


_DEFAULT_BENCH_QUERIES = [
    "thủ tục hải quan điện tử",
    "thu tuc hai quan dien tu",
    "Thông tư 39/2018/TT-BTC",
    "TT39",
    "thuế NK linh kiện ô tô",
    "DN XNK nợ thuế bị cưỡng chế",
    "Hải quan TP.HCM bắt ma túy",
    "kim ngach xuat nhap khau nam 2020",
    "hoá đơn điện tử bắt buộc từ ngày nào",
    "C/O mẫu D",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `eval` or `bench`; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "eval":
            return _eval(args)
        queries = (
            [q.query for q in read_questions(args.queries)]
            if args.queries
            else _DEFAULT_BENCH_QUERIES
        )
        run_bench(args.corpus, queries, repeats=args.repeats)
    except (CorpusError, RetrievalError, OSError) as exc:
        sys.stderr.write(f"python -m retrieval: error: {exc}\n")
        return 2
    return 0


def _eval(args: argparse.Namespace) -> int:
    searcher, _, stats = build_searcher(args.corpus, args.data_dir)
    questions = read_questions(args.queries)
    negatives = read_questions(args.negatives) if args.negatives else []
    evaluation = evaluate(searcher, questions, negatives)
    if args.json:
        json.dump(evaluation.summary(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(
            f"corpus {args.corpus}: {stats.indexed} articles, {stats.passages} passages; "
            f"{len(questions)} questions from {args.queries}\n"
        )
        sys.stdout.write(format_report(evaluation) + "\n")
    mrr = evaluation.summary()["all"]["mrr@10"]
    if args.min_mrr is not None and mrr < args.min_mrr:
        sys.stderr.write(f"MRR@10 {mrr:.3f} is below the floor {args.min_mrr:.3f}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
