"""One polite HTTP client for feeds and article pages.

Every request, first or after a redirect, goes through the same checks: http(s) only
(and no private literal addresses unless allowed), at most `FetchLimits.max_redirects`
hops, at most `min_interval` seconds between two requests to one host, one deadline for
the whole fetch, all hops together (not only between bytes: a server trickling one byte
a second would pass a read timeout forever), and a byte cap enforced on the *decoded*
bytes while the body streams in and is decompressed, so an oversized page or a gzip
bomb costs at most about `max_bytes` of memory.

Host names are checked where the connection is made, not in the URL: `_GuardedBackend`
resolves the name itself, refuses it when any address is not public (loopback, private,
link-local, multicast, reserved, unspecified, IPv4-mapped forms of those; see
`urls.is_public_address`) and then connects to the address it checked. Spellings such
as ``localhost``, ``127.1`` or ``2130706433`` and a DNS answer that changes between a
check and the connection (rebinding) therefore all end at the same gate, for the first
request and every redirect. TLS still verifies and sends SNI for the host name, because
httpcore starts TLS with the URL's host, not with the address we connected to.

The result is a value, never an exception: `Fetched`, `NotModified` or `FetchFailed`
with a reason code (`report.REASONS`) and whether trying again later may help.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from corpus.ingest.urls import is_public_address, redact_url, refuse_url

__all__ = [
    "AddressCheck",
    "BlockedAddress",
    "FetchFailed",
    "FetchLimits",
    "Fetched",
    "Fetcher",
    "NotModified",
    "Resolver",
    "system_resolver",
    "user_agent",
]

# (host, port) -> addresses as text; injectable so tests can play a DNS server.
Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Which resolved addresses may be contacted; injectable so a test can let one loopback
# address stand for "the public internet" and still see every other one refused.
AddressCheck = Callable[[IPAddress], bool]

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


class BlockedAddress(Exception):
    """A connection was refused because the host resolves to a non-public address."""


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6, in order)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address, connect only to a checked address.

    Checking the URL alone is not enough: a name can point anywhere and can point
    somewhere else a second later. Doing the lookup here and handing the inner backend
    an IP literal closes both holes.
    """

    def __init__(
        self, inner: httpcore.AsyncNetworkBackend, resolver: Resolver, allowed: AddressCheck
    ) -> None:
        self._inner = inner
        self._resolver = resolver
        self._allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first reachable checked address of `host`."""
        try:
            addresses = await self._resolver(host.strip("[]"), port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for text in addresses:
            address = ipaddress.ip_address(text)
            # Refuse when *any* address is private: otherwise which one we reach would
            # depend on connection order, which an attacker may influence.
            if not self._allowed(address):
                raise BlockedAddress(f"{host} resolves to {address}, which is not public")
        error: Exception | None = None
        for text in addresses:
            try:
                return await self._inner.connect_tcp(
                    text, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None  # noqa: S101 -- addresses is not empty
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: feeds are fetched over TCP only."""
        raise BlockedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the inner backend."""
        await self._inner.sleep(seconds)


def _anything(address: IPAddress) -> bool:
    """The check under `allow_private`: every address may be contacted."""
    return True


def _guarded_transport(resolver: Resolver, allowed: AddressCheck) -> httpx.AsyncHTTPTransport:
    """httpx's own transport with the address check spliced into its connection pool.

    httpx offers no public way to pass httpcore a network backend, so the pool's backend
    is wrapped in place; the ingest security tests fail if an httpx upgrade moves it.
    """
    transport = httpx.AsyncHTTPTransport()
    pool = transport._pool
    pool._network_backend = _GuardedBackend(pool._network_backend, resolver, allowed)
    return transport


class _RedactHttpxLog(logging.Filter):
    """httpx logs every request's full URL at INFO; feed URLs may carry credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite URL arguments through `redact_url`; never drop a record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def _redact_httpx_log() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactHttpxLog) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactHttpxLog())


_redact_httpx_log()


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
        resolver: Resolver | None = None,
        address_check: AddressCheck | None = None,
    ) -> None:
        """Build the client; nothing is sent before the first `get`.

        Without `transport`, connections go through the address check, using `resolver`
        (the system's by default; tests inject one to act out DNS rebinding) and
        `address_check` (public addresses only, or anything with `allow_private`). A
        caller passing its own `transport` takes over that check.
        """
        self.limits = limits or FetchLimits()
        if transport is None:
            if address_check is None:
                address_check = _anything if self.limits.allow_private else is_public_address
            transport = _guarded_transport(resolver or system_resolver, address_check)
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
        loop = asyncio.get_running_loop()
        budget = self.limits.timeout  # for all hops together; pacing waits do not count
        for _hop in range(self.limits.max_redirects + 1):
            refusal = refuse_url(current, allow_private=self.limits.allow_private)
            if refusal is not None:
                return FetchFailed("refused_url", refusal, transient=False)
            await self._wait_turn(current)
            started = loop.time()
            try:
                async with asyncio.timeout(max(budget, 0.0)):
                    outcome = await self._one_request(current, headers, cap)
            except (TimeoutError, httpx.TimeoutException):
                return FetchFailed(
                    "timeout", f"no complete answer within {self.limits.timeout:g} s", True
                )
            except BlockedAddress as exc:
                logger.warning("refused %s: %s", redact_url(current), exc)
                return FetchFailed("private_address", str(exc), transient=False)
            except httpx.InvalidURL as exc:
                return FetchFailed("refused_url", f"invalid URL: {exc}", transient=False)
            except httpx.HTTPError as exc:
                return FetchFailed("network", f"{type(exc).__name__}: {exc}", transient=True)
            budget -= loop.time() - started
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
            async for chunk in _decoded(response, cap):
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


async def _decoded(response: httpx.Response, cap: int) -> AsyncIterator[bytes]:
    """The body, decompressed here rather than by httpx, never more than ``cap + 1``
    decoded bytes per step.

    httpx inflates each network chunk whole, and 64 KiB of gzip can inflate to 64 MiB;
    ``decompress(max_length=...)`` keeps every step small, so the caller's cap stops a
    bomb before it is in memory. Encodings other than one gzip/deflate layer are left to
    httpx (we only advertise gzip and deflate).
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    elif encoding == "deflate":
        inflater = None  # zlib-wrapped or raw, decided on the first bytes
    elif encoding in ("", "identity"):
        async for chunk in response.aiter_raw():
            yield chunk
        return
    else:
        async for chunk in response.aiter_bytes():
            yield chunk
        return
    step = cap + 1
    try:
        async for raw in response.aiter_raw():
            if inflater is None:
                raw_deflate = bool(raw) and (raw[0] & 0x0F) != 8
                inflater = zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)
            data = raw
            while data:
                out = inflater.decompress(data, step)
                if out:
                    yield out
                data = inflater.unconsumed_tail
        if inflater is not None:
            yield inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(f"bad {encoding} body: {exc}") from exc


def _too_large(cap: int, how: str) -> FetchFailed:
    return FetchFailed("too_large", f"larger than {cap:,} bytes ({how})", transient=False)
