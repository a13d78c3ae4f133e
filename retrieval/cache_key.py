"""Cache keys derived from what produced the cache, never from a number bumped by hand.

An analysis cache is valid for the code of the corpus parser, the analyser, the
passage cutter and the sentence splitter (every module whose output ends up in it),
the passage cutter's size limits and underthesea's release; an index cache
additionally for the index code, the BM25 parameters and the exact list of articles. So
an edit to `passages.py` or a new abbreviation yields a new key, and the stale cache is
rebuilt instead of served.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata

from corpus.code_version import parser_key, source_digest
from retrieval import passages
from retrieval.ranking import RankingConfig

__all__ = ["ANALYSIS_MODULES", "INDEX_MODULES", "analysis_key", "index_key"]

# Modules whose code decides what `analyse_article` returns.
ANALYSIS_MODULES = (
    "corpus.normalize",
    "corpus.directives",
    "retrieval.abbreviations",
    "retrieval.analyzer",
    "retrieval.passages",
    "retrieval.analysis",
    "retrieval.sentences",
    "retrieval.store",
)
# Modules whose code decides what an index file holds and how it is read.
INDEX_MODULES = ("retrieval.bm25", "retrieval.index", "retrieval.corpus_index", "retrieval.store")



def analysis_key() -> str:
    """The key of analysed articles: analyser and passage-cutter code and configuration."""
    payload = {
        "code": source_digest(ANALYSIS_MODULES),
        # Analyses are stored by the article file's hash: a parser change gives other
        # paragraphs for the same bytes.
        "parser": parser_key(),
        "passages": {"min_chars": passages.MIN_CHARS, "max_chars": passages.MAX_CHARS},
        # The passages' sentences are underthesea's split: another release may cut them
        # elsewhere.
        "sentence_splitter": _version("underthesea"),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def index_key(content_hashes: Iterable[str], config: RankingConfig) -> str:
    """The key of an index built from articles with `content_hashes` (in order)."""
    digest = hashlib.sha256()
    digest.update(f"{analysis_key()}|{source_digest(INDEX_MODULES)}|{config.fingerprint()}".encode())
    for content_hash in content_hashes:
        digest.update(content_hash.encode("ascii"))
    return digest.hexdigest()
