"""The image's health check command against a real health server: 200 is healthy, 503 and
a closed port are not (issue 10)."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from support.paths import ROOT
from test_deploy_files import dockerfile_instructions

from bot.platform.health_server import start_health_server
from bot.platform.monitor import Monitor


async def check(port: int) -> int:
    command = json.loads(dockerfile_instructions()["HEALTHCHECK"][0].split("CMD", 1)[1])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HAIQUAN_HEALTH_PORT": str(port),
           "HAIQUAN_HEALTH_HOST": "0.0.0.0"}  # noqa: S104 - the check asks 127.0.0.1 then
    process = await asyncio.create_subprocess_exec(sys.executable, *command[1:], env=env)
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_image_check_follows_healthz_when_a_health_port_is_set():
    monitor = Monitor()
    server = await start_health_server(monitor, "127.0.0.1", 0)
    try:
        assert await check(server.port) == 1  # index not loaded: 503
        monitor.watch_index(lambda: 38, lambda: 120)
        monitor.health.telegram_answered("getUpdates")
        assert await check(server.port) == 0
        monitor.health.stale_after = 0.0  # no fresh Bot API answer
        await asyncio.sleep(0.01)
        assert await check(server.port) == 1
    finally:
        await server.stop()
    assert await check(server.port) == 1  # nothing listens
