"""How long the /stats chart takes to draw, and how big it is (issue 10).

    python benchmarks/stats_chart.py [--runs 5]

Thirty days of made-up counts (seeded), drawn by `bot.admin.stats_chart.render_chart` exactly as
``/stats`` does; prints matplotlib's import time, the first drawing (font cache warm-up) and
the median of the next runs, and the PNG's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bot.store import DayTotals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    days = []
    for n in range(30):
        questions = rng.randint(0, 40)
        days.append(DayTotals((dt.date(2026, 11, 4) + dt.timedelta(days=n)).isoformat(),
                              questions, rng.randint(0, questions), rng.randint(0, 30),
                              rng.randint(0, 3)))
    started = time.perf_counter()
    import matplotlib.figure  # noqa: F401 - what render_chart imports lazily

    imported = time.perf_counter() - started
    from bot.admin.stats_chart import render_chart

    started = time.perf_counter()
    png = render_chart(days)
    first = time.perf_counter() - started
    runs = []
    for _ in range(args.runs):
        started = time.perf_counter()
        render_chart(days)
        runs.append(time.perf_counter() - started)
    print(f"matplotlib import {imported:.2f}s; first chart {first:.2f}s; "
          f"median of {args.runs} {statistics.median(runs) * 1000:.0f} ms; PNG {len(png):,} bytes")


if __name__ == "__main__":
    main()
