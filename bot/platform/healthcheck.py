"""The container's health check: ``python -m bot.platform.healthcheck`` exits 0 when healthy.

With ``HAIQUAN_HEALTH_PORT`` set, healthy means ``/healthz`` answers 200 (index loaded,
Telegram reachable: `bot.platform.monitor.Health`); a 503, a refused connection or a timeout is
unhealthy. Without it, healthy means a ``haiquan-bot run`` holds the run lock on
``HAIQUAN_DATA_DIR`` (`bot.admin.backup.bot_running`): the process is up, nothing more is known.

Standard library only (urllib): it runs every minute and must start fast.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["healthy", "main"]

_ANY_ADDRESS = ("", "0.0.0.0", "::")  # noqa: S104 - compared, not bound


def healthy(environ: dict[str, str] | os._Environ[str]) -> bool:
    """The verdict for the bot configured by `environ`."""
    port = environ.get("HAIQUAN_HEALTH_PORT", "").strip()
    if port:
        host = environ.get("HAIQUAN_HEALTH_HOST", "").strip()
        host = "127.0.0.1" if host in _ANY_ADDRESS else host
        host = f"[{host}]" if ":" in host else host
        try:
            url = f"http://{host}:{port}/healthz"
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False
    from bot.admin.backup import bot_running

    data_dir = environ.get("HAIQUAN_DATA_DIR", "").strip()
    return bool(data_dir) and bot_running(Path(data_dir))


def main() -> int:
    """Exit status 0 when healthy, 1 otherwise (Docker's HEALTHCHECK convention)."""
    return 0 if healthy(os.environ) else 1


if __name__ == "__main__":
    sys.exit(main())
