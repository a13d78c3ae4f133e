"""Fixtures for the ingest tests: a local news site and empty corpus/data directories."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from support.news_server import NewsServer


@pytest_asyncio.fixture
async def news_site() -> AsyncIterator[NewsServer]:
    """A news site on 127.0.0.1 in the test's event loop; routes are added by the test."""
    async with NewsServer() as site:
        yield site


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
