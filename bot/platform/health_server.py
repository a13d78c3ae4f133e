"""The ``--health-port`` HTTP server: ``/healthz`` (JSON verdict) and ``/metrics``.

It runs in the bot's event loop on tornado, which python-telegram-bot's webhook extra
already brings (no second web framework). It listens on 127.0.0.1 unless told otherwise
(``HAIQUAN_HEALTH_HOST``): the metrics are for the operator's scraper, not the internet.
``haiquan-bot run`` starts it before the index is built, so a container's health check
sees "index not loaded" (503) during a long first build rather than a refused connection.

- ``GET /healthz``: 200 with ``{"status": "ok", ...}`` when healthy, 503 with the
  problems otherwise (`bot.platform.monitor.Health.verdict`).
- ``GET /metrics``: the Prometheus text format of the bot's own registry.

Nothing here reads a request body or echoes a request: there is nothing to inject.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.platform.monitor import Monitor

if TYPE_CHECKING:
    from tornado.httpserver import HTTPServer

__all__ = ["HealthServer", "health_server"]

logger = logging.getLogger(__name__)


class HealthServer:
    """A started server; `port` is the one it listens on (useful with port 0)."""

    def __init__(self, server: HTTPServer, host: str, port: int) -> None:
        """Wrap a listening tornado server."""
        self._server = server
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()


def _application(monitor: Monitor) -> object:
    # tornado is imported here, not at module level: only a bot with a health port needs it.
    from tornado.web import Application, RequestHandler

    class Healthz(RequestHandler):
        def get(self) -> None:
            healthy, body = monitor.health.verdict()
            self.set_status(200 if healthy else 503)
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(json.dumps(body, ensure_ascii=False))

    class Metrics(RequestHandler):
        def get(self) -> None:
            from prometheus_client import CONTENT_TYPE_LATEST

            self.set_header("Content-Type", CONTENT_TYPE_LATEST)
            self.finish(monitor.metrics.exposition())

    def quiet(handler: RequestHandler) -> None:
        """Scrapes every 15 s would flood the log at INFO; errors still show."""
        if handler.get_status() >= 500 and handler.get_status() != 503:
            logger.warning("health server: %s %s -> %d", handler.request.method,
                           handler.request.path, handler.get_status())

    return Application([(r"/healthz", Healthz), (r"/metrics", Metrics)], log_function=quiet)


async def start_health_server(monitor: Monitor, host: str, port: int) -> HealthServer:
    """Listen on `host`:`port` (0: any free port).

    Raises:
        OSError: the address is taken or cannot be bound.
    """
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    sockets = bind_sockets(port, address=host)
    server = HTTPServer(_application(monitor), xheaders=False)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    logger.info("health and metrics on http://%s:%d (/healthz, /metrics)", host, bound)
    return HealthServer(server, host, bound)


@asynccontextmanager
async def health_server(monitor: Monitor, host: str,
                        port: int | None) -> AsyncIterator[HealthServer | None]:
    """The server for the block's duration; nothing when `port` is None."""
    if port is None:
        yield None
        return
    server = await start_health_server(monitor, host, port)
    try:
        yield server
    finally:
        await server.stop()
