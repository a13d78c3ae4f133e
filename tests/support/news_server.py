"""A local news site for ingest tests: feeds and pages on 127.0.0.1, scripted per test.

Every route is registered by the test (`page`, `feed`, `redirect`, `slow`, `trickle`,
`drip`, `status`); feeds answer conditional GETs like a real server (ETag first, else
Last-Modified). Every request is recorded with its headers, so
tests can assert what the ingest sent and what it did not fetch at all.

Usage::

    async with NewsServer() as site:
        site.page("/a.html", html)
        site.feed("/rss", rss_xml, etag='"v1"')
        ... site.url("/rss") ...
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["NewsServer", "Recorded", "news_server_in_thread"]

LAST_MODIFIED = "Mon, 03 Jun 2024 08:00:00 GMT"


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    started: float  # loop time


@dataclass
class _Route:
    handler: Callable[[web.Request], Any]
    hits: int = 0


@dataclass
class NewsServer:
    host: str = "127.0.0.1"
    requests: list[Recorded] = field(default_factory=list)
    _routes: dict[str, _Route] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _port: int = 0

    async def __aenter__(self) -> NewsServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self._port}{path}"

    def paths(self) -> list[str]:
        """Request paths in order (query strings included)."""
        return [r.path for r in self.requests]

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # -- routes ---------------------------------------------------------------------------

    def page(self, path: str, body: str | bytes, *, content_type: str = "text/html; charset=utf-8",
             status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=data, status=status, headers={"Content-Type": content_type})

        self._routes[path] = _Route(handler)

    def feed(self, path: str, xml: str, *, etag: str | None = '"v1"',
             last_modified: str | None = LAST_MODIFIED,
             content_type: str = "application/rss+xml; charset=utf-8") -> None:
        data = xml.encode("utf-8")

        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": content_type}
            if etag:
                headers["ETag"] = etag
            if last_modified:
                headers["Last-Modified"] = last_modified
            # RFC 9110: If-None-Match, when sent, decides alone.
            if "If-None-Match" in request.headers:
                unchanged = etag is not None and request.headers["If-None-Match"] == etag
            else:
                unchanged = last_modified is not None and (
                    request.headers.get("If-Modified-Since") == last_modified)
            if unchanged:
                return web.Response(status=304, headers={k: v for k, v in headers.items()
                                                         if k != "Content-Type"})
            return web.Response(body=data, headers=headers)

        self._routes[path] = _Route(handler)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": location})

        self._routes[path] = _Route(handler)

    def status(self, path: str, status: int) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, text=f"status {status}")

        self._routes[path] = _Route(handler)

    def slow(self, path: str, body: str, delay: float) -> None:
        """Answers only after `delay` seconds (headers included)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(delay)
            return web.Response(text=body, content_type="text/html")

        self._routes[path] = _Route(handler)

    def trickle(self, path: str, chunk: bytes, count: int, interval: float,
                content_type: str = "text/html; charset=utf-8",
                declare_length: bool = False) -> None:
        """Headers at once, then `count` chunks `interval` seconds apart (no length header
        unless `declare_length`): a slow or huge body."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            if declare_length:
                response.content_length = len(chunk) * count
            await response.prepare(request)
            try:
                for _ in range(count):
                    await response.write(chunk)
                    if interval:
                        await asyncio.sleep(interval)
                await response.write_eof()
            except ConnectionError:  # the client gave up (timeout, size cap)
                pass
            return response

        self._routes[path] = _Route(handler)

    def drip(self, path: str, body: bytes, seconds: float, pieces: int = 20,
             content_type: str = "application/rss+xml; charset=utf-8") -> None:
        """`body` in `pieces` spread over `seconds`: a slow site's whole answer."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            size = -(-len(body) // pieces)
            for start in range(0, len(body), size):
                await response.write(body[start:start + size])
                await asyncio.sleep(seconds / pieces)
            await response.write_eof()
            return response

        self._routes[path] = _Route(handler)

    def set(self, path: str, handler: Callable[[web.Request], Any]) -> None:
        self._routes[path] = _Route(handler)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Recorded(request.path_qs, dict(request.headers),
                                      asyncio.get_running_loop().time()))
        route = self._routes.get(request.path_qs) or self._routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="not found")
        route.hits += 1
        return await route.handler(request)


@contextlib.contextmanager
def news_server_in_thread() -> Iterator[NewsServer]:
    """A `NewsServer` serving from its own thread and event loop, as a real site would.

    A test whose subject shares the test's loop needs this to see a blocked loop: a site
    on the same loop would stall with it, and a blocking read would find nothing to wait
    for. Routes are registered from the test's thread as usual.
    """
    loop = asyncio.new_event_loop()
    server = NewsServer()
    ready = threading.Event()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    async def serve() -> None:
        try:
            async with server:
                ready.set()
                await stop.wait()
        except BaseException as exc:  # reported to the test's thread below
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),),
                              name="news-server", daemon=True)
    thread.start()
    ready.wait(10)
    if failure or not ready.is_set():
        raise RuntimeError(f"the news server did not start: {failure}")
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
