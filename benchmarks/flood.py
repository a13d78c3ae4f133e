"""Flood benchmark: chat A floods 300 questions while chat B asks a few.

Prints B's answer latency (question -> the answer's sendMessage at the fake Bot API, not
the typing action), p50 and p99, without the flood and during it. The production
Application runs in this process over a copy of the bundled sample corpus, against the
strict fake Bot API with Telegram's flood limits on, so A is answered at about one message
a second and its 300 questions wait in the bot; B must not wait behind them
(`bot.platform.concurrency`). The set-up is the one of tests/e2e/test_fairness.py
(`support.flood`), which asserts the behaviour; this script only measures it.

B asks one question at a time, 1.2 s apart, so its own one-message-a-second limit never
delays its answers::

    python benchmarks/flood.py --questions 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.bot_harness import BOT, sample_queries  # noqa: E402
from support.fake_bot_api import FakeBotAPI  # noqa: E402
from support.flood import FLOODER, QUIET, answer_latency, flood, let_flood_drain  # noqa: E402
from support.load_mix import bot_on_copy_of_sample, fake_errors  # noqa: E402

SPACING = 1.2  # seconds between two of B's questions: under its own per-chat limit


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


async def quiet_chat(fake: FakeBotAPI, questions: list[str], count: int) -> list[float]:
    """B asks `count` questions one after the other; their latencies in seconds."""
    latencies = []
    for i in range(count):
        already = len(fake.sent(QUIET))
        latencies.append(await answer_latency(fake, QUIET, questions[i % len(questions)],
                                              already, patience=60))
        await asyncio.sleep(SPACING)
    return latencies


def line(name: str, seconds: list[float]) -> str:
    ms = [1000 * s for s in seconds]
    return (f"{name}: n={len(ms)} p50 {percentile(ms, 0.5):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")


async def run(args: argparse.Namespace) -> int:
    questions = [q["query"] for q in sample_queries().values()]
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as workdir:
        async with FakeBotAPI(bot_username=BOT, enforce_limits=True) as fake:
            async with bot_on_copy_of_sample(fake, Path(workdir), errors):
                await answer_latency(fake, QUIET, questions[0], 0, patience=30)  # warm up
                await asyncio.sleep(SPACING)
                unflooded = await quiet_chat(fake, questions, args.questions)
                try:
                    await flood(fake, questions, args.flood)
                    flooded = await quiet_chat(fake, questions[3:] + questions[:3],
                                               args.questions)
                    served = len(fake.sent(FLOODER))
                finally:
                    fake.limiter = None
                await let_flood_drain(fake, args.flood, patience=120)
            rejected, waits = fake_errors(fake)
    errors += rejected
    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")
    print(f"flood: chat A sent {args.flood} questions at once; chat B asked "
          f"{args.questions} one at a time, {SPACING} s apart")
    print(line("B unflooded", unflooded))
    print(line("B during the flood", flooded))
    print(f"A's answers sent while B asked: {served} of {args.flood}; "
          f"flood-limit 429s waited out: {waits}; errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=30,
                        help="questions chat B asks in each phase (30)")
    parser.add_argument("--flood", type=int, default=300, help="chat A's questions (300)")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
