"""What ingest remembers between rounds, kept in the data directory.

One folder per corpus (``<data dir>/ingest/<key of the corpus path>/``), so pointing the
bot at another corpus starts clean instead of believing that corpus already has our
articles. It holds:

- ``state.json``: per feed its validators (ETag, Last-Modified), consecutive failures,
  next attempt and last error; the feed entries already settled; and the address keys
  and text fingerprints of every article ingest wrote (so an article an admin deleted
  is not fetched again). Written atomically after every round.
- ``last-report.json``: the last round's `IngestReport`, for ``/stats``.
- ``corpus-index.json``: see `corpus.ingest.known`.
- ``lock``: held (``flock``) while a round runs, so the bot's scheduled job, an admin's
  ``/ingest`` and a cron-run CLI never write the same corpus at once.

A damaged ``state.json`` is moved aside and ingest starts afresh: the corpus itself
still prevents duplicates (every round checks the files), so the cost is re-fetching
feeds without validators once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from corpus.cache import write_atomically
from corpus.ingest.errors import IngestBusyError, IngestError
from corpus.ingest.report import IngestReport

__all__ = [
    "FeedState",
    "IngestState",
    "ingest_dir",
    "load_state",
    "lock_ingest",
    "read_last_report",
    "save_state",
    "write_last_report",
]

logger = logging.getLogger(__name__)

_KIND = "haiquan-ingest-state"
_VERSION = 1
# Oldest entries are forgotten first; a feed carries tens of entries, so this is years.
MAX_SEEN = 50_000
MAX_WRITTEN = 100_000


@dataclass(slots=True)
class FeedState:
    """Per-feed memory: conditional GET validators and failure bookkeeping."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_attempt: str | None = None  # ISO 8601 UTC; None: fetch whenever a round runs
    last_error: str = ""
    last_success: str | None = None
    last_failure: str | None = None  # ISO 8601 UTC of the latest failure (shown by /feeds)
    alerted: bool = False  # admins were told about the current run of failures

    def due(self, now: dt.datetime) -> bool:
        """Whether backoff allows fetching at `now`."""
        return self.next_attempt is None or dt.datetime.fromisoformat(self.next_attempt) <= now


@dataclass(slots=True)
class IngestState:
    """Everything `state.json` holds; dict order is insertion order (oldest first)."""

    feeds: dict[str, FeedState] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # entry key -> date settled
    attempts: dict[str, int] = field(default_factory=dict)  # entry key -> transient failures
    urls: dict[str, str] = field(default_factory=dict)  # url key -> article id written
    fingerprints: dict[str, str] = field(default_factory=dict)  # text fingerprint -> id

    def feed(self, url: str) -> FeedState:
        """The state of `url`, created on first use."""
        return self.feeds.setdefault(url, FeedState())

    def to_json(self) -> dict[str, Any]:
        """The ``state.json`` payload, trimmed to the size limits."""
        return {
            "kind": _KIND,
            "version": _VERSION,
            "feeds": {url: asdict(state) for url, state in self.feeds.items()},
            "seen": _newest(self.seen, MAX_SEEN),
            "attempts": self.attempts,
            "urls": _newest(self.urls, MAX_WRITTEN),
            "fingerprints": _newest(self.fingerprints, MAX_WRITTEN),
        }

    @classmethod
    def from_json(cls, data: Any) -> IngestState:
        """Inverse of `to_json`; raises ValueError for anything else."""
        if not isinstance(data, dict) or data.get("kind") != _KIND:
            raise ValueError("not an ingest state file")
        if data.get("version") != _VERSION:
            raise ValueError(f"ingest state version {data.get('version')!r}, expected {_VERSION}")
        try:
            return cls(
                feeds={str(u): FeedState(**s) for u, s in data["feeds"].items()},
                seen={str(k): str(v) for k, v in data["seen"].items()},
                attempts={str(k): int(v) for k, v in data["attempts"].items()},
                urls={str(k): str(v) for k, v in data["urls"].items()},
                fingerprints={str(k): str(v) for k, v in data["fingerprints"].items()},
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed ingest state: {exc}") from None


def ingest_dir(data_dir: Path, corpus_dir: Path) -> Path:
    """The folder holding ingest state for `corpus_dir`."""
    key = hashlib.blake2b(str(corpus_dir.resolve()).encode("utf-8"), digest_size=6).hexdigest()
    return data_dir / "ingest" / key


@contextmanager
def lock_ingest(folder: Path) -> Iterator[None]:
    """Hold the corpus's ingest lock, or raise `IngestBusyError` at once (never wait).

    ``flock`` locks belong to the open file, so a second round in the same process is
    refused just like one in another process; the kernel drops the lock if we crash.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / "lock").open("a")
    except OSError as exc:
        raise IngestError(f"cannot use the ingest data directory {folder}: {exc}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusyError("another ingest round is running on this corpus") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_state(folder: Path) -> IngestState:
    """The saved state, or a fresh one (first round, or a damaged file moved aside)."""
    path = folder / "state.json"
    try:
        return IngestState.from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return IngestState()
    except (OSError, ValueError) as exc:
        aside = path.with_name(f"state.damaged-{os.getpid()}.json")
        logger.warning("ingest state %s unusable (%s); starting afresh, kept as %s",
                       path, exc, aside.name)
        with suppress(OSError):
            path.replace(aside)
        return IngestState()


def save_state(folder: Path, state: IngestState) -> None:
    """Replace ``state.json`` atomically."""
    payload = json.dumps(state.to_json(), ensure_ascii=False, indent=0)
    write_atomically(folder / "state.json", payload.encode("utf-8"))


def write_last_report(folder: Path, report: IngestReport) -> None:
    """Keep `report` as the last round's, for ``/stats``."""
    payload = json.dumps(report.to_json(), ensure_ascii=False, indent=1)
    write_atomically(folder / "last-report.json", payload.encode("utf-8"))


def read_last_report(data_dir: Path, corpus_dir: Path) -> IngestReport | None:
    """The last round's report for `corpus_dir`, or None when there is none (or unreadable)."""
    path = ingest_dir(data_dir, corpus_dir) / "last-report.json"
    try:
        return IngestReport.from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("ignoring unreadable ingest report %s: %s", path, exc)
        return None


def _newest(mapping: dict[str, str], limit: int) -> dict[str, str]:
    if len(mapping) <= limit:
        return mapping
    return dict(list(mapping.items())[-limit:])
