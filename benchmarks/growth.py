"""How build and serving grow with the corpus: 1x, 2x, 5x the shared corpus.

    pip install -e ".[bench]"   # matplotlib, for the plot
    python benchmarks/growth.py --corpus ../shared/corpus/hddtvn \
        --queries ../shared/eval/dev.jsonl --queries tests/data/sample_queries.jsonl \
        --scales 1 2 5 --plot docs/growth.png

A scaled corpus is the real one (symlinked) plus composed articles: each takes a real
article's title and topic, and paragraphs drawn from real articles of the same topic
(the title word shared by the fewest titles, among words in at least five). The seed is
fixed, so a scale is the same corpus on every run. Everything is written to a temporary
directory outside the repository and deleted afterwards; nothing composed is kept.

For each scale, in fresh child processes: a cold build (time; peak RSS of the building
process, the analysing workers not counted), the cache size, a warm serving process
(RSS after every question; full 10-hit answers and the bot's answer -- 20 deep, the
first page of 3 explained -- p50/p99). Prints a Markdown table; with
``--plot``, draws it.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SEED = 20261203
_WORD = re.compile(r"\w+")


def _status_mib(field: str) -> float:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _compose(corpus: Path, target: Path, scale: int) -> int:
    """Write a corpus of `scale` times the articles of `corpus` into `target`."""
    from corpus import iter_article_files, load_corpus, render_front_matter

    files, _ = iter_article_files(corpus)
    for article_id, path in files:
        link = target / article_id
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    if scale == 1:
        return len(files)
    articles = [a for a in load_corpus(corpus).articles if a.paragraphs]
    title_words = [set(_WORD.findall(a.title.lower())) for a in articles]
    df = collections.Counter(w for words in title_words for w in words)
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for index, words in enumerate(title_words):
        common = [w for w in words if df[w] >= 5]
        topic = min(common, key=lambda w: (df[w], w)) if common else ""
        groups[topic].append(index)
    topic_of = {i: topic for topic, members in groups.items() for i in members}
    rng = random.Random(_SEED)
    count = len(files)
    for copy in range(1, scale):
        for index, seed in enumerate(articles):
            members = groups[topic_of[index]]
            paragraphs = [
                rng.choice(articles[rng.choice(members)].paragraphs)
                for _ in range(max(2, len(seed.paragraphs)))
            ]
            text = render_front_matter(
                title=seed.title,
                url=f"https://example.vn/growth/{copy}/{index}",
                date=seed.published.isoformat() if seed.published else "",
                source="example.vn",
                paragraphs=paragraphs,
            )
            (target / f"growth-{copy}-{index:05d}.md").write_text(text, encoding="utf-8")
            count += 1
    return count


def _child_build(corpus: Path, data: Path) -> None:
    from retrieval.build import build_searcher

    started = time.perf_counter()
    _, _, stats = build_searcher(corpus, data, progress=False)
    print(json.dumps({
        "build_s": time.perf_counter() - started,
        "build_peak_mib": _status_mib("VmHWM"),
        "articles": stats.indexed,
        "passages": stats.passages,
    }))


def _child_serve(corpus: Path, data: Path, queries: list[Path]) -> None:
    import numpy as np

    from retrieval.build import build_searcher

    started = time.perf_counter()
    searcher, _, stats = build_searcher(corpus, data, progress=False)
    questions = [
        json.loads(line)["query"]
        for path in queries
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    searcher.search(questions[0], k=10)
    start_s = time.perf_counter() - started
    timings: list[float] = []
    bot: list[float] = []  # the bot's question: 20 deep, the first page of 3 explained
    for _ in range(3):
        for question in questions:
            began = time.perf_counter()
            searcher.search(question, k=10)
            timings.append(time.perf_counter() - began)
            began = time.perf_counter()
            searcher.search(question, k=20, shown=slice(0, 3))
            bot.append(time.perf_counter() - began)
    p50, p99 = np.percentile(np.asarray(timings) * 1000, [50, 99])
    bot50, bot99 = np.percentile(np.asarray(bot) * 1000, [50, 99])
    print(json.dumps({
        "warm_start_s": start_s,
        "index_from_cache": stats.index_from_cache,
        "serve_rss_mib": _status_mib("VmRSS"),
        "serve_peak_mib": _status_mib("VmHWM"),
        "p50_ms": p50,
        "p99_ms": p99,
        "bot_p50_ms": bot50,
        "bot_p99_ms": bot99,
    }))


def _child(*argv: str) -> dict[str, float]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *argv], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _plot(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [r["scale"] for r in rows]
    figure, (memory, latency) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (
        ("build_peak_mib", "build peak RSS"),
        ("serve_peak_mib", "serving peak RSS"),
        ("cache_mib", "cache on disk"),
    ):
        memory.plot(scales, [r[key] for r in rows], marker="o", label=label)
    memory.set_xlabel("corpus size (x 8,200 articles)")
    memory.set_ylabel("MiB")
    memory.legend()
    memory.set_title("memory and disk")
    latency.plot(scales, [r["p50_ms"] for r in rows], marker="o", label="10 hits, p50")
    latency.plot(scales, [r["p99_ms"] for r in rows], marker="o", label="10 hits, p99")
    latency.plot(scales, [r["bot_p50_ms"] for r in rows], marker="o", label="bot, p50")
    latency.plot(scales, [r["bot_p99_ms"] for r in rows], marker="o", label="bot, p99")
    latency.set_xlabel("corpus size (x 8,200 articles)")
    latency.set_ylabel("ms per answer")
    latency.legend()
    latency.set_title("query latency")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    """Build and measure every scale; print the table (and draw it)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--queries", type=Path, action="append")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 5])
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        stage, corpus, data = args.stage[0], Path(args.stage[1]), Path(args.stage[2])
        if stage == "build":
            _child_build(corpus, data)
        else:
            _child_serve(corpus, data, [Path(p) for p in args.stage[3:]])
        return
    rows = []
    print("| scale | articles | passages | build s | build peak MiB | cache MiB | warm start s "
          "| serving peak MiB | answer p50 ms | answer p99 ms | bot p50 ms | bot p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix=f"haiquan-growth-{scale}x-") as tmp:
            corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
            _compose(args.corpus, corpus, scale)
            row: dict[str, float] = {"scale": scale}
            row.update(_child("--stage", "build", str(corpus), str(data)))
            files = [f for f in data.rglob("*") if f.is_file()]
            row["cache_mib"] = sum(f.stat().st_size for f in files) / 2**20
            row.update(
                _child("--stage", "serve", str(corpus), str(data), *map(str, args.queries))
            )
            if not row["index_from_cache"]:
                print(f"warning: the {scale}x serving process did not find the index cache",
                      file=sys.stderr)
        rows.append(row)
        print(
            f"| {scale}x | {row['articles']:,} | {row['passages']:,} | {row['build_s']:.0f} "
            f"| {row['build_peak_mib']:.0f} | {row['cache_mib']:.0f} "
            f"| {row['warm_start_s']:.2f} | {row['serve_peak_mib']:.0f} "
            f"| {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['bot_p50_ms']:.1f} | {row['bot_p99_ms']:.1f} |",
            flush=True,
        )
    if args.plot:
        _plot(rows, args.plot)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
