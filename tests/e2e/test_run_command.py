"""``haiquan-bot run`` as a real process: starts, answers, stops; fails in one clean line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys

import pytest
from support.bot_harness import USER
from support.paths import ROOT

pytestmark = pytest.mark.e2e

WRONG_TOKEN = "999999:WRONG-token-value-that-telegram-rejects"  # noqa: S105 - not a secret


def environment(**variables: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
    return {**keep, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **variables}


async def start(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, stderr.decode()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_bot_process_answers_and_stops_cleanly(fake, tmp_path):
    env = environment(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                      HAIQUAN_DATA_DIR=str(tmp_path))
    process = await start(env, "-vv", "run", "--poll-timeout", "1")
    lines: list[str] = []

    async def drain() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            lines.append(raw.decode())

    reader = asyncio.create_task(drain())
    try:
        await fake.wait_for(lambda: any(" ready " in line for line in lines), timeout=60,
                            what="the ready line")
        fake.user_says(USER, "hoan thue hang tai xuat nguyen trang")
        [reply] = await fake.wait_for_messages(USER, timeout=30)
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 30)
        await reader
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            reader.cancel()
    log = "".join(lines)
    assert returncode == 0, log
    assert reply.text.startswith("🔎")
    [ready] = [line for line in lines if " ready " in line]
    assert "@HaiQuanTestBot ready (long polling): 38 articles" in ready
    assert "Traceback" not in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert "hoan thue hang" in log  # the question is logged, at debug level only
    # Neither a corpus nor admins were configured: the operator is told, before "ready".
    warnings = [line for line in lines if " WARNING bot.platform.lifecycle: " in line]
    assert any("bundled sample corpus" in line for line in warnings), log
    assert any("no admin ids configured" in line for line in warnings), log
    assert lines.index(warnings[0]) < lines.index(ready)
    assert (tmp_path / "haiquan.sqlite3").is_file()


async def test_startup_failures_are_one_line_without_traceback(fake, tmp_path):
    def base(case: str) -> dict[str, str]:
        # One data directory per case: the processes run at once, and each `run` holds
        # its data directory's run lock.
        return {"TELEGRAM_API_BASE_URL": fake.base_url, "HAIQUAN_DATA_DIR": str(tmp_path / case)}

    cases = {
        "missing token": (environment(**base("a")), 2, "no bot token"),
        "rejected token": (environment(**base("b"), TELEGRAM_BOT_TOKEN=WRONG_TOKEN), 1,
                           "Telegram rejected the bot token"),
        "unreachable API": (environment(
            **{**base("c"), "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/bot"},
            TELEGRAM_BOT_TOKEN=fake.token), 1, "cannot reach the Telegram Bot API"),
        "bad corpus": (environment(**base("d"), TELEGRAM_BOT_TOKEN=fake.token,
                                   HAIQUAN_CORPUS_DIR=str(tmp_path / "nowhere")), 2,
                       "corpus directory not found"),
        "bad admin ids": (environment(**base("e"), TELEGRAM_BOT_TOKEN=fake.token,
                                      HAIQUAN_ADMIN_IDS="12,abc"), 2, "HAIQUAN_ADMIN_IDS"),
    }
    processes = {name: await start(env, "run") for name, (env, _, _) in cases.items()}
    results = {name: await finish(process) for name, process in processes.items()}
    fake.rejected.clear()  # the rejected token's 401 is the point of one case
    for name, (_, status, message) in cases.items():
        returncode, stderr = results[name]
        assert returncode == status, (name, stderr)
        assert stderr.strip().splitlines() == [f"haiquan-bot: error: {stderr.split(': error: ')[1].strip()}"], (name, stderr)
        assert message in stderr, (name, stderr)
        assert "Traceback" not in stderr
        assert WRONG_TOKEN not in stderr and fake.token not in stderr
