"""Ingest fetch security: the address gate on resolved addresses, bounded decoding and
deadlines, and no secrets from feed URLs in logs or reports."""

import asyncio
import gzip
import ipaddress
import json
import logging
import tracemalloc
import zlib
from dataclasses import asdict, replace

import pytest
from aiohttp import web
from support.ingest_helpers import FAST, make_config
from support.news_pages import FeedItem, rss_feed
from support.news_server import NewsServer

from corpus.ingest import run_ingest_round
from corpus.ingest.fetch import Fetched, Fetcher, FetchFailed
from corpus.ingest.urls import is_public_address

STRICT = replace(FAST, allow_private=False)  # what production runs with
FAKE_PUBLIC = ipaddress.ip_address("127.0.0.2")  # stands for "somewhere on the internet"


def dns(table):
    """A resolver answering from `table` (name -> addresses), like a hostile DNS server."""
    calls = []

    async def resolve(host, port):
        calls.append(host)
        return list(table[host])

    resolve.calls = calls
    return resolve


def only_fake_public(address):
    return address == FAKE_PUBLIC or is_public_address(address)


async def get(url, limits=STRICT, **kwargs):
    async with Fetcher(limits, trust_env=False, **kwargs) as fetcher:
        return await fetcher.get(url)


@pytest.mark.parametrize("host", ["localhost", "127.1", "2130706433", "0x7f000001",
                                  "[::ffff:127.0.0.1]", "127.0.0.1"])
async def test_every_spelling_of_loopback_is_refused(news_site, host):
    news_site.page("/p", "<p>ok</p>")
    port = news_site.url("/p").rsplit(":", 1)[1].split("/")[0]
    url = f"http://{host}:{port}/p"

    refused = await get(url)

    assert isinstance(refused, FetchFailed), refused
    assert refused.reason in {"private_address", "refused_url"} and not refused.transient
    assert "not public" in refused.detail
    assert news_site.requests == []
    allowed = await get(url, FAST)  # the same URL is fine with allow-private
    assert isinstance(allowed, Fetched) and allowed.body == b"<p>ok</p>"


async def test_the_check_runs_on_the_resolved_address(news_site):
    news_site.page("/p", "<p>ok</p>")
    port = news_site.url("/p").rsplit(":", 1)[1].split("/")[0]
    resolver = dns({"tin-hai-quan.example": ["127.0.0.1"]})

    refused = await get(f"http://tin-hai-quan.example:{port}/p", resolver=resolver)

    assert isinstance(refused, FetchFailed) and refused.reason == "private_address"
    assert "tin-hai-quan.example resolves to 127.0.0.1" in refused.detail
    assert resolver.calls == ["tin-hai-quan.example"] and news_site.requests == []


@pytest.mark.parametrize("answer", [["::ffff:127.0.0.1"], ["127.0.0.2", "10.0.0.5"],
                                    ["169.254.169.254"]])
async def test_mapped_and_mixed_answers_are_refused(news_site, answer):
    port = news_site.url("/").rsplit(":", 1)[1].split("/")[0]
    refused = await get(f"http://mixed.example:{port}/", resolver=dns({"mixed.example": answer}),
                        address_check=only_fake_public)
    assert isinstance(refused, FetchFailed) and refused.reason == "private_address"
    assert news_site.requests == []


async def test_a_redirect_to_a_private_address_is_refused_at_the_redirect(news_site):
    async with NewsServer(host="127.0.0.2") as public:
        public.page("/ok", "<p>public</p>")
        news_site.page("/admin", "<p>secret</p>")
        inner_port = news_site.url("/").rsplit(":", 1)[1].split("/")[0]
        public.redirect("/go", f"http://intranet.example:{inner_port}/admin")
        public_port = public.url("/").rsplit(":", 1)[1].split("/")[0]
        resolver = dns({"bao.example": ["127.0.0.2"], "intranet.example": ["127.0.0.1"]})

        ok = await get(f"http://bao.example:{public_port}/ok", resolver=resolver,
                       address_check=only_fake_public)
        refused = await get(f"http://bao.example:{public_port}/go", resolver=resolver,
                            address_check=only_fake_public)

    assert isinstance(ok, Fetched) and ok.body == b"<p>public</p>"  # the gate lets it through
    assert isinstance(refused, FetchFailed) and refused.reason == "private_address"
    assert "intranet.example resolves to 127.0.0.1" in refused.detail
    assert public.paths() == ["/ok", "/go"] and news_site.requests == []


def test_public_address_ranges():
    refused = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
               "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1",  # noqa: S104
               "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
               "2002:7f00:1::1", "2001:db8::1"]
    for text in refused:
        assert not is_public_address(ipaddress.ip_address(text)), text
    for text in ["8.8.8.8", "203.113.131.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]:
        assert is_public_address(ipaddress.ip_address(text)), text


def _gzip_route(site, path, payload, encoding="gzip"):
    if encoding == "gzip":
        body = gzip.compress(payload, compresslevel=9)
    else:
        body = zlib.compress(payload, 9)

    async def handler(request):
        return web.Response(body=body, headers={"Content-Type": "text/html",
                                                "Content-Encoding": encoding})

    site.set(path, handler)
    return body


async def test_a_gzip_bomb_is_stopped_while_decompressing(news_site):
    compressed = _gzip_route(news_site, "/bomb.html", b"\0" * (50 * 1024 * 1024))
    assert len(compressed) < 100_000
    cap = 1024 * 1024

    tracemalloc.start()
    try:
        result = await get(news_site.url("/bomb.html"), replace(FAST, max_bytes=cap))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(result, FetchFailed) and result.reason == "too_large"
    assert result.detail == f"larger than {cap:,} bytes (stopped reading)"
    assert peak < 8 * cap, f"peak {peak:,} bytes while reading"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_pages_within_the_cap_decode(news_site, encoding):
    page = ("<html><body><p>" + "Hải quan " * 20_000 + "</p></body></html>").encode()
    _gzip_route(news_site, "/nen.html", page, encoding)
    result = await get(news_site.url("/nen.html"), replace(FAST, max_bytes=len(page)))
    assert isinstance(result, Fetched) and result.body == page


async def test_the_deadline_covers_the_whole_fetch_all_hops_together(news_site):
    async def slow_hop(request):
        await asyncio.sleep(0.2)
        hop = int(request.path.rsplit("/", 1)[1])
        return web.Response(status=302, headers={"Location": f"/hop/{hop + 1}"})

    for hop in range(4):
        news_site.set(f"/hop/{hop}", slow_hop)
    news_site.page("/hop/4", "<p>cuối</p>")
    # headers at once, then a byte every 0.05 s: only an overall deadline stops it
    news_site.trickle("/drip.html", b"x", count=100, interval=0.05)
    limits = replace(FAST, timeout=0.5, max_redirects=5)
    loop = asyncio.get_running_loop()

    started = loop.time()
    chain = await get(news_site.url("/hop/0"), limits)  # each hop alone is well in time
    drip = await get(news_site.url("/drip.html"), limits)

    assert isinstance(chain, FetchFailed) and chain.reason == "timeout" and chain.transient
    assert isinstance(drip, FetchFailed) and drip.reason == "timeout"
    assert loop.time() - started < 1.6
    assert news_site.hits("/hop/4") == 0


async def test_secrets_in_feed_urls_stay_out_of_logs_and_reports(
    news_site, corpus_dir, data_dir, caplog
):
    news_site.status("/rss", 503)
    news_site.feed("/ok-rss", rss_feed([FeedItem(
        link=news_site.url("/missing.html?sig=sigS3CRET&id=7"), title="Tin", guid="g1")]))
    base = news_site.url("/")[len("http://"):]
    secret_feed = f"http://bot:passS3CRET@{base}rss?token=tokS3CRET&lang=vi"
    keyed_feed = f"http://{base}ok-rss?api_key=keyS3CRET"
    config = make_config(secret_feed, keyed_feed, alert_after=1)

    with caplog.at_level(logging.DEBUG):
        report = await run_ingest_round(config, corpus_dir, data_dir)

    assert [f.status for f in report.feeds] == ["failed", "ok"]
    assert report.feeds[0].url == f"http://REDACTED@{base}rss?token=REDACTED&lang=vi"
    assert report.skipped[0].url.endswith("/missing.html?sig=REDACTED&id=7")
    shown = caplog.text + json.dumps(asdict(report)) + report.summary()
    [saved] = data_dir.rglob("last-report.json")  # what /stats shows admins later
    shown += saved.read_text(encoding="utf-8")
    assert "S3CRET" not in shown
    assert "REDACTED" in caplog.text
    assert len(news_site.requests) == 3  # the secrets were still used to fetch
