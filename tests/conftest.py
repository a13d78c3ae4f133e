"""Shared test settings and paths.

`PTB_TIMEDELTA` makes python-telegram-bot 22 return `retry_after` as a timedelta instead
of warning about it; with ``filterwarnings = error`` the warning would fail tests.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "true")

from support.paths import SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real 8,200-article corpus; tests that need it skip when it is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def sample_searcher():
    """A searcher over the bundled sample corpus, built once in memory (no cache)."""
    from corpus import default_corpus_dir
    from retrieval import build_searcher

    searcher, _, _ = build_searcher(default_corpus_dir(), None, progress=False)
    return searcher


@pytest.fixture(scope="session")
def shared_searcher(shared_corpus: Path):
    """A searcher over the real corpus, built once in memory (about 30 s)."""
    from retrieval import build_searcher

    searcher, _, _ = build_searcher(shared_corpus, None, progress=False)
    return searcher
