"""Footprint of retrieval on one corpus: build peak, cache size, warm start, RSS, latency.

    python benchmarks/footprint.py --corpus ../shared/corpus/hddtvn --data /tmp/fp-data \
        --queries ../shared/eval/dev.jsonl --queries tests/data/sample_queries.jsonl \
        [--cold] [--ids-out top10.json] [--reload]

Each stage runs in a fresh child process so that its peak RSS (VmHWM) is its own:

- ``--cold``: the data directory is emptied and the caches built (all cores), reporting
  build time and the build's peak RSS (the analysing worker processes not counted);
- a warm search process: RSS after the imports, after `build_searcher` (caches warm),
  after the first answer and after every question; time from process start to first
  answer; then full answers (10 hits with passage, best sentence and highlights) for
  every question, `--repeats` times, p50/p99.

``--reload`` then times what the ingest usually asks for, on a copy of the warm caches
and a corpus of symlinks in a temporary directory (the corpus is never touched): one
article added, one changed, one removed, each until the new searcher serves, while a
thread keeps asking the old searcher five questions a second (the bot answering
meanwhile).

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
    return (
        f"RSS {_status_mib('VmRSS'):.0f} MiB (anonymous {_status_mib('RssAnon'):.0f}, "
        f"mapped files {_status_mib('RssFile'):.0f}; peak {_status_mib('VmHWM'):.0f})"
    )


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
    scoring: list[float] = []
    for _ in range(args.repeats):
        for query in queries:
            started = time.perf_counter()
            prepared = searcher._prepare(query)
            if prepared is not None:
                searcher._score(prepared)
            scoring.append(time.perf_counter() - started)
    p50, p99 = np.percentile(np.asarray(scoring) * 1000, [50, 99])
    print(f"scoring only (query analysis + BM25 over all fields and levels, no hits): "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    if args.ids_out:
        args.ids_out.write_text(json.dumps(top, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"top-10 ids written to {args.ids_out}")


_ADDED = """---
title: Hải quan Cà Mau thử nghiệm phao định vị cho tàu chở cá xuất khẩu
url: https://example.vn/footprint-bai-moi
date: 2021-03-02
source: example.vn
---

Cục Hải quan Cà Mau gắn phao định vị lên tàu chở cá xuất khẩu để theo dõi hành trình.
"""
_CHANGED = "\nĐoạn thêm cho phép đo: hải quan thử nghiệm kính viễn vọng soi hầm tàu.\n"


def _ask(searcher: object, question: str, answered: list[float], stop: object) -> None:
    """Ask `searcher` five questions a second (a busy bot) until `stop` is set."""
    while not stop.is_set():  # type: ignore[attr-defined]
        started = time.perf_counter()
        searcher.search(question, k=10)  # type: ignore[attr-defined]
        answered.append(time.perf_counter() - started)
        stop.wait(0.2)  # type: ignore[attr-defined]


def _child_reload(args: argparse.Namespace) -> None:
    import tempfile
    import threading

    from corpus import iter_article_files
    from retrieval.build import build_searcher, cache_dir, flush_cache_writes

    with tempfile.TemporaryDirectory(prefix="haiquan-footprint-") as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        files, _ = iter_article_files(args.corpus)
        for article_id, path in files:
            link = corpus / article_id
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path.resolve())
        shutil.copytree(cache_dir(args.data, args.corpus), cache_dir(data, corpus))
        searcher, _, stats = build_searcher(corpus, data, progress=False)
        print(f"reload bench: warm start {stats.total_seconds:.2f}s, index from cache "
              f"{stats.index_from_cache}")
        question = "thủ tục hải quan điện tử đối với hàng xuất khẩu"
        victim = sorted(corpus.glob("*.md"))[len(files) // 2]

        def add() -> None:
            (corpus / "zz-footprint-new.md").write_text(_ADDED, encoding="utf-8")

        def change() -> None:
            text = victim.read_text(encoding="utf-8")
            victim.unlink()
            victim.write_text(text + _CHANGED, encoding="utf-8")

        def remove() -> None:
            (corpus / "zz-footprint-new.md").unlink()

        checks = {
            "added": lambda s: s.search("phao định vị tàu chở cá Cà Mau", 1)[0].article_id
            == "zz-footprint-new.md",
            "changed": lambda s: s.search("kính viễn vọng soi hầm tàu", 1)[0].article_id
            == victim.name,
            "removed": lambda s: s.article("zz-footprint-new.md") is None,
        }
        for name, step in (("added", add), ("changed", change), ("removed", remove)):
            step()
            answered: list[float] = []
            stop = threading.Event()
            asker = threading.Thread(target=_ask, args=(searcher, question, answered, stop))
            asker.start()
            started = time.perf_counter()
            searcher, _, stats = build_searcher(corpus, data, progress=False,
                                                wait_for_cache=False)
            seconds = time.perf_counter() - started
            stop.set()
            asker.join()
            flush_cache_writes()
            print(
                f"one article {name}: serving after {seconds:.2f}s "
                f"({', '.join(f'{k} {v:.1f}s' for k, v in stats.seconds.items())}; analysed "
                f"{stats.analysed}); correct: {checks[name](searcher)}; the old searcher "
                f"answered {len(answered)} questions meanwhile (slowest "
                f"{max(answered, default=0) * 1000:.0f} ms)"
            )
        print(f"reload bench peak RSS {_status_mib('VmHWM'):.0f} MiB")


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
    parser.add_argument("--reload", action="store_true", help="time one-article reloads")
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--stage", choices=["build", "serve", "reload"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "build":
        _child_build(args)
        return
    if args.stage == "serve":
        _child_serve(args)
        return
    if args.stage == "reload":
        _child_reload(args)
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
    if args.reload:
        _run_child("reload", argv)


if __name__ == "__main__":
    main()
