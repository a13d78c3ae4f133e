"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temp dir, a free port.

`PostgresServer.start` runs ``initdb`` and ``pg_ctl start`` from the first PostgreSQL
found under /usr/lib/postgresql (or ``$HAIQUAN_PG_BIN``). PostgreSQL refuses to run as
root, so under root both run as the ``postgres`` user with ``runuser``, in a directory
that user owns. Trust authentication on 127.0.0.1 only; the socket directory is private.

`unavailable()` says why no server can be started (for ``pytest.skip``), or None.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PostgresServer", "find_bin_dir", "unavailable"]


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL bin directory with initdb, pg_ctl and postgres, if any."""
    override = os.environ.get("HAIQUAN_PG_BIN")
    candidates = [Path(override)] if override else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl",
                                                                    "postgres")):
            return directory
    return None


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def unavailable() -> str | None:
    """Why the tests cannot start PostgreSQL here, or None when they can."""
    try:
        import psycopg  # noqa: F401 - only checking it is there
    except ImportError:
        return 'psycopg is not installed (pip install "haiquan-bot[postgres]")'
    if find_bin_dir() is None:
        return ("no PostgreSQL server binaries (initdb, pg_ctl, postgres) under "
                "/usr/lib/postgresql/*/bin; apt-get install postgresql, or set HAIQUAN_PG_BIN")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One server process for a test session; `url` gives a database URL."""

    def __init__(self, bin_dir: Path) -> None:
        """Not started yet; see `start`."""
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="haiquan-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.port = 0
        self._databases = 0

    def _chown(self) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        """initdb and start; raises RuntimeError with the server's log when it fails."""
        self.sockets.mkdir()
        self.root.chmod(0o700)
        self._chown()
        prefix = _run_as()
        subprocess.run(  # noqa: S603 - this machine's PostgreSQL binaries, fixed arguments
            [*prefix, str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, cwd=self.root)
        log = self.root / "server.log"
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = _free_port()
            options = (f"-p {self.port} -k {self.sockets} -h 127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=60")
            done = subprocess.run(  # noqa: S603 - as above
                [*prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(log),
                 "-o", options, "-w", "-t", "30", "start"],
                capture_output=True, cwd=self.root, check=False)
            if done.returncode == 0:
                return
        text = log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.decode(errors='replace')}\n"
                           f"{text[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        """A URL for `database` (TCP on 127.0.0.1, user postgres, trust)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        self._databases += 1
        name = f"t{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run([*_run_as(), str(self.bin_dir / "pg_ctl"), "-D", str(self.data),  # noqa: S603
                            "-m", "fast", "-w", "-t", "30", "stop"],
                           capture_output=True, cwd=self.root, check=False, timeout=60)
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                break
            except OSError:
                time.sleep(0.1)
