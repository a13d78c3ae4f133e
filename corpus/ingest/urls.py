"""URL checks and keys: which addresses we fetch, and when two addresses are one story.

Feeds link the same article in many spellings: with ``utm_*`` or Zalo/Facebook tracking
parameters, a fragment, a trailing slash, ``http`` or ``https``, with or without ``www``.
`url_key` maps them all to one string, used only to recognise duplicates -- files keep
the address as published.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = ["is_public_address", "redact_url", "refuse_url", "url_key"]

# Query parameters that carry a secret; their values never reach a log or a report.
_SECRET_NAMES = frozenset(
    {"token", "access_token", "refresh_token", "id_token", "auth", "key", "api_key", "apikey",
     "sig", "signature", "secret", "client_secret", "password", "passwd", "pwd", "session",
     "sessionid", "x-amz-signature", "x-amz-credential", "x-amz-security-token"}
)
_REDACTED = "REDACTED"

# Query parameters that only say where a click came from (analytics, social networks).
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "zarsrc", "gidzl", "_ga"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def refuse_url(url: str, *, allow_private: bool = False) -> str | None:
    """Why `url` must not be fetched, or None when it may be.

    Only http(s) with a host name is fetched. Unless `allow_private`, literal IP
    addresses in loopback, private or link-local ranges are refused too: an entry in a
    public feed has no business making us request our own network (cloud metadata
    endpoints live there). Host names are not resolved here.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return f"only http(s) addresses are fetched, not {parts.scheme or 'a relative link'!r}"
    if not host:
        return "URL has no host"
    if not allow_private:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        if not is_public_address(address):
            return f"address {host} is not public"
    return None


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True when `address` is globally routable unicast: what a public feed may make us
    contact.

    `is_global` already excludes private, loopback, link-local, reserved, unspecified and
    shared (100.64/10) ranges; multicast is excluded explicitly, and an IPv4-mapped or
    6to4/Teredo-wrapped IPv6 address is judged by the IPv4 address it carries, because
    that is where the packets end up.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address.teredo is not None:
            inner = address.teredo[1]
        if inner is not None and not is_public_address(inner):
            return False
    return address.is_global and not address.is_multicast


def redact_url(url: str) -> str:
    """`url` fit for a log line or a report: no ``user:password@`` and no secret query
    values (``token``, ``key``, ``sig``, ...), which some feed providers put in the
    address.

    The shape stays recognisable (host, path, parameter names) so an admin can still
    tell which feed is meant. Never raises: a malformed URL is returned redacted as far
    as it can be parsed.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@", 1)[-1] if "@" in url else url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in _SECRET_NAMES for name, _ in pairs):
            query = "&".join(
                f"{quote(name, safe='')}="
                + (_REDACTED if name.lower() in _SECRET_NAMES else quote(value, safe=""))
                for name, value in pairs
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_key(url: str) -> str:
    """One string for every spelling of the same address (duplicate detection only).

    Lower-cased host without ``www.`` and default port, scheme dropped (http and https
    serve the same story), no fragment, no tracking parameters, the rest sorted, no
    trailing slash.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith(_TRACKING_PREFIXES)
        and name.lower() not in _TRACKING_NAMES
    )
    path = parts.path.rstrip("/")
    return f"//{host}{path}" + (f"?{urlencode(query)}" if query else "")
