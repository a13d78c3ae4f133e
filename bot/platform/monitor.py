"""What an operator's monitoring reads: Prometheus metrics and a health verdict (issue 10).

`Monitor` is one per application: its `Metrics` live in their own
`prometheus_client.CollectorRegistry` (never the process-global one), so two bots in one
process -- the tests start dozens -- never share or collide on a counter. `Health` keeps
the times things last went right; `Health.verdict` turns them into the ``/healthz``
answer:

- healthy when the index is loaded and the Bot API answered a request (any method:
  getMe, getUpdates, sendMessage…) within `Health.stale_after` seconds. A long poll
  returns at least every poll timeout (30 s), so a silent Telegram shows within minutes;
  in webhook mode, where nothing polls, a job calls getMe now and then
  (`bot.platform.health_server`).
- the last poll, ingest round and broadcast delivery that succeeded are reported but do
  not decide health: a quiet day without news is not an outage.

Requests are observed by `ObservedRequest`, python-telegram-bot's own HTTPX request with
one hook: a 2xx answer records the method name (never the URL, which holds the token).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram.request import HTTPXRequest

__all__ = ["Health", "Metrics", "Monitor", "ObservedRequest"]

# Answer latency: a search takes milliseconds, the reply a Bot API round trip; above a
# few seconds the bot is in trouble.
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class Metrics:
    """The bot's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        """Create every metric at zero, so a scrape shows them before the first event."""
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.questions = Counter(
            "haiquan_questions", "Questions by outcome: answered (found articles), "
            "no_result (found nothing), declined (not searchable: empty or too long)",
            ["outcome"], registry=reg)
        self.answer_seconds = Histogram(
            "haiquan_answer_seconds", "Time from a question's arrival to its answer sent",
            buckets=_LATENCY_BUCKETS, registry=reg)
        self.broadcasts = Counter(
            "haiquan_broadcast_deliveries", "Broadcast deliveries: sent, or failed for good",
            ["outcome"], registry=reg)
        self.ingest_runs = Counter(
            "haiquan_ingest_runs", "News ingest rounds: ok, feeds_failed (ran, some feeds "
            "failed), error (could not run)", ["outcome"], registry=reg)
        self.reloads = Counter("haiquan_reloads", "Corpus reloads by outcome (ok, failed)",
                               ["outcome"], registry=reg)
        self.index_articles = Gauge("haiquan_index_articles", "Articles in the served index",
                                    registry=reg)
        self.index_passages = Gauge("haiquan_index_passages", "Passages in the served index",
                                    registry=reg)
        for outcome in ("answered", "no_result", "declined"):
            self.questions.labels(outcome)
        for outcome in ("sent", "failed"):
            self.broadcasts.labels(outcome)
        for outcome in ("ok", "feeds_failed", "error"):
            self.ingest_runs.labels(outcome)
        for outcome in ("ok", "failed"):
            self.reloads.labels(outcome)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)


@dataclass
class Health:
    """When things last went right; `verdict` says whether the bot is healthy."""

    stale_after: float = 180.0  # seconds without a Bot API answer before "unreachable"
    index_loaded: bool = False
    telegram_ok: dict[str, dt.datetime] = field(default_factory=dict)  # method -> last 2xx
    ingest_ok: dt.datetime | None = None
    broadcast_ok: dt.datetime | None = None
    _last_ok: float | None = None  # monotonic time of the last Bot API answer

    def telegram_answered(self, method: str) -> None:
        """A Bot API call of `method` succeeded just now."""
        self._last_ok = time.monotonic()
        self.telegram_ok[method] = dt.datetime.now(tz=dt.UTC)

    def reachable(self) -> bool:
        """Whether the Bot API answered within `stale_after` seconds."""
        return self._last_ok is not None and time.monotonic() - self._last_ok <= self.stale_after

    def verdict(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body of ``/healthz``)."""
        def stamp(moment: dt.datetime | None) -> str | None:
            return moment.isoformat(timespec="seconds") if moment else None

        problems = []
        if not self.index_loaded:
            problems.append("index not loaded")
        reachable = self.reachable()
        if not reachable:
            problems.append(f"no answer from the Telegram Bot API for {self.stale_after:g}s")
        telegram = dict(sorted(self.telegram_ok.items()))
        body = {
            "status": "ok" if not problems else "unhealthy",
            "problems": problems,
            "index_loaded": self.index_loaded,
            "telegram_reachable": reachable,
            "telegram_last_ok": stamp(max(telegram.values(), default=None)),
            "telegram_methods_last_ok": {m: stamp(t) for m, t in telegram.items()},
            "last_poll": stamp(telegram.get("getUpdates")),
            "last_ingest": stamp(self.ingest_ok),
            "last_broadcast": stamp(self.broadcast_ok),
        }
        return not problems, body


@dataclass(eq=False)
class Monitor:
    """Metrics and health of one application."""

    metrics: Metrics = field(default_factory=Metrics)
    health: Health = field(default_factory=Health)

    def watch_index(self, articles: Callable[[], int], passages: Callable[[], int]) -> None:
        """The index is loaded: its size gauges read the served index at each scrape."""
        self.metrics.index_articles.set_function(articles)
        self.metrics.index_passages.set_function(passages)
        self.health.index_loaded = True

    def question(self, outcome: str, seconds: float | None = None) -> None:
        """Count a question (`outcome` as in `Metrics.questions`), with its latency."""
        self.metrics.questions.labels(outcome).inc()
        if seconds is not None:
            self.metrics.answer_seconds.observe(seconds)

    def broadcast(self, *, sent: bool) -> None:
        """Count a delivery that reached its chat, or failed for good."""
        self.metrics.broadcasts.labels("sent" if sent else "failed").inc()
        if sent:
            self.health.broadcast_ok = dt.datetime.now(tz=dt.UTC)

    def ingest(self, outcome: str) -> None:
        """Count an ingest round (`ok`, `feeds_failed`, `error`)."""
        self.metrics.ingest_runs.labels(outcome).inc()
        if outcome != "error":
            self.health.ingest_ok = dt.datetime.now(tz=dt.UTC)

    def reload(self, *, ok: bool) -> None:
        """Count a reload."""
        self.metrics.reloads.labels("ok" if ok else "failed").inc()


class ObservedRequest(HTTPXRequest):
    """python-telegram-bot's HTTPX request that tells `on_answer` of each 2xx answer."""

    def __init__(self, on_answer: Callable[[str], None], **kwargs: Any) -> None:
        """`kwargs` go to `HTTPXRequest` unchanged."""
        super().__init__(**kwargs)
        self._on_answer = on_answer

    async def do_request(self, url: str, method: str, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:
        """The request as usual; a 2xx answer is recorded by its Bot API method name."""
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if 200 <= code < 300:
            self._on_answer(url.rsplit("/", 1)[-1])
        return code, payload
