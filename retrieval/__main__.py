"""``python -m retrieval eval|bench``: measuring scripts that print figures.

    python -m retrieval eval --corpus DIR [--queries FILE.jsonl] [--negatives FILE ...]
        [--min-mrr X] [--min-anshit1 X] [--max-declined X] [--min-neg-declined X]
    python -m retrieval bench --corpus DIR [--queries FILE.jsonl]
    python -m retrieval train-reranker --corpus DIR --queries A.jsonl --negatives NA.jsonl
    python -m retrieval train-decline --corpus DIR --queries A.jsonl --broad BA.jsonl
        --negatives NA.jsonl

`eval` exits 1 when a figure falls below (above, for declined answerable questions) its
floor: CI uses the floors as a regression guard, set just under the measured figures.
`train-reranker` fits the second-stage model and writes ``retrieval/reranker.json``;
`train-decline` fits the model that decides whether to answer at all
(``retrieval/decline.json``), after the reranker, whose probabilities it reads.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus.errors import CorpusError
from retrieval.bench import run_bench
from retrieval.build import build_searcher
from retrieval.decline import DECLINE_PATH
from retrieval.errors import RetrievalError
from retrieval.evaluate import (
    BOT_DEPTH,
    declining_cost,
    evaluate,
    format_report,
    read_questions,
)
from retrieval.rerank import MODEL_PATH

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m retrieval", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser("eval", help="MRR@10, Hit@k, answer-in-passage by variant")
    ev.add_argument("--corpus", type=Path, required=True)
    ev.add_argument("--queries", type=Path, action="append", default=[],
                    help="answerable questions (repeatable)")
    ev.add_argument("--negatives", type=Path, action="append", default=[],
                    help="questions the corpus cannot answer (repeatable)")
    ev.add_argument("--broad", type=Path, action="append", default=[],
                    help="broad questions many articles answer: only declining is measured")
    ev.add_argument("--data-dir", type=Path, help="cache directory (default: no cache)")
    ev.add_argument("--k", type=int, default=BOT_DEPTH, help=f"depth (default {BOT_DEPTH})")
    ev.add_argument("--min-mrr", type=float, help="exit 1 when MRR@10 is below this")
    ev.add_argument("--min-anshit1", type=float, help="exit 1 when AnsHit@1 is below this")
    ev.add_argument("--max-declined", type=float,
                    help="exit 1 when more answerable questions than this share are declined")
    ev.add_argument("--min-neg-declined", type=float,
                    help="exit 1 when fewer unanswerable questions than this share are declined")
    ev.add_argument("--max-broad-declined", type=float,
                    help="exit 1 when more broad questions than this share are declined")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--no-rerank", action="store_true",
                    help="first stage only (the figures before the reranker)")
    tr = commands.add_parser("train-reranker", help="fit the second-stage model")
    tr.add_argument("--corpus", type=Path, required=True)
    tr.add_argument("--queries", type=Path, action="append", required=True,
                    help="answerable training questions (set A)")
    tr.add_argument("--negatives", type=Path, action="append", default=[],
                    help="unanswerable training questions")
    tr.add_argument("--data-dir", type=Path, help="cache directory (default: no cache)")
    tr.add_argument("--l2", type=float, default=10.0, help="ridge penalty (default 10)")
    tr.add_argument("--max-declined", type=float, default=0.015,
                    help="share of training questions the threshold may decline")
    tr.add_argument("--out", type=Path, default=MODEL_PATH)
    de = commands.add_parser("train-decline", help="fit the model that decides to decline")
    de.add_argument("--corpus", type=Path, required=True)
    de.add_argument("--queries", type=Path, action="append", required=True,
                    help="answerable training questions")
    de.add_argument("--broad", type=Path, action="append", default=[],
                    help="broad answerable training questions")
    de.add_argument("--negatives", type=Path, action="append", required=True,
                    help="unanswerable training questions")
    de.add_argument("--data-dir", type=Path, help="cache directory (default: no cache)")
    de.add_argument("--l2", type=float, default=3.0, help="ridge penalty (default 3)")
    de.add_argument("--max-declined", type=float, default=0.01,
                    help="share of answerable training questions the threshold may decline")
    de.add_argument("--out", type=Path, default=DECLINE_PATH)
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
        if args.command == "train-reranker":
            return _train(args)
        if args.command == "train-decline":
            return _train_decline(args)
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
    questions = [q for path in args.queries for q in read_questions(path)]
    negatives = [q for path in args.negatives for q in read_questions(path)]
    broad = [q for path in args.broad for q in read_questions(path)]
    if not questions and not negatives and not broad:
        sys.stderr.write("python -m retrieval eval: give --queries, --negatives or --broad\n")
        return 2
    searcher, _, stats = build_searcher(args.corpus, args.data_dir)
    if args.no_rerank:
        searcher = dataclasses.replace(searcher, reranker=None)
    evaluation = evaluate(searcher, questions, negatives, broad=broad, k=args.k)
    if args.json:
        json.dump(evaluation.as_json(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        names = ", ".join(str(p) for p in [*args.queries, *args.negatives, *args.broad])
        sys.stdout.write(
            f"corpus {args.corpus}: {stats.indexed} articles, {stats.passages} passages; "
            f"{len(questions)} questions, {len(negatives)} unanswerable, {len(broad)} broad, "
            f"k={args.k} ({names})\n"
        )
        sys.stdout.write(format_report(evaluation) + "\n")
        if questions and searcher.reranker is not None:
            ranked, lost = declining_cost(searcher, questions)
            sys.stdout.write(
                f"\nrecall: the ranking alone has the answer in its top 10 for {ranked} "
                f"questions; declining and listing lose {lost} of them\n"
            )
    return _check_floors(args, evaluation.as_json())


def _train(args: argparse.Namespace) -> int:
    from retrieval.train import train_reranker

    questions = [q for path in args.queries for q in read_questions(path)]
    negatives = [q for path in args.negatives for q in read_questions(path)]
    searcher, _, _ = build_searcher(args.corpus, args.data_dir)
    model = train_reranker(searcher, questions, negatives, l2=args.l2,
                           max_declined=args.max_declined)
    model.save(args.out)
    sys.stdout.write(
        f"trained on {len(questions)} questions + {len(negatives)} unanswerable: "
        f"answer threshold {model.answer_threshold:.3f}, list threshold "
        f"{model.list_threshold:.3f}; written to {args.out}\n"
    )
    for name, weight in sorted(zip(model.features, model.weights.tolist(), strict=True),
                               key=lambda kv: -abs(kv[1])):
        sys.stdout.write(f"  {name:<20} {weight:+.3f}\n")
    return 0


def _train_decline(args: argparse.Namespace) -> int:
    from retrieval.decline import POOL_FEATURE_NAMES
    from retrieval.train import train_decline

    answerable = [q for path in [*args.queries, *args.broad] for q in read_questions(path)]
    negatives = [q for path in args.negatives for q in read_questions(path)]
    searcher, _, _ = build_searcher(args.corpus, args.data_dir)
    model = train_decline(searcher, answerable, negatives, l2=args.l2,
                          max_declined=args.max_declined)
    model.save(args.out)
    info = model.info
    sys.stdout.write(
        f"trained on {info['answerable']} answerable + {info['unanswerable']} unanswerable: "
        f"threshold {model.threshold:.3f}; out of fold {info['answerable_declined']:.1%} of "
        f"answerable and {info['unanswerable_declined']:.1%} of unanswerable declined; "
        f"written to {args.out}\n"
    )
    for name, weight in sorted(zip(POOL_FEATURE_NAMES, model.model.weights.tolist(),
                                   strict=True), key=lambda kv: -abs(kv[1])):
        sys.stdout.write(f"  {name:<20} {weight:+.3f}\n")
    return 0


def _check_floors(args: argparse.Namespace, figures: dict[str, Any]) -> int:
    """1 when any figure given a floor on the command line misses it."""
    answerable = figures["answerable"].get("all", {})
    unanswerable = figures.get("unanswerable", {}).get("all", {})
    broad = figures.get("broad", {}).get("all", {})
    checks = [
        ("MRR@10", answerable.get("mrr@10"), args.min_mrr, False),
        ("AnsHit@1", answerable.get("anshit@1"), args.min_anshit1, False),
        ("answerable declined", answerable.get("declined"), args.max_declined, True),
        ("unanswerable declined", unanswerable.get("declined"), args.min_neg_declined, False),
        ("broad declined", broad.get("declined"), args.max_broad_declined, True),
    ]
    status = 0
    for name, value, floor, is_ceiling in checks:
        if floor is None:
            continue
        if value is None:
            sys.stderr.write(f"{name}: no questions to measure it on\n")
            status = 1
        elif (value > floor) if is_ceiling else (value < floor):
            word = "above the ceiling" if is_ceiling else "below the floor"
            sys.stderr.write(f"{name} {value:.3f} is {word} {floor:.3f}\n")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
