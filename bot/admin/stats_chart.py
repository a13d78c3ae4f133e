"""The ``/stats`` chart: questions per day over 30 days with the share that found nothing,
and broadcast deliveries sent and failed per day, as one PNG (issue 10).

matplotlib is imported inside `render_chart`, with the Agg backend and the object API
(`matplotlib.figure.Figure`, no pyplot): no display, no global figure state, so a chart
drawn in a worker thread cannot disturb another. Its default font (DejaVu Sans) has every
Vietnamese letter. Only counts are drawn (`bot.store.DayTotals`): no user, no text.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from bot.platform import texts
from bot.store import DayTotals

__all__ = ["render_chart"]

# matplotlib's font cache and text layout are not documented as thread-safe: one chart at
# a time (an admin command; never a bottleneck).
_DRAWING = threading.Lock()
_BLUE, _ORANGE, _GREEN, _RED = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"


def render_chart(days: Sequence[DayTotals]) -> bytes:
    """A PNG (about 1000×700 pixels) of `days`, oldest first (blocking: run in a thread)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    labels = [f"{day.day[8:10]}/{day.day[5:7]}" for day in days]
    positions = list(range(len(days)))
    found = [day.questions - day.no_result for day in days]
    nothing = [day.no_result for day in days]
    # A day without questions has no share: a gap in the line, not a misleading 0 %.
    share = [100 * day.no_result / day.questions if day.questions else float("nan")
             for day in days]
    with _DRAWING:
        figure = Figure(figsize=(10, 7), dpi=100, layout="constrained")
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        figure.suptitle(texts.CHART_TITLE, fontsize=14)

        top.bar(positions, found, color=_BLUE, label=texts.CHART_FOUND)
        top.bar(positions, nothing, bottom=found, color=_ORANGE, label=texts.CHART_NOTHING)
        top.set_ylabel(texts.CHART_QUESTIONS)
        top.yaxis.set_major_locator(MaxNLocator(integer=True))
        right = top.twinx()
        right.plot(positions, share, color="black", marker=".", linewidth=1,
                   label=texts.CHART_NOTHING_SHARE)
        right.set_ylim(0, 100)
        right.yaxis.set_major_formatter(PercentFormatter())
        right.set_ylabel(texts.CHART_NOTHING_SHARE)
        handles = top.get_legend_handles_labels()
        extra = right.get_legend_handles_labels()
        top.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left",
                   fontsize=9)

        sent = [day.sent for day in days]
        failed = [day.failed for day in days]
        bottom.bar(positions, sent, color=_GREEN, label=texts.CHART_SENT)
        bottom.bar(positions, failed, bottom=sent, color=_RED, label=texts.CHART_FAILED)
        bottom.set_ylabel(texts.CHART_BROADCASTS)
        bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.legend(loc="upper left", fontsize=9)
        bottom.set_xticks(positions[::3], labels[::3])
        bottom.set_xlabel(texts.CHART_DAY)
        for axes in (top, bottom):
            axes.grid(axis="y", alpha=0.3)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
