"""URL checks and keys: which addresses we fetch, and when two addresses are one story.

Feeds link the same article in many spellings: with ``utm_*`` or Zalo/Facebook tracking
parameters, a fragment, a trailing slash, ``http`` or ``https``, with or without ``www``.
`url_key` maps them all to one string, used only to recognise duplicates -- files keep
the address as published.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["refuse_url", "url_key"]

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
        if not address.is_global:
            return f"address {host} is not public"
    return None


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
