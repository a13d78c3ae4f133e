"""One polite HTTP client for feeds and article pages.

Every request, first or after a redirect, goes through the same checks: http(s) only
(and no private literal addresses unless allowed), at most `FetchLimits.max_redirects`
hops, at most `min_interval` seconds between two requests to one host, a deadline for
the whole answer (not only between bytes: a server trickling one byte a second would
pass a read timeout forever), and a byte cap enforced while the body streams in, so an
oversized page costs at most `max_bytes` of memory.

The result is a value, never an exception: `Fetched`, `NotModified` or `FetchFailed`
with a reason code (`report.REASONS`) and whether trying again later may help.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from importlib import metadata
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from corpus.ingest.urls import refuse_url

__all__ = ["FetchFailed", "FetchLimits", "Fetched", "Fetcher", "NotModified", "user_agent"]

logger = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Worth another try later: the server is overloaded, throttling us or briefly broken.
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Politeness and safety limits; the defaults suit news sites."""

    timeout: float = 10.0  # seconds for one whole answer, headers and body
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    min_interval: float = 1.0  # seconds between two requests to the same host
    allow_private: bool = False  # fetch literal loopback/private addresses (tests)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A complete 2xx answer; `url` is where it came from after redirects."""

    url: str
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304: the validators we sent still match."""

    url: str


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """Why no usable answer came; `transient` failures are worth retrying later."""

    reason: str
    detail: str
    transient: bool


FetchResult = Fetched | NotModified | FetchFailed


def user_agent(contact: str = "") -> str:
    """``haiquan-bot/<version> (customs news ingest; +contact)``: site owners can see who
    we are and how to reach us."""
    try:
        version = metadata.version("haiquan-bot")
    except metadata.PackageNotFoundError:
        version = "dev"
    extra = f"; +{contact}" if contact else ""
    return f"haiquan-bot/{version} (customs news ingest{extra})"


class Fetcher:
    """Shared by all feeds of a round, so the per-host pacing covers feeds and pages alike.

    Use as an async context manager; `transport` lets tests or callers swap the network.
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        """Build the client; nothing is sent before the first `get`."""
        self.limits = limits or FetchLimits()
        self._client = httpx.AsyncClient(
            headers={"User-Agent": agent or user_agent(), "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,  # we follow them ourselves, checking every hop
            timeout=httpx.Timeout(self.limits.timeout),
            transport=transport,
            trust_env=trust_env,
        )
        self._next_slot: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        """Nothing to start: the client connects lazily."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connection pool."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str = "*/*",
    ) -> FetchResult:
        """GET `url`, conditionally when validators are given, following redirects."""
        cap = max_bytes if max_bytes is not None else self.limits.max_bytes
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            refusal = refuse_url(current, allow_private=self.limits.allow_private)
            if refusal is not None:
                return FetchFailed("refused_url", refusal, transient=False)
            await self._wait_turn(current)
            try:
                async with asyncio.timeout(self.limits.timeout):
                    outcome = await self._one_request(current, headers, cap)
            except TimeoutError:
                return FetchFailed(
                    "timeout", f"no complete answer within {self.limits.timeout:g} s", True
                )
            except httpx.TimeoutException:
                return FetchFailed(
                    "timeout", f"no complete answer within {self.limits.timeout:g} s", True
                )
            except httpx.InvalidURL as exc:
                return FetchFailed("refused_url", f"invalid URL: {exc}", transient=False)
            except httpx.HTTPError as exc:
                return FetchFailed("network", f"{type(exc).__name__}: {exc}", transient=True)
            if isinstance(outcome, str):
                current = outcome  # a redirect: check and pace the next hop like the first
                continue
            return outcome
        return FetchFailed(
            "redirects", f"more than {self.limits.max_redirects} redirects", transient=False
        )

    async def _one_request(self, url: str, headers: dict[str, str], cap: int) -> FetchResult | str:
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    return FetchFailed("http_status", f"HTTP {status} without Location", False)
                return urljoin(url, location)
            if status == 304:
                return NotModified(url)
            if status >= 400 or status < 200:
                return FetchFailed(
                    "http_status", f"HTTP {status}", transient=status in _TRANSIENT_STATUS
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                return _too_large(cap, f"declared {int(declared):,} bytes")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    return _too_large(cap, "stopped reading")
            return Fetched(
                url=url,
                body=bytes(body),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        finally:
            await response.aclose()

    async def _wait_turn(self, url: str) -> None:
        """Reserve the next slot for this host and sleep until it comes.

        Reservation happens before any await, so concurrent callers queue up in order
        without a lock.
        """
        if self.limits.min_interval <= 0:
            return
        host = urlsplit(url).netloc.lower()
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self._next_slot.get(host, now))
        self._next_slot[host] = start + self.limits.min_interval
        if start > now:
            await asyncio.sleep(start - now)


def _too_large(cap: int, how: str) -> FetchFailed:
    return FetchFailed("too_large", f"larger than {cap:,} bytes ({how})", transient=False)
