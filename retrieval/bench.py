"""Speed and memory of retrieval on a corpus: a script that prints figures, not a test.

Steps, all in one process so peak RSS covers them: a cold build into an empty data
directory (all cores), a warm start from that cache, a rebuild after adding one
article, query latency with and without query analysis, and -- on the same passages and
questions -- rank_bm25's `BM25Okapi.get_scores`, the reference engine, for the ratio.

The corpus is never modified: the bench works on a temporary directory of symlinks to
its files, plus one article written for the purpose.
"""

from __future__ import annotations

import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from corpus import iter_article_files, render_front_matter
from retrieval.analyzer import analyze
from retrieval.build import BuildStats, build_searcher, flush_cache_writes
from retrieval.features import candidate_features
from retrieval.searcher import POOL, Searcher

__all__ = ["run_bench"]

# Results per page of a private answer (`bot.platform.cards.PAGE_SIZE`; the bot is not
# imported here, retrieval must not depend on it).
_BOT_PAGE = 3

_NEW_ARTICLE = render_front_matter(
    title="Hải quan thí điểm tiếp nhận hồ sơ điện tử cho hàng quá cảnh",
    url="https://example.vn/bai-viet-cho-benchmark",
    date="2021-02-01",
    source="example.vn",
    paragraphs=[
        "Bài viết này chỉ dùng để đo thời gian cập nhật chỉ mục khi có thêm một bài mới.",
        "Nội dung nói về việc tiếp nhận hồ sơ điện tử cho hàng quá cảnh tại cửa khẩu.",
    ],
)


def _percentiles(samples: Sequence[float]) -> str:
    values = np.asarray(samples) * 1000.0
    p50, p99 = np.percentile(values, [50, 99])
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, mean {values.mean():.2f} ms (n={len(values)})"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_bench(
    corpus_dir: Path,
    queries: Sequence[str],
    *,
    repeats: int = 3,
    reference_queries: int = 20,
    out: TextIO = sys.stdout,
) -> None:
    """Run every step and print its figures to `out`."""
    with tempfile.TemporaryDirectory(prefix="haiquan-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        data = work / "data"
        files, _ = iter_article_files(corpus_dir)
        for article_id, path in files:
            link = corpus / article_id
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path.resolve())
        out.write(f"corpus: {corpus_dir} ({len(files)} files, linked into {corpus})\n")

        searcher, stats, cold = _timed_build(corpus, data)
        steps = _steps(stats)
        out.write(
            f"cold build: {cold:.1f}s ({steps}); {stats.indexed} articles, "
            f"{stats.passages} passages; peak RSS so far {_peak_rss_mib():.0f} MiB\n"
        )
        size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 2**20
        out.write(f"cache on disk: {size:.0f} MiB\n")
        del searcher

        searcher, stats, warm = _timed_build(corpus, data)
        steps = _steps(stats)
        out.write(
            f"warm start: {warm:.2f}s ({steps}; index from cache: {stats.index_from_cache})\n"
        )

        (corpus / "zz-bench-new-article.md").write_text(_NEW_ARTICLE, encoding="utf-8")
        del searcher
        started = time.perf_counter()
        searcher, _, stats = build_searcher(corpus, data, progress=False, wait_for_cache=False)
        added = time.perf_counter() - started
        flush_cache_writes()
        written = time.perf_counter() - started
        steps = _steps(stats)
        out.write(
            f"rebuild after adding one article: serving after {added:.2f}s ({steps}; "
            f"analysed {stats.analysed}); caches written in the background by {written:.2f}s\n"
        )

        timings = _latency(searcher, queries, repeats, out)
        out.write(f"peak RSS of all the steps above: {_peak_rss_mib():.0f} MiB\n")
        _reference(searcher, queries[:reference_queries], timings, len(queries), repeats,
                   out)
        shutil.rmtree(work, ignore_errors=True)


def _timed_build(corpus: Path, data: Path) -> tuple[Searcher, BuildStats, float]:
    started = time.perf_counter()
    searcher, _, stats = build_searcher(corpus, data, progress=False)
    return searcher, stats, time.perf_counter() - started


def _steps(stats: BuildStats) -> str:
    return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in stats.seconds.items())


def _stages(searcher: Searcher) -> dict[str, Callable[[str], object]]:
    """The stages of one answer, each timed from the raw question:

    - ``first stage``: query analysis and BM25 over every field and level (no hits);
    - ``with the reranker``: that, the pool of `POOL` candidates with the windows they
      would show, their features and the model's probabilities (no hits built);
    - ``full answer, 10 hits``: `Searcher.search(q, 10)`, passage, best sentence and
      highlights of every hit (what `benchmarks/footprint.py` times too);
    - ``bot's answer, 20 deep``: `Searcher.search(q, POOL, shown=slice(0, 3))`, what
      the bot asks for a question: as deep as it pages, the first page of three
      explained (the others are when a page button shows them);
    - ``whole search, 20 deep``: `Searcher.search(q, POOL)`, every hit explained.
    """
    reranker = searcher.reranker

    def first_stage(query: str) -> None:
        prepared = searcher._prepare(query)
        if prepared is not None:
            searcher._score(prepared)

    def reranked(query: str) -> None:
        prepared = searcher._prepare(query)
        if prepared is None or reranker is None:
            return
        scores = searcher._score(prepared)
        pool = searcher._pool(prepared, *scores, POOL)
        if pool:
            rows = candidate_features(searcher.index, searcher._facts(prepared, query), pool)
            reranker.probabilities(rows)

    return {
        "first stage": first_stage,
        "with the reranker": reranked,
        "full answer, 10 hits": lambda query: searcher.search(query, 10),
        f"bot's answer, {POOL} deep": lambda query: searcher.search(
            query, POOL, shown=slice(0, _BOT_PAGE)),
        f"whole search, {POOL} deep": lambda query: searcher.search(query, POOL),
    }


def _latency(
    searcher: Searcher, queries: Sequence[str], repeats: int, out: TextIO
) -> dict[str, list[float]]:
    """Latency of each of `_stages`, every question `repeats` times."""
    stages = _stages(searcher)
    timings: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(repeats):
        for query in queries:
            for name, stage in stages.items():
                started = time.perf_counter()
                stage(query)
                timings[name].append(time.perf_counter() - started)
    if searcher.reranker is None:
        out.write("no reranker model: 'with the reranker' times nothing\n")
    for name, samples in timings.items():
        out.write(f"{name + ':':<28}{_percentiles(samples)}\n")
    return timings


def _reference(
    searcher: Searcher,
    queries: Sequence[str],
    timings: dict[str, list[float]],
    n_questions: int,
    repeats: int,
    out: TextIO,
) -> None:
    """rank_bm25 against our passage scoring on the same syllable tokens, and against
    each stage of an answer question by question.

    rank_bm25 runs in a child process, so its memory does not count in ours. Each
    question is scored there and then answered here, side by side: this machine's
    speed drifts by a fifth within minutes, and two timings taken minutes apart compare
    the drift as much as the engines."""
    started = time.perf_counter()
    passages = [text for texts in searcher.passages for text in texts]
    tokenized = [analyze(text, normalized=True).acc for text in passages]
    query_tokens = [analyze(query).acc for query in queries]
    tokenize = time.perf_counter() - started
    context = multiprocessing.get_context("spawn")
    stages = _stages(searcher)
    field = searcher.index.levels["passage"]["acc"]
    theirs: list[float] = []
    ours: list[float] = []
    ratios: dict[str, list[float]] = {name: [] for name in stages}
    with context.Pool(1, initializer=_start_reference, initargs=(tokenized,)) as pool:
        build, rss = pool.apply(_reference_built)
        for query, tokens in zip(queries, query_tokens, strict=True):
            reference = pool.apply(_time_reference, (tokens,))
            theirs.append(reference)
            started = time.perf_counter()
            keys = searcher.index.query_keys(analyze(query))["acc"]
            scores = np.zeros(searcher.n_passages, np.float32)
            field.add_scores(scores, keys[0], keys[1])
            ours.append(time.perf_counter() - started)
            for name, stage in stages.items():
                samples = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    stage(query)
                    samples.append(time.perf_counter() - started)
                ratios[name].append(reference / statistics.median(samples))
        rss = max(rss, pool.apply(_reference_built)[1])
    out.write(
        f"rank_bm25 BM25Okapi over the same {len(passages)} passages (accented syllables): "
        f"tokens {tokenize:.1f}s, build {build:.1f}s, its process peak RSS {rss:.0f} MiB\n"
    )
    out.write(f"rank_bm25 get_scores:                  {_percentiles(theirs)}\n")
    out.write(f"ours, same field and passages:         {_percentiles(ours)}\n")
    ratio = statistics.median(theirs) / statistics.median(ours)
    out.write(f"speed-up at the median: {ratio:.0f}x (same field)\n")
    # Medians of the timings above against rank_bm25's: on the same questions (the
    # first `len(queries)` of each repeat), minutes apart.
    for name, samples in timings.items():
        mine = [t for i, t in enumerate(samples) if i % n_questions < len(queries)]
        ratio = statistics.median(theirs) / statistics.median(mine)
        out.write(f"rank_bm25 get_scores / ours, {name}, at the median: {ratio:.0f}x\n")
    # Question by question, side by side: rank_bm25 on a question, then each stage on
    # it (`repeats` times, their median); the median and the lowest tenth of the ratios.
    for name, values in ratios.items():
        low, middle = np.percentile(values, [10, 50])
        out.write(f"per question, side by side, {name}: median {middle:.0f}x, "
                  f"10th percentile {low:.0f}x (n={len(values)})\n")


_REFERENCE: dict[str, object] = {}


def _start_reference(tokenized: list[list[str]]) -> None:
    """Build rank_bm25's index in the child process, once."""
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    _REFERENCE["bm25"] = BM25Okapi(tokenized)
    _REFERENCE["build"] = time.perf_counter() - started


def _reference_built() -> tuple[float, float]:
    """(build seconds, peak RSS in MiB) of the child process."""
    return float(_REFERENCE["build"]), _own_peak_rss_mib()  # type: ignore[arg-type]


def _time_reference(tokens: list[str]) -> float:
    """Seconds rank_bm25's `get_scores` takes for one question."""
    reference = _REFERENCE["bm25"]
    started = time.perf_counter()
    reference.get_scores(tokens)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _own_peak_rss_mib() -> float:
    """Peak RSS of this process since it started (getrusage also counts a forked parent)."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return _peak_rss_mib()
