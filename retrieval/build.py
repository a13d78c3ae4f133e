"""Building a `Searcher` from a corpus directory, reusing every cache that still fits.

Three caches live in the data directory, one set per corpus directory:

- ``articles.bin``: parsed articles by file content hash, text compressed
  (`corpus.ArticleCache`);
- ``analysis.bin``: analysed articles by content hash, valid for the analyser's code and
  settings (`cache_key.analysis_key`);
- ``index.bin``: the built index, valid for exactly one ordered list of content hashes,
  the same code and settings and the BM25 parameters (`cache_key.index_key`).

A warm start loads the articles and memory-maps the index, nothing else; adding one
article parses and analyses that article and rebuilds the index from the cached analyses
(numpy work, no tokenising); the first build analyses everything on all CPU cores with a
progress bar when run on a terminal.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus import Article, ArticleCache, LoadReport, default_data_dir, load_corpus
from retrieval.analysis import AnalysedArticle, analyse_article
from retrieval.cache_key import index_key
from retrieval.corpus_index import CorpusIndex
from retrieval.errors import IndexBuildError
from retrieval.forward import ForwardIndex
from retrieval.memory import release_unused_memory
from retrieval.ranking import DEFAULT_RANKING, RankingConfig
from retrieval.searcher import Searcher
from retrieval.store import load_analysis, load_index, map_analysis, save_analysis, save_index

__all__ = [
    "BuildStats",
    "build_searcher",
    "cache_dir",
    "default_data_dir",
    "flush_cache_writes",
]

logger = logging.getLogger(__name__)

# Below this many articles to analyse, starting worker processes costs more than it saves.
_PARALLEL_MIN = 200
# Fields built at once when rebuilding an index from cached analyses (`CorpusIndex.build`).
_RELOAD_THREADS = 2
_ARTICLES_FILE = "articles.bin"
_ANALYSIS_FILE = "analysis.bin"
_INDEX_FILE = "index.bin"
# Cache files of earlier formats that nothing reads any more: the ``.npz`` caches and the
# JSON article cache, which held the text uncompressed (47 MiB).
_SUPERSEDED = ("analysis.npz", "index.npz", "articles.json")


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What a build did and how long each step took (seconds)."""

    articles: int
    indexed: int
    passages: int
    skipped: int
    analysed: int
    reused: int
    index_from_cache: bool
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """Wall time of the whole build."""
        return sum(self.seconds.values())


def cache_dir(data_dir: Path, corpus_root: Path | str) -> Path:
    """The cache folder of one corpus: switching corpora never thrashes another's cache."""
    key = hashlib.blake2b(
        str(Path(corpus_root).resolve()).encode("utf-8"), digest_size=6
    ).hexdigest()
    return data_dir / "cache" / key


def build_searcher(
    corpus: Path | str | LoadReport,
    data_dir: Path | None = None,
    *,
    config: RankingConfig = DEFAULT_RANKING,
    progress: bool | None = None,
    workers: int | None = None,
    wait_for_cache: bool = True,
) -> tuple[Searcher, LoadReport, BuildStats]:
    """Load or build everything needed to search `corpus`.

    Args:
        corpus: a corpus directory, or articles already loaded.
        data_dir: where caches go; None keeps everything in memory.
        config: ranking knobs (the BM25 ones are part of the index cache key).
        progress: show a progress bar while analysing; None means "if stderr is a terminal".
        workers: processes for analysing; None means all CPU cores.
        wait_for_cache: write the caches before returning; with False they are written
            by a background thread (see `flush_cache_writes`), so a reload serves a
            second or two sooner. Either way a write is atomic.

    Raises:
        CorpusError: the corpus directory is missing or empty.
        IndexBuildError: no article has any text to index.
    """
    timings: dict[str, float] = {}
    writes: list[Callable[[], None]] = []
    started = time.perf_counter()
    folder = None
    if isinstance(corpus, LoadReport):
        report = corpus
        if data_dir is not None:
            folder = cache_dir(data_dir, report.root)
    else:
        folder = cache_dir(data_dir, corpus) if data_dir is not None else None
        article_cache = ArticleCache(folder / _ARTICLES_FILE) if folder else None
        report = load_corpus(corpus, cache=article_cache)
        if article_cache is not None:
            writes.append(article_cache.save)
    if folder is not None:
        writes.append(functools.partial(_remove_old_formats, folder))
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    key = index_key([a.content_hash for a in report.articles], config)
    loaded = load_index(folder / _INDEX_FILE, key) if folder else None
    if loaded is not None and len(loaded[1]) == len(report.articles):
        # The warm path: the index is mapped, and so is the analysis (its tokens are
        # read only for the candidates' windows, see `retrieval.forward`).
        index, indexed = loaded
        articles = list(itertools.compress(report.articles, indexed.tolist()))
        mapped = map_analysis(folder / _ANALYSIS_FILE) if folder else None
        forward = (ForwardIndex.from_arrays(mapped, [a.content_hash for a in articles],
                                            index.vocab)
                   if mapped is not None else None)
        searcher = Searcher.from_index(articles, index, config, forward)
        from_cache, n_fresh, n_missing = True, 0, 0
        timings["index"] = time.perf_counter() - started
    else:
        searcher, n_fresh, n_missing = _build_index(
            report, folder, config, key, writes, progress=progress, workers=workers,
            timings=timings,
        )
        index, articles, from_cache = searcher.index, list(searcher.articles), False
    if writes:
        started = time.perf_counter()
        if wait_for_cache:
            _write_caches(writes)
            timings["cache"] = time.perf_counter() - started
        else:
            _WRITER.submit(_write_caches, writes)

    stats = BuildStats(
        articles=len(report.articles),
        indexed=len(articles),
        passages=index.n_passages,
        skipped=len(report.skipped),
        analysed=n_fresh,
        reused=len(report.articles) - n_missing,
        index_from_cache=from_cache,
        seconds=timings,
    )
    logger.info(
        "index ready: %d articles (%d analysed, %d from cache), %d passages, %.1fs",
        stats.indexed,
        stats.analysed,
        stats.reused,
        stats.passages,
        stats.total_seconds,
    )
    return searcher, report, stats



def _build_index(
    report: LoadReport,
    folder: Path | None,
    config: RankingConfig,
    key: str,
    writes: list[Callable[[], None]],
    *,
    progress: bool | None,
    workers: int | None,
    timings: dict[str, float],
) -> tuple[Searcher, int, int]:
    """Analyse what the analysis cache lacks and build the index; queues the cache writes.

    Returns the searcher, the number of articles analysed and of articles missing from
    the analysis cache."""
    started = time.perf_counter()
    cached = load_analysis(folder / _ANALYSIS_FILE) if folder else {}
    missing = list(
        {a.content_hash: a for a in report.articles if a.content_hash not in cached}.values()
    )
    fresh = _analyse(missing, progress=progress, workers=workers)
    analysis = {**cached, **fresh}
    current = {a.content_hash: analysis[a.content_hash] for a in report.articles}
    if folder and (fresh or len(current) != len(cached)):
        writes.append(functools.partial(save_analysis, folder / _ANALYSIS_FILE, current))
    timings["analyse"] = time.perf_counter() - started

    started = time.perf_counter()
    indexed = [current[a.content_hash].n_passages > 0 for a in report.articles]
    articles = list(itertools.compress(report.articles, indexed))
    if not articles:
        raise IndexBuildError(f"no article in {report.root} has any text to index")
    analysed = [current[a.content_hash] for a in articles]
    # A rebuild from cached analyses is the reload path, which the bot waits for: build
    # two fields at once (~40 % sooner on two cores, ~150 MB more at the peak). A cold
    # build spends half a minute analysing anyway, and keeps its peak low.
    threads = _RELOAD_THREADS if cached and len(missing) < len(articles) else 1
    index = CorpusIndex.build(analysed, config.bm25_params(), threads=threads)
    if folder:
        writes.append(
            functools.partial(save_index, folder / _INDEX_FILE, index, key, indexed)
        )
    searcher = Searcher.from_analysed(articles, analysed, index, config)
    n_fresh = len(fresh)
    del cached, fresh, analysis, current, analysed
    release_unused_memory()
    timings["index"] = time.perf_counter() - started
    return searcher, n_fresh, len(missing)


def _remove_old_formats(folder: Path) -> None:
    """Delete the caches of earlier formats (`_SUPERSEDED`): dead weight on disk."""
    for name in _SUPERSEDED:
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not remove superseded cache file %s: %s", folder / name, exc)


def _analyse(
    articles: Sequence[Article], *, progress: bool | None, workers: int | None
) -> dict[str, AnalysedArticle]:
    if not articles:
        return {}
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(
        total=len(articles),
        desc="analysing articles",
        unit="art",
        disable=not show,
        file=sys.stderr,
    )
    vocab = _SharedVocabulary()
    workers = workers or os.cpu_count() or 1
    try:
        if len(articles) < _PARALLEL_MIN or workers == 1:
            for article in articles:
                vocab.add(analyse_article(article))
                bar.update()
        else:
            # spawn, not fork: the bot builds from a worker thread, and forking a process
            # that runs threads can copy a held lock into the child.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for analysed in pool.map(analyse_article, articles, chunksize=32):
                    vocab.add(analysed)
                    bar.update()
    finally:
        bar.close()
    return vocab.results()


class _SharedVocabulary:
    """Analyses renumbered into one vocabulary as they arrive from the workers.

    Each worker's analysis carries its own tuple of words; 8,200 of them hold ~2.5
    million small strings (150 MB). One shared vocabulary holds each word once."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._pending: list[AnalysedArticle] = []

    def add(self, analysed: AnalysedArticle) -> None:
        """Take one analysis, its tokens renumbered, its own word tuple dropped."""
        local = np.fromiter(
            (self._ids.setdefault(word, len(self._ids)) for word in analysed.vocab),
            dtype=np.int32,
            count=len(analysed.vocab),
        )
        tokens = local[analysed.tokens] if len(analysed.tokens) else analysed.tokens
        self._pending.append(dataclasses.replace(analysed, vocab=(), tokens=tokens))

    def results(self) -> dict[str, AnalysedArticle]:
        """All analyses by content hash, sharing one vocabulary tuple."""
        shared = tuple(self._ids)
        return {a.content_hash: dataclasses.replace(a, vocab=shared) for a in self._pending}


# One thread writes caches in the order builds finish; a later build's files replace an
# earlier one's, never the other way round.
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="haiquan-cache")


def flush_cache_writes(timeout: float | None = None) -> None:
    """Wait until caches handed to the background writer are on disk."""
    _WRITER.submit(lambda: None).result(timeout=timeout)


def _write_caches(writes: list[Callable[[], None]]) -> None:
    """Write caches; a failure (read-only or full disk) costs speed next time, no more.

    Each write is dropped once done, and with it what it holds (all the analyses)."""
    while writes:
        write = writes.pop(0)
        try:
            write()
        except OSError as exc:
            logger.warning("could not write cache: %s", exc)
        del write
    release_unused_memory()
