"""Settings of a running bot: environment variables, each overridable by a command-line flag.

| variable                  | flag               | default                                 |
|---------------------------|--------------------|-----------------------------------------|
| ``TELEGRAM_BOT_TOKEN``    | ``--token``        | required                                |
| ``TELEGRAM_API_BASE_URL`` | ``--api-base-url`` | ``https://api.telegram.org/bot``        |
| ``TELEGRAM_API_FILE_URL`` | ``--api-file-url`` | ``https://api.telegram.org/file/bot``   |
| ``HAIQUAN_CORPUS_DIR``    | ``--corpus``       | the bundled sample corpus               |
| ``HAIQUAN_DATA_DIR``      | ``--data-dir``     | ``retrieval.default_data_dir()``        |
| ``HAIQUAN_ADMIN_IDS``     | ``--admin-ids``    | none (comma-separated Telegram user ids)|
| ``HAIQUAN_WEBHOOK_URL``   | ``--webhook-url``  | none: long polling                      |
| ``HAIQUAN_WEBHOOK_LISTEN``| ``--listen``       | ``127.0.0.1``                           |
| ``HAIQUAN_WEBHOOK_PORT``  | ``--port``         | ``8443``                                |
| ``HAIQUAN_WEBHOOK_SECRET``| ``--webhook-secret``| random per start                       |
| ``HAIQUAN_WATCH``         | ``--watch``        | off (``1``/``true``/``yes`` turns it on) |
| ``HAIQUAN_RELOAD_EVERY``  | ``--reload-every`` | none (minutes between automatic reloads)|
| ``HAIQUAN_FEEDS``         | ``--feed`` (repeat)| none (RSS/Atom URLs, comma or space sep.)|
| ``HAIQUAN_INGEST_EVERY``  | ``--ingest-every`` | none (minutes between ingest rounds)    |
| ``HAIQUAN_INGEST_CONTACT``|                    | none (URL or e-mail for the User-Agent) |
| ``HAIQUAN_SHARE_LINK_DAYS``|                   | 7 (days a shared answer link stays valid)|
| ``HAIQUAN_RETENTION_DAYS``|                    | 30 (days answers and delivery rows are kept)|
| ``HAIQUAN_HEALTH_PORT``   | ``--health-port``  | none: no ``/healthz`` and ``/metrics``  |
| ``HAIQUAN_HEALTH_HOST``   | ``--health-host``  | ``127.0.0.1``                           |
| ``HAIQUAN_DATABASE_URL``  |                    | none: SQLite in the data directory      |
| ``HAIQUAN_BROADCAST_RATE``|                    | 25 (broadcast messages/s, this process) |

``--watch`` reloads the corpus when its files change (checked every few seconds, after
they stop changing); ``--reload-every`` reloads it on a timer. Both use the same reload
as the admins' ``/reload``. Broadcast pacing (`bot.directives.pacing.Pacing`) keeps its defaults,
Telegram's limits with a margin, except the overall rate: ``HAIQUAN_BROADCAST_RATE`` (more
than 0, at most 30) is this process's share, so N processes sending for one bot each get
25/N (docs/scaling.md).

``HAIQUAN_DATABASE_URL`` (``postgresql://user:password@host:5432/db``) moves subscriptions,
known articles and the delivery ledger into PostgreSQL, so several bot processes (webhook
mode behind a load balancer) share them; answers, counters and feeds stay in each
process's SQLite file. The URL is kept out of ``repr`` and its password out of every log
line (`bot.store.postgres.safe_url`).

Feeds enable ``/ingest`` (`bot.admin.ingest`); with ``--ingest-every`` as well, a round runs on
a timer. Feeds need an explicit corpus directory: ingest writes into it, and never into
the bundled sample corpus. An interval needs feeds, and is at least one minute: feeds are
other people's servers. The fetch limits (`corpus.ingest.FetchLimits`: timeout, pacing per
host, no private addresses) keep their defaults.

The base URLs are passed to python-telegram-bot as given (``base_url``/``base_file_url``),
so a self-hosted Bot API server works: ``http://127.0.0.1:8081/bot``. python-telegram-bot
appends the token straight to them, so a URL without its path (``http://127.0.0.1:8081``)
would become ``http://127.0.0.1:8081123:ABC…`` and fail with a confusing ``InvalidURL``:
an empty path gets the standard ``/bot`` (``/file/bot``) and a warning; any other path that
does not end in ``bot`` is kept but warned about.

``HAIQUAN_RETENTION_DAYS`` (1 to 3650) is how long stored answers (what their buttons
redo) and finished delivery rows are kept; a daily job and each start purge older ones
(`bot.platform.app`). A shared link cannot outlive its answer, so the link age may not exceed it
(unset, it is the smaller of 7 days and the retention).

`Settings.warnings` are the start-up warnings ``run`` logs before it connects: the bundled
sample corpus is being served, no admin is configured, a base URL looks wrong. The token and the
webhook secret are kept out of ``repr`` so they never reach a log line.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.directives.pacing import Pacing
from bot.platform.errors import ConfigError
from bot.store.postgres import is_postgres_url
from corpus.ingest import FetchLimits, parse_feed_list

__all__ = ["DEFAULT_API_BASE_URL", "DEFAULT_API_FILE_URL", "Settings", "WebhookSettings"]

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where Telegram posts updates (``url``, public HTTPS) and where the bot listens."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def path(self) -> str:
        """The URL path the bot serves, the same one Telegram posts to."""
        return urlsplit(self.url).path.lstrip("/")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything `haiquan-bot run` is configured with; build it with `from_env`."""

    token: str = field(repr=False)
    corpus_dir: Path
    data_dir: Path | None
    api_base_url: str = DEFAULT_API_BASE_URL
    api_file_url: str = DEFAULT_API_FILE_URL
    admin_ids: frozenset[int] = frozenset()
    webhook: WebhookSettings | None = None
    # Long-poll timeout (seconds): how long one getUpdates waits for news. Short in tests
    # so that shutting down never waits long.
    poll_timeout: int = 30
    watch: bool = False
    reload_every: float | None = None  # minutes
    watch_interval: float = 5.0  # seconds between two looks at the corpus directory
    pacing: Pacing = field(default_factory=Pacing)
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs for the news ingest (`bot.admin.ingest`)
    ingest_every: float | None = None  # minutes between scheduled ingest rounds
    ingest_contact: str = ""  # URL or e-mail added to the ingest's User-Agent
    ingest_limits: FetchLimits = field(default_factory=FetchLimits)
    # Start-up warnings (English, for the operator's log and console), decided with the
    # settings so that every entry point and test sees the same ones.
    warnings: tuple[str, ...] = ()
    # How long a shared answer link (``/start`` deep link) opens (`bot.store.answers`).
    share_link_age: dt.timedelta = dt.timedelta(days=7)
    # How long answers and finished delivery rows are kept (the daily purge, `bot.platform.app`).
    retention: dt.timedelta = dt.timedelta(days=30)
    # The health and metrics server (`bot.platform.health_server`): off without a port.
    health_port: int | None = None
    health_host: str = "127.0.0.1"
    # Seconds without any Bot API answer before /healthz says Telegram is unreachable;
    # three long polls and a margin. Short in tests.
    health_stale_after: float = 180.0
    # PostgreSQL for what several processes share (`bot.store.postgres`); None: SQLite.
    database_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        default_corpus_dir: Path,
        default_data_dir: Path | None,
        **overrides: object,
    ) -> Settings:
        """Read the environment; a non-None value in `overrides` (a flag) wins.

        Override names are the field names plus ``webhook_url``, ``listen``, ``port`` and
        ``webhook_secret``; ``watch`` and ``reload_every`` count when not None, ``feeds``
        (the ``--feed`` flags, a sequence of URLs) when not empty.

        Raises:
            ConfigError: a required setting is missing or a value is malformed.
        """
        env = os.environ if environ is None else environ

        def pick(name: str, variable: str) -> str | None:
            value = overrides.get(name)
            if value is not None:
                return str(value)
            raw = env.get(variable, "").strip()
            return raw or None

        token = pick("token", "TELEGRAM_BOT_TOKEN")
        if not token:
            raise ConfigError("no bot token: set TELEGRAM_BOT_TOKEN or pass --token")
        if not _TOKEN.fullmatch(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, ':', letters)"
            )
        corpus = pick("corpus_dir", "HAIQUAN_CORPUS_DIR")
        corpus_dir = Path(corpus) if corpus else default_corpus_dir
        if not corpus_dir.is_dir():
            raise ConfigError(f"corpus directory not found: {corpus_dir}")
        data = pick("data_dir", "HAIQUAN_DATA_DIR")
        data_dir = Path(data) if data else default_data_dir
        if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
            raise ConfigError(f"data directory is not a directory: {data_dir}")
        warnings: list[str] = []
        if corpus is None:
            warnings.append(
                f"serving the bundled sample corpus ({corpus_dir}): HAIQUAN_CORPUS_DIR "
                "(or --corpus) is not set, so answers come from a few demonstration articles"
            )
        base_url = _api_url(pick("api_base_url", "TELEGRAM_API_BASE_URL")
                            or DEFAULT_API_BASE_URL, "TELEGRAM_API_BASE_URL", "/bot", warnings)
        file_url = _api_url(pick("api_file_url", "TELEGRAM_API_FILE_URL")
                            or DEFAULT_API_FILE_URL, "TELEGRAM_API_FILE_URL", "/file/bot",
                            warnings)
        admins = _admin_ids(pick("admin_ids", "HAIQUAN_ADMIN_IDS") or "")
        if not admins:
            warnings.append(
                "no admin ids configured (HAIQUAN_ADMIN_IDS or --admin-ids): nobody can use "
                "/reload, /stats, /broadcast or /ingest, and errors reach no one"
            )
        webhook = _webhook(pick)
        timeout = overrides.get("poll_timeout")
        watch = _flag(pick("watch", "HAIQUAN_WATCH"), "HAIQUAN_WATCH")
        every = _minutes(pick("reload_every", "HAIQUAN_RELOAD_EVERY"), "HAIQUAN_RELOAD_EVERY")
        feeds = _feeds(overrides.get("feeds"), env.get("HAIQUAN_FEEDS", ""))
        if feeds and corpus is None:
            raise ConfigError("HAIQUAN_FEEDS needs HAIQUAN_CORPUS_DIR (or --corpus): ingest "
                              "never writes into the bundled sample corpus")
        ingest_every = _minutes(pick("ingest_every", "HAIQUAN_INGEST_EVERY"),
                                "HAIQUAN_INGEST_EVERY", minimum=1.0)
        # The timer reads the admins' list (`/feeds`) each round, so it needs no seed feed,
        # only a corpus of the operator's own to write into.
        if ingest_every is not None and corpus is None:
            raise ConfigError("HAIQUAN_INGEST_EVERY needs HAIQUAN_CORPUS_DIR (or --corpus): "
                              "ingest never writes into the bundled sample corpus")
        health_port = _health_port(pick("health_port", "HAIQUAN_HEALTH_PORT"), webhook)
        retention = _retention(env.get("HAIQUAN_RETENTION_DAYS", "").strip() or None)
        link_days = env.get("HAIQUAN_SHARE_LINK_DAYS", "").strip() or None
        share_link_age = (min(dt.timedelta(days=7), retention) if link_days is None
                          else _days(link_days, "HAIQUAN_SHARE_LINK_DAYS", retention))
        database_url = _database_url(env.get("HAIQUAN_DATABASE_URL", "").strip() or None)
        if database_url is not None:
            warnings.extend(_sharing_warnings(webhook, pick("webhook_secret",
                                                            "HAIQUAN_WEBHOOK_SECRET")))
        rate = _broadcast_rate(env.get("HAIQUAN_BROADCAST_RATE", "").strip() or None)
        return cls(
            token=token,
            corpus_dir=corpus_dir,
            data_dir=data_dir,
            api_base_url=base_url,
            api_file_url=file_url,
            admin_ids=admins,
            webhook=webhook,
            poll_timeout=int(timeout) if isinstance(timeout, int) else 30,
            watch=watch,
            reload_every=every,
            feeds=feeds,
            ingest_every=ingest_every,
            ingest_contact=env.get("HAIQUAN_INGEST_CONTACT", "").strip(),
            warnings=tuple(warnings),
            share_link_age=share_link_age,
            retention=retention,
            health_port=health_port,
            health_host=pick("health_host", "HAIQUAN_HEALTH_HOST") or "127.0.0.1",
            database_url=database_url,
            pacing=Pacing() if rate is None else Pacing(per_second=rate),
        )


def _sharing_warnings(webhook: WebhookSettings | None, secret: str | None) -> list[str]:
    """What goes wrong when several processes share one database but not the settings
    that make them one bot (docs/scaling.md)."""
    if webhook is None:
        return ["HAIQUAN_DATABASE_URL is set but the bot long-polls: Telegram gives updates "
                "to one poller only, so a second process would fail with 409 Conflict; run "
                "several processes in webhook mode (HAIQUAN_WEBHOOK_URL)"]
    if secret is None:
        return ["HAIQUAN_DATABASE_URL is set but HAIQUAN_WEBHOOK_SECRET is not: each process "
                "picks its own random secret and registers it, so the others would refuse "
                "every update; give every process the same secret"]
    return []


def _database_url(value: str | None) -> str | None:
    """A PostgreSQL URL, or None; the error never repeats the URL (it has a password)."""
    if value is None:
        return None
    if not is_postgres_url(value):
        raise ConfigError("HAIQUAN_DATABASE_URL must be a postgresql:// URL "
                          "(without it, the bot uses SQLite in its data directory)")
    return value


def _broadcast_rate(value: str | None) -> float | None:
    """Broadcast messages per second for this process: more than 0, at most 30."""
    if value is None:
        return None
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate <= 30:
        raise ConfigError(f"HAIQUAN_BROADCAST_RATE must be a number above 0 and at most 30 "
                          f"(Telegram's limit per bot), got {value!r}")
    return rate


def _health_port(value: str | None, webhook: WebhookSettings | None) -> int | None:
    """A TCP port for ``/healthz`` and ``/metrics``, not the webhook's own."""
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"HAIQUAN_HEALTH_PORT must be a TCP port, got {value!r}")
    if webhook is not None and int(value) == webhook.port:
        raise ConfigError("HAIQUAN_HEALTH_PORT must differ from the webhook port "
                          f"({webhook.port}): the health server listens on a port of its own")
    return int(value)


def _flag(value: str | None, variable: str) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable} must be 1/true/yes or 0/false/no, got {value!r}")


def _minutes(value: str | None, variable: str, minimum: float = 0.1) -> float | None:
    if value is None:
        return None
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not minimum <= minutes <= 7 * 24 * 60:  # also refuses nan
        raise ConfigError(
            f"{variable} must be minutes between {minimum:g} and 10080, got {value!r}")
    return minutes


def _days(value: str, variable: str, retention: dt.timedelta) -> dt.timedelta:
    """Days as a timedelta; at most the retention, beyond which the answer a link opens
    is purged anyway."""
    try:
        days = float(value)
    except ValueError:
        days = -1.0
    most = retention / dt.timedelta(days=1)
    if not 0.01 <= days <= most:  # also refuses nan
        raise ConfigError(f"{variable} must be days between 0.01 and {most:g} "
                          f"(HAIQUAN_RETENTION_DAYS), got {value!r}")
    return dt.timedelta(days=days)


def _retention(value: str | None) -> dt.timedelta:
    """Whole days (default 30) that answers and finished delivery rows are kept."""
    if value is None:
        return dt.timedelta(days=30)
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise ConfigError(f"HAIQUAN_RETENTION_DAYS must be whole days between 1 and 3650, "
                          f"got {value!r}")
    return dt.timedelta(days=int(value))


def _feeds(flags: object, environment: str) -> tuple[str, ...]:
    """The ``--feed`` flags if any, else ``$HAIQUAN_FEEDS``; http(s) URLs only."""
    if isinstance(flags, (list, tuple)) and flags:
        feeds = parse_feed_list(" ".join(str(flag) for flag in flags))
    else:
        feeds = parse_feed_list(environment)
    for url in feeds:
        try:
            parts = urlsplit(url)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            usable = False
        if not usable:
            raise ConfigError(f"HAIQUAN_FEEDS/--feed takes http(s) URLs only, got {url!r}")
    return feeds


def _http_url(value: str, variable: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{variable} must be an http(s) URL, got {value!r}")
    return value


def _api_url(value: str, variable: str, standard_path: str, warnings: list[str]) -> str:
    """A Bot API base URL that python-telegram-bot can append the token to."""
    url = _http_url(value, variable)
    path = urlsplit(url).path
    if path in ("", "/"):
        fixed = url.rstrip("/") + standard_path
        warnings.append(f"{variable} has no path; using {fixed} (a Bot API base URL ends "
                        f"in {standard_path}, the token is appended to it)")
        return fixed
    if not path.endswith("bot"):
        warnings.append(f"{variable} does not end in {standard_path} ({url}): the token is "
                        f"appended to it as is, which Telegram's servers do not accept")
    return url


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for piece in raw.split(","):
        piece = piece.strip()
        if not piece:
            continue
        if not piece.isdigit():
            raise ConfigError(
                f"HAIQUAN_ADMIN_IDS must be comma-separated Telegram user ids, got {piece!r}"
            )
        ids.add(int(piece))
    return frozenset(ids)


def _webhook(pick: Callable[[str, str], str | None]) -> WebhookSettings | None:
    url = pick("webhook_url", "HAIQUAN_WEBHOOK_URL")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError(f"the webhook URL must be a public https:// URL, got {url!r}")
    listen = pick("listen", "HAIQUAN_WEBHOOK_LISTEN") or "127.0.0.1"
    port_text = pick("port", "HAIQUAN_WEBHOOK_PORT") or "8443"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"HAIQUAN_WEBHOOK_PORT must be a TCP port, got {port_text!r}")
    secret = pick("webhook_secret", "HAIQUAN_WEBHOOK_SECRET")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise ConfigError(
            "HAIQUAN_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    if secret is None:
        return WebhookSettings(url, listen, int(port_text))
    return WebhookSettings(url, listen, int(port_text), secret)
