"""Footprint of retrieval on one corpus: build peak, cache size, warm start, RSS, latency.

    python benchmarks/footprint.py --corpus ../shared/corpus/hddtvn --data /tmp/fp-data \
        --queries ../shared/eval/dev.jsonl --queries tests/data/sample_queries.jsonl \
        [--cold] [--ids-out top10.json]

Each stage runs in a fresh child process so that its peak RSS (VmHWM) is its own:

- ``--cold``: the data directory is emptied and the caches built (all cores), reporting
  build time and the build's peak RSS (the analysing worker processes not counted);
- a warm search process: RSS after the imports, after `build_searcher` (caches warm),
  after the first answer and after every question; time from process start to first
  answer; then full answers (10 hits with passage, best sentence and highlights) for
  every question, `--repeats` times, p50/p99.

``--ids-out`` writes the top-10 article ids of every question, to compare rankings
before and after a storage change (`--compare OTHER.json` prints the differences).
A script that prints figures, not a test; record them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

_START = time.perf_counter()


def _status_mib(field: str) -> float:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _rss() -> str:
    return f"RSS {_status_mib('VmRSS'):.0f} MiB (peak {_status_mib('VmHWM'):.0f})"


def _questions(paths: list[Path]) -> list[str]:
    queries: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            queries.extend(json.loads(line)["query"] for line in handle if line.strip())
    return queries


def _child_build(args: argparse.Namespace) -> None:
    from retrieval.build import build_searcher

    started = time.perf_counter()
    _, _, stats = build_searcher(args.corpus, args.data, progress=False)
    seconds = time.perf_counter() - started
    print(
        f"build: {seconds:.1f}s ({', '.join(f'{k} {v:.1f}s' for k, v in stats.seconds.items())});"
        f" {stats.indexed} articles, {stats.passages} passages; peak RSS "
        f"{_status_mib('VmHWM'):.0f} MiB"
    )


def _child_serve(args: argparse.Namespace) -> None:
    import numpy as np

    from retrieval.build import build_searcher

    print(f"after imports: {_rss()}")
    searcher, _, stats = build_searcher(args.corpus, args.data, progress=False)
    print(f"after warm build_searcher ({stats.seconds}, index from cache "
          f"{stats.index_from_cache}): {_rss()}")
    queries = _questions(args.queries)
    hits = searcher.search(queries[0], k=10)
    first = time.perf_counter() - _START
    if not hits or not hits[0].passage:
        raise SystemExit("the first question found nothing: wrong corpus?")
    print(f"first answer {first:.2f}s after process start: {_rss()}")
    top: dict[str, list[str]] = {}
    timings: list[float] = []
    for repeat in range(args.repeats):
        for query in queries:
            started = time.perf_counter()
            hits = searcher.search(query, k=10)
            timings.append(time.perf_counter() - started)
            if repeat == 0:
                top[query] = [h.article_id for h in hits]
    values = np.asarray(timings) * 1000
    p50, p99 = np.percentile(values, [50, 99])
    print(
        f"full answers (k=10, passage + sentence + highlights), {len(queries)} questions x "
        f"{args.repeats}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {values.max():.2f} ms"
    )
    print(f"after all questions: {_rss()}")
    if args.ids_out:
        args.ids_out.write_text(json.dumps(top, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"top-10 ids written to {args.ids_out}")


def _run_child(stage: str, argv: list[str]) -> None:
    subprocess.run([sys.executable, __file__, "--stage", stage, *argv], check=True)  # noqa: S603


def _cache_size(data: Path) -> None:
    files = sorted(f for f in data.rglob("*") if f.is_file())
    total = sum(f.stat().st_size for f in files)
    print(f"cache on disk: {total / 2**20:.0f} MiB")
    for f in files:
        print(f"  {f.relative_to(data)}: {f.stat().st_size / 2**20:.1f} MiB")


def _compare(mine: Path, other: Path) -> None:
    a = json.loads(mine.read_text(encoding="utf-8"))
    b = json.loads(other.read_text(encoding="utf-8"))
    differ = [q for q in a if a[q] != b.get(q)]
    print(f"top-10 ids: {len(a) - len(differ)} of {len(a)} questions identical to {other}")
    for query in differ:
        print(f"  differs: {query!r}\n    {a[query]}\n    {b.get(query)}")


def main() -> None:
    """Parse the arguments and run the stages (or one stage, in a child)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--queries", type=Path, action="append", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty the data dir and build")
    parser.add_argument("--ids-out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--stage", choices=["build", "serve"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "build":
        _child_build(args)
        return
    if args.stage == "serve":
        _child_serve(args)
        return
    argv = [
        "--corpus", str(args.corpus), "--data", str(args.data), "--repeats", str(args.repeats)
    ]
    for path in args.queries:
        argv += ["--queries", str(path)]
    if args.cold:
        shutil.rmtree(args.data, ignore_errors=True)
        _run_child("build", argv)
    _cache_size(args.data)
    _run_child("serve", argv + (["--ids-out", str(args.ids_out)] if args.ids_out else []))
    if args.compare and args.ids_out:
        _compare(args.ids_out, args.compare)


if __name__ == "__main__":
    main()
