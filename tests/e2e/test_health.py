"""``/healthz`` and ``/metrics`` over real HTTP, with the real bot against the fake Bot API.

The health server is started before the bot, as ``haiquan-bot run`` does (so it can say
"index not loaded" while the index builds); metrics are parsed with prometheus_client's
own parser, never matched as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.bot_harness import USER, make_settings
from test_run_command import environment, start

from bot.platform.app import build_application, running
from bot.platform.health_server import start_health_server
from bot.platform.monitor import Monitor
from bot.platform.state import Services

pytestmark = pytest.mark.e2e


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(client: httpx.AsyncClient, url: str) -> dict:
    response = await client.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def health(client: httpx.AsyncClient, url: str) -> tuple[int, dict]:
    response = await client.get(f"{url}/healthz")
    return response.status_code, response.json()


async def test_metrics_move_and_health_follows_the_index_and_telegram(fake, searcher, tmp_path):
    monitor = Monitor()
    server = await start_health_server(monitor, "127.0.0.1", 0)
    settings = make_settings(fake, tmp_path, health_stale_after=1.0)
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            # Before the index exists (a first build takes a minute on a big corpus).
            status, body = await health(client, server.url)
            assert status == 503 and body["index_loaded"] is False
            assert "index not loaded" in body["problems"]
            before = await scrape(client, server.url)
            assert before[("haiquan_questions_total", (("outcome", "answered"),))] == 0

            services = Services.create(settings, searcher, monitor=monitor)
            try:
                app = build_application(settings, services)
                async with running(app, settings):
                    status, body = await health(client, server.url)
                    assert status == 200, body
                    assert body["status"] == "ok" and body["telegram_reachable"] is True
                    assert body["telegram_methods_last_ok"]["getMe"] is not None

                    fake.user_says(USER, "hoàn thuế hàng tái xuất")
                    fake.user_says(USER, "zzqx wvvy kkjj")  # nothing in the corpus
                    fake.user_says(USER, "???")  # not searchable: declined with a hint
                    await fake.wait_for_messages(USER, 3, timeout=15)
                    await fake.wait_for(lambda: len(fake.requests) and any(
                        r.method == "getUpdates" and r.status == 200 for r in fake.requests))
                    after = await scrape(client, server.url)
                    status, body = await health(client, server.url)
                    assert status == 200 and body["last_poll"] is not None

                    # Telegram stops answering: no Bot API answer for longer than allowed.
                    release = fake.stall("getUpdates")
                    unhealthy = None
                    for _ in range(60):
                        status, body = await health(client, server.url)
                        if status == 503:
                            unhealthy = body
                            break
                        await asyncio.sleep(0.1)
                    release.set()
                    assert unhealthy is not None, "healthz never turned unhealthy"
                    assert unhealthy["telegram_reachable"] is False
                    assert unhealthy["index_loaded"] is True
                    recovered = None
                    for _ in range(60):
                        status, body = await health(client, server.url)
                        if status == 200:
                            recovered = body
                            break
                        await asyncio.sleep(0.1)
                    assert recovered is not None, "healthz stayed unhealthy after Telegram came back"
            finally:
                services.close()
    finally:
        await server.stop()

    def count(name: str, outcome: str) -> float:
        return after[(name, (("outcome", outcome),))]

    assert count("haiquan_questions_total", "answered") == 1
    assert count("haiquan_questions_total", "no_result") == 1
    assert count("haiquan_questions_total", "declined") == 1
    assert after[("haiquan_answer_seconds_count", ())] == 2
    assert after[("haiquan_answer_seconds_bucket", (("le", "+Inf"),))] == 2
    assert after[("haiquan_index_articles", ())] == len(searcher.articles) == 38
    assert after[("haiquan_index_passages", ())] == searcher.n_passages > 0
    assert count("haiquan_broadcast_deliveries_total", "sent") == 0
    assert count("haiquan_reloads_total", "ok") == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_run_command_serves_healthz_on_the_health_port(fake, tmp_path):
    port = free_port()
    env = environment(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                      HAIQUAN_DATA_DIR=str(tmp_path), HAIQUAN_HEALTH_PORT=str(port))
    process = await start(env, "run", "--poll-timeout", "1")
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            body = None
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    response = await client.get(f"http://127.0.0.1:{port}/healthz")
                    if response.status_code == 200:
                        body = response.json()
                        break
                await asyncio.sleep(0.1)
            assert body is not None and body["index_loaded"] is True
            metrics = samples((await client.get(f"http://127.0.0.1:{port}/metrics")).text)
            assert metrics[("haiquan_index_articles", ())] == 38
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
