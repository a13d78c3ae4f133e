"""A version for caches that follows the code which produced them.

A cache written by other code must not be served: a hand-bumped version number is
forgotten sooner or later, and then every answer quotes yesterday's parsing. The digest
of the source files of the modules that decide a cache's content cannot be forgotten.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

__all__ = ["PARSER_MODULES", "parser_key", "source_digest"]

# Modules whose code decides what `corpus.parse_article` returns for the same bytes, and
# how the article cache stores it.
PARSER_MODULES = (
    "corpus.article",
    "corpus.cache",
    "corpus.dates",
    "corpus.directives",
    "corpus.furniture",
    "corpus.kinds",
    "corpus.markdown",
    "corpus.normalize",
    "corpus.packed",
    "corpus.parse",
)


@functools.cache
def source_digest(modules: tuple[str, ...]) -> str:
    """A hash of the source files of `modules` (read once per process)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(f"cannot find the source of {name}")
        source = Path(spec.origin).read_bytes()
        digest.update(name.encode("ascii") + b"\0" + source + b"\0")
    return digest.hexdigest()


def parser_key() -> str:
    """The version of parsed articles: the parser's code."""
    return source_digest(PARSER_MODULES)
