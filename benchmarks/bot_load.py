"""Load test: simulated users asking a running ``haiquan-bot run`` through the fake Bot API.

The bot runs as its own process, exactly as in production (long polling, its own event
loop and threads); this script plays Telegram (the strict fake Bot API from the tests,
on 127.0.0.1) and N users, each asking M questions one after the other: a question is
sent when the previous answer arrived (a closed loop, like people waiting for replies).

Measured per question: from the moment the update is queued at the fake Bot API to the
moment the bot's answer (sendMessage) reaches it -- long-poll delivery, the bot's
handler (typing indicator, search, database, rendering) and the HTTP calls included.

Usage (the corpus path is an argument; its files are read where they are)::

    python benchmarks/bot_load.py ../shared/corpus/hddtvn --users 20 --questions 25

``--mix`` runs the scenario mix instead (``tests/support/load_mix.py``, also run short by
``tests/e2e/test_load_mix.py``): the production Application in this process over a copy
of the bundled sample corpus, each user subscribing, asking in private and by ``/hoi`` in
its group, pressing page buttons and typing inline queries, then a broadcast to all of
them; flood limits on; every error counted (rejected requests but 429, 5xx, ERROR logs,
unanswered questions, buttons and inline queries, missing or duplicated cards)::

    python benchmarks/bot_load.py --mix --users 20 --questions 25

The first run on a corpus builds the index cache in --data-dir (about half a minute for
the full corpus); later runs load it in seconds. Questions come from the shared dev set
when present, else from tests/data/sample_queries.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.fake_bot_api import FakeBotAPI  # noqa: E402
from support.fake_bot_methods import Params  # noqa: E402
from support.load_mix import run_mix  # noqa: E402
from support.paths import DEV_SET, TEST_DATA  # noqa: E402

FIRST_USER = 100_000


class TimingFakeBotAPI(FakeBotAPI):
    """The fake Bot API, noting when each chat receives a message."""

    def __init__(self) -> None:
        super().__init__(bot_username="HaiQuanLoadBot")
        self.waiters: dict[int, asyncio.Future[float]] = {}

    def m_sendMessage(self, p: Params) -> dict:
        message = super().m_sendMessage(p)
        waiter = self.waiters.pop(message["chat"]["id"], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.perf_counter())
        return message

    def ask(self, user: int, question: str) -> asyncio.Future[float]:
        """Queue the user's question; the future gets the time the answer arrived."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[user] = waiter
        self.user_says(user, question)
        return waiter

    def forget_history(self) -> None:
        """Drop recordings the load test does not need (they only grow)."""
        self.requests.clear()
        self.sent_messages.clear()
        self.chat_actions.clear()
        self.messages.clear()


def load_questions(path: Path | None) -> list[str]:
    """Questions of the dev set (or the given JSONL file, or the sample queries)."""
    source = path or (DEV_SET if DEV_SET.is_file() else TEST_DATA / "sample_queries.jsonl")
    lines = source.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines if line.strip()]


async def start_bot(fake: FakeBotAPI, corpus: Path, data_dir: Path,
                    log: list[str]) -> asyncio.subprocess.Process:
    """``python -m bot run`` against the fake; returns once it logged that it is ready."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": fake.token,
           "TELEGRAM_API_BASE_URL": fake.base_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, *os.environ.get("BENCH_PYTHON_ARGS", "").split(), "-m", "bot", "run",
        "--corpus", str(corpus), "--data-dir",
        str(data_dir), "--poll-timeout", "10", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    ready = asyncio.get_running_loop().create_future()

    async def read_log() -> None:
        async for raw in process.stderr:  # type: ignore[union-attr]
            line = raw.decode(errors="replace").rstrip()
            log.append(line)
            if " ready (" in line and not ready.done():
                ready.set_result(line)
        if not ready.done():
            ready.set_exception(RuntimeError("the bot exited:\n" + "\n".join(log[-20:])))

    reader = asyncio.create_task(read_log())
    process.reader = reader  # type: ignore[attr-defined]
    print(await asyncio.wait_for(ready, 900))
    return process


async def user(fake: TimingFakeBotAPI, user_id: int, questions: list[str], count: int,
               latencies: list[float], failures: list[str]) -> None:
    """One person: ask, wait for the answer, ask the next question."""
    for n in range(count):
        question = questions[(user_id * 7 + n) % len(questions)]
        started = time.perf_counter()
        try:
            answered = await asyncio.wait_for(fake.ask(user_id, question), 60)
        except TimeoutError:
            failures.append(f"user {user_id}: no answer to {question!r} within 60 s")
            continue
        latencies.append(answered - started)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


async def run(args: argparse.Namespace) -> int:
    questions = load_questions(args.questions_file)
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / "haiquan-bench-data"
    log: list[str] = []
    async with TimingFakeBotAPI() as fake:
        process = await start_bot(fake, args.corpus, data_dir, log)
        try:
            users = [FIRST_USER + i for i in range(args.users)]
            warm: list[float] = []
            await asyncio.gather(*(user(fake, u, questions, 1, warm, []) for u in users))
            fake.forget_history()
            latencies: list[float] = []
            failures: list[str] = []
            bot_cpu = process_cpu(process.pid)
            own_cpu = time.process_time()
            started = time.perf_counter()
            await asyncio.gather(*(user(fake, u, questions, args.questions, latencies,
                                        failures) for u in users))
            elapsed = time.perf_counter() - started
            cpu = (process_cpu(process.pid) - bot_cpu, time.process_time() - own_cpu)
        finally:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 30)
            if process.returncode is None:
                process.kill()
                await process.wait()
            await process.reader  # type: ignore[attr-defined]
        report(args, questions, latencies, failures, elapsed, fake.rejected, fake.problems)
        print(f"CPU during the load: bot process {cpu[0]:.1f} s, fake Bot API and users "
              f"{cpu[1]:.1f} s (of {elapsed * (os.cpu_count() or 1):.1f} s available)")
    errors = bot_errors(log) + [f"{r.method} {r.status} {r.description}"
                                for r in fake.rejected if r.status != 429]
    print(f"errors: {len(errors) + len(failures) + len(fake.problems)} (bot log errors and "
          f"rejected requests other than 429: {len(errors)})")
    for line in errors[:10]:
        print(f"  {line}")
    return 1 if failures or fake.problems or errors else 0


def bot_errors(log: list[str]) -> list[str]:
    """The bot's ERROR log lines and tracebacks (its stderr), the SIGTERM stop excluded."""
    return [line for line in log if " ERROR " in line or line.startswith("Traceback")]


async def run_scenario_mix(args: argparse.Namespace) -> int:
    """``--mix``: the scenario mix of support.load_mix, timed (sample queries by default:
    the corpus is the sample one)."""
    questions = load_questions(args.questions_file or TEST_DATA / "sample_queries.jsonl")
    with tempfile.TemporaryDirectory() as workdir:
        result = await run_mix(Path(workdir), args.users, questions, args.questions)
    answered = len(result.latencies)
    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")
    print(f"scenario mix on the bundled sample corpus; {len(questions)} distinct questions")
    print(f"users: {args.users}, questions per user: {args.questions} (every third as /hoi "
          f"in the user's group), page buttons served: {result.pages}, inline queries "
          f"answered: {result.inline}, directive cards: {result.cards}")
    print(f"answered: {answered} in {result.elapsed:.2f} s = "
          f"{answered / result.elapsed:.1f} answered questions/s")
    if result.latencies:
        ms = [1000 * v for v in result.latencies]
        print(f"question -> answer: p50 {percentile(ms, 0.50):.0f} ms, "
              f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")
    print(f"flood-limit 429s waited out: {result.flood_waits}")
    print(f"errors: {len(result.errors)}")
    for line in result.errors[:10]:
        print(f"  {line}")
    return 1 if result.errors else 0


def report(args: argparse.Namespace, questions: list[str], latencies: list[float],
           failures: list[str], elapsed: float, rejected: list[Any],
           problems: list[str]) -> None:
    answered = len(latencies)
    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")
    print(f"corpus: {args.corpus}; {len(questions)} distinct questions")
    print(f"users: {args.users}, questions per user: {args.questions}")
    print(f"answered: {answered} in {elapsed:.2f} s = {answered / elapsed:.1f} answers/s")
    if latencies:
        ms = [1000 * v for v in latencies]
        print(f"update -> reply: p50 {percentile(ms, 0.50):.0f} ms, "
              f"p90 {percentile(ms, 0.90):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms, "
              f"max {max(ms):.0f} ms, mean {statistics.fmean(ms):.0f} ms")
    print(f"unanswered: {len(failures)}; rejected requests: {len(rejected)}; "
          f"fake Bot API problems: {len(problems)}")
    for line in (failures + problems)[:10]:
        print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?",
                        help="corpus directory (read in place; not with --mix)")
    parser.add_argument("--mix", action="store_true",
                        help="the scenario mix over the sample corpus (see above)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (20)")
    parser.add_argument("--questions", type=int, default=25,
                        help="questions each user asks, one after the other (25)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the bot's data dir (index cache, database); default: "
                             "<tmp>/haiquan-bench-data, kept between runs")
    parser.add_argument("--questions-file", type=Path, default=None,
                        help="JSONL with a 'query' per line (default: the shared dev set)")
    args = parser.parse_args()
    if args.mix:
        return asyncio.run(run_scenario_mix(args))
    if args.corpus is None or not args.corpus.is_dir():
        parser.error(f"corpus directory not found: {args.corpus}")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
