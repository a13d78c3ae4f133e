"""Cache keys derived from what produced the cache, never from a number bumped by hand.

An analysis cache is valid for the code of the analyser and the passage cutter (every
module whose output ends up in it) and the passage cutter's size limits; an index cache
additionally for the index code, the BM25 parameters and the exact list of articles. So
an edit to `passages.py` or a new abbreviation yields a new key, and the stale cache is
rebuilt instead of served.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path

from retrieval import passages
from retrieval.ranking import RankingConfig

__all__ = ["ANALYSIS_MODULES", "INDEX_MODULES", "analysis_key", "code_digest", "index_key"]

# Modules whose code decides what `analyse_article` returns.
ANALYSIS_MODULES = (
    "corpus.normalize",
    "corpus.directives",
    "retrieval.abbreviations",
    "retrieval.analyzer",
    "retrieval.passages",
    "retrieval.analysis",
)
# Modules whose code decides what an index file holds and how it is read.
INDEX_MODULES = ("retrieval.bm25", "retrieval.index", "retrieval.corpus_index", "retrieval.store")


@functools.cache
def code_digest(modules: tuple[str, ...]) -> str:
    """A hash of the source files of `modules` (read once per process)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(f"cannot find the source of {name}")
        source = Path(spec.origin).read_bytes()
        digest.update(name.encode("ascii") + b"\0" + source + b"\0")
    return digest.hexdigest()


def analysis_key() -> str:
    """The key of analysed articles: analyser and passage-cutter code and configuration."""
    payload = {
        "code": code_digest(ANALYSIS_MODULES),
        "passages": {"min_chars": passages.MIN_CHARS, "max_chars": passages.MAX_CHARS},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def index_key(content_hashes: Iterable[str], config: RankingConfig) -> str:
    """The key of an index built from articles with `content_hashes` (in order)."""
    digest = hashlib.sha256()
    digest.update(f"{analysis_key()}|{code_digest(INDEX_MODULES)}|{config.fingerprint()}".encode())
    for content_hash in content_hashes:
        digest.update(content_hash.encode("ascii"))
    return digest.hexdigest()
