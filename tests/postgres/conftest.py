"""A real PostgreSQL server for the tests in this folder, started once per session.

Skipped, with the reason, where it cannot run: no server binaries (CI installs Debian's
``postgresql`` when apt works), no psycopg, or root without a ``postgres`` user.
"""

from collections.abc import Iterator

import pytest
from support.postgres_server import PostgresServer, find_bin_dir, unavailable


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        server.stop()
        pytest.skip(f"PostgreSQL tests skipped: the server did not start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A fresh, empty database of its own for each test."""
    return pg_server.new_database()
