"""Text and ranking: Vietnamese-aware BM25 over passages of the corpus' articles.

The bot needs only this facade: `build_searcher` (blocking; run it off the event loop)
and the immutable `Searcher` / `Hit` values. Nothing here knows about Telegram.
"""

from retrieval.analyzer import analyze
from retrieval.build import (
    BuildStats,
    build_searcher,
    cache_dir,
    default_data_dir,
    flush_cache_writes,
)
from retrieval.errors import IndexBuildError, RetrievalError
from retrieval.explain import Explanation
from retrieval.ranking import DEFAULT_RANKING, RankingConfig
from retrieval.searcher import MAX_QUERY_CHARS, POOL, Hit, Searcher
from retrieval.sentences import split_sentences
from retrieval.timeframe import parse_timeframe

__all__ = [
    "DEFAULT_RANKING",
    "MAX_QUERY_CHARS",
    "POOL",
    "BuildStats",
    "Explanation",
    "Hit",
    "IndexBuildError",
    "RankingConfig",
    "RetrievalError",
    "Searcher",
    "analyze",
    "build_searcher",
    "cache_dir",
    "default_data_dir",
    "flush_cache_writes",
    "parse_timeframe",
    "split_sentences",
]
